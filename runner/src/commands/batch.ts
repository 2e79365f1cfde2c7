// `kernelkit run A B C [--jobs N]`: several notebooks, each in a kernel of its own, N at a time,
// with one summary. N warm worker processes (batch-worker.ts) each run notebooks one after
// another, a fresh kernel per notebook, answering with what `kernelkit run --json NB` would
// print (docs/modes.md, "Batches", says why processes and not threads); the parent runs no
// cell, so it may listen for SIGINT itself and pass it on.
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { originalWrite } from "@kernelkit/executor-default";
import pc from "picocolors";
import { BatchWorker } from "../batch-worker-process.ts";
import { EXIT, reportStartupError } from "../cli-error.ts";
import { formatDuration } from "../render.ts";
import type { RunOptions } from "./run.ts";

export type BatchOptions = RunOptions;

/** One notebook's run as the batch reports it. */
export interface NotebookRun {
  path: string;
  /** The child's `run --json` object. */
  result: Record<string, unknown> & { ok: boolean; cells?: { status: string; name?: string | null }[] };
  exitCode: number;
  durationMs: number;
}

/** How long a child may take to stop after SIGINT before its process group is killed. */
const STOP_GRACE_MS = 3000;

export async function batchCommand(
  notebooks: readonly string[],
  options: BatchOptions,
  /** The worker entry (batch-worker.ts as built: next to the CLI's own entry). */
  workerEntry: URL,
): Promise<number> {
  const json = options.json === true;
  const out = originalWrite("stdout");
  const err = originalWrite("stderr");
  const usage = (message: string, hint: string) =>
    reportStartupError(Object.assign(new Error(message), { code: "KK_USAGE", hint }), json, out, err);
  if (options.profile !== undefined) {
    return usage(
      "--profile writes one trace file and cannot be used with several notebooks",
      "Profile one notebook at a time: `kernelkit run NB --profile OUT`.",
    );
  }
  for (const nb of notebooks) {
    let isFile = false;
    try {
      isFile = statSync(nb).isFile();
    } catch {}
    if (!isFile) {
      return reportStartupError(
        Object.assign(new Error(`notebook not found: ${nb}`), {
          code: "KK_NOTEBOOK_NOT_FOUND",
          hint: "Check the paths: every notebook of a batch must exist before any runs.",
        }),
        json,
        out,
        err,
      );
    }
  }

  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), notebooks.length));
  const started = performance.now();
  const results: (NotebookRun | undefined)[] = Array.from(notebooks, () => undefined);
  const running = new Map<number, BatchWorker>();
  let interrupted = false;
  let next = 0;

  const tty = !json && process.stderr.isTTY === true;
  const progress = () => {
    if (!tty) return;
    const done = results.filter(Boolean).length;
    const names = [...running.keys()].map((i) => notebooks[i]).join(", ");
    const line = `${done} of ${notebooks.length} done · running ${names || "—"} · ${formatDuration(performance.now() - started)}`;
    const width = (process.stderr.columns ?? 80) - 1;
    err(`\r\x1b[2K${pc.dim(line.length > width ? `${line.slice(0, width - 1)}…` : line)}`);
  };
  const ticker = tty ? setInterval(progress, 250) : null;

  // Warm workers (batch-worker.ts): each runs notebooks one after another, a fresh kernel each,
  // and is replaced when it retires (a notebook left state behind) or dies.
  const workers = new Set<BatchWorker>();
  const childOptions = { ...options, json: true, jobs: undefined };

  const runOne = (slot: { worker: BatchWorker | null }, index: number): Promise<void> =>
    new Promise((done) => {
      const path = notebooks[index]!;
      const t0 = performance.now();
      if (!slot.worker || !slot.worker.usable) {
        slot.worker = new BatchWorker(fileURLToPath(workerEntry), (text, last) => relay(last ?? path, text));
        workers.add(slot.worker);
      }
      const worker = slot.worker;
      running.set(index, worker);
      worker.run(path, childOptions).then((answer) => {
        running.delete(index);
        results[index] = {
          path,
          result: parseResult(answer.stdout, answer.stderr, answer.exitCode),
          exitCode: answer.exitCode,
          durationMs: performance.now() - t0,
        };
        if (answer.retire) {
          worker.stop();
          workers.delete(worker);
        }
        relay(path, answer.stderr);
        done();
      });
    });

  // Warnings and anything a notebook wrote outside its JSON, named by notebook.
  const relay = (path: string, stderr: string) => {
    const text = stderr.trim();
    if (text && !json) for (const line of text.split("\n")) err(`${pc.dim(`${path}:`)} ${line}\n`);
    else if (text) err(`${text.replace(/^/gm, `${path}: `)}\n`);
  };

  const stopAll = () => {
    if (interrupted) return;
    interrupted = true;
    for (const worker of running.values()) worker.signal("SIGINT");
    const killer = setTimeout(() => {
      for (const worker of running.values()) worker.signal("SIGKILL");
    }, STOP_GRACE_MS);
    killer.unref();
  };
  process.on("SIGINT", stopAll);
  process.on("SIGTERM", stopAll);

  const lane = async () => {
    const slot: { worker: BatchWorker | null } = { worker: null };
    while (!interrupted && next < notebooks.length) {
      const index = next++;
      await runOne(slot, index);
      if (tty) progress();
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, lane));
  } finally {
    for (const worker of workers) worker.stop();
    process.off("SIGINT", stopAll);
    process.off("SIGTERM", stopAll);
    if (ticker) clearInterval(ticker);
    if (tty) err("\r\x1b[2K");
  }

  const runs = results.filter((r): r is NotebookRun => r !== undefined);
  const notRun = notebooks.filter((_nb, i) => results[i] === undefined);
  const ok = !interrupted && runs.every((r) => r.result.ok === true && r.exitCode === 0);
  if (json) {
    const list = [
      ...results.map((r, i) =>
        r ? { path: r.path, ...r.result } : { path: notebooks[i]!, ...notRunResult() },
      ),
    ];
    out(`${JSON.stringify({ schemaVersion: 1, ok, notebooks: list })}\n`);
  } else {
    out(renderBatch(notebooks, results, performance.now() - started, notRun.length));
  }
  if (interrupted) return EXIT.interrupted;
  return ok ? EXIT.ok : EXIT.failed;
}

function parseResult(stdout: string, stderr: string, exitCode: number): NotebookRun["result"] {
  const text = stdout.trim();
  try {
    const parsed = JSON.parse(text.slice(text.lastIndexOf("\n{") + 1)) as NotebookRun["result"];
    if (parsed && typeof parsed === "object") return parsed;
  } catch {}
  const tail = stderr.trim().split("\n").slice(-3).join(" ").trim();
  return {
    schemaVersion: 1,
    ok: false,
    error: {
      code: exitCode === EXIT.interrupted ? "KK_INTERRUPTED" : "KK_INTERNAL",
      message: tail || `the notebook's run exited with code ${exitCode} and printed no result`,
      hint: null,
    },
    cells: [],
  };
}

function notRunResult(): NotebookRun["result"] {
  return {
    schemaVersion: 1,
    ok: false,
    error: { code: "KK_INTERRUPTED", message: "not run: the batch was interrupted", hint: null },
    cells: [],
  };
}

const FAILED = new Set(["exception", "error", "cancelled", "interrupted"]);

/** The summary table: one row per notebook (cells, failures, time), then a total line. */
export function renderBatch(
  notebooks: readonly string[],
  results: readonly (NotebookRun | undefined)[],
  totalMs: number,
  notRun: number,
): string {
  const rows = notebooks.map((path, i) => {
    const r = results[i];
    if (!r) return { path, cells: "", failed: "", time: "", mark: pc.yellow("○"), note: "not run" };
    const cells = r.result.cells ?? [];
    const failures = cells.filter((c) => FAILED.has(c.status));
    const error = r.result.error as { code?: string; message?: string } | undefined;
    const good = r.result.ok === true && r.exitCode === 0;
    const note = error
      ? `${error.code}: ${error.message}`
      : failures.length > 0
        ? `first: ${failures[0]!.name ?? "cell"} ${failures[0]!.status}`
        : r.exitCode === EXIT.interrupted
          ? "interrupted"
          : "";
    return {
      path,
      cells: String(cells.length),
      failed: String(failures.length),
      time: formatDuration(r.durationMs),
      mark: good ? pc.green("✓") : pc.red("✗"),
      note,
    };
  });
  const w = {
    path: Math.max(8, ...rows.map((r) => r.path.length)),
    cells: 5,
    failed: 6,
    time: Math.max(4, ...rows.map((r) => r.time.length)),
  };
  const lines = [
    pc.bold(
      `  ${"notebook".padEnd(w.path)}  ${"cells".padStart(w.cells)}  ${"failed".padStart(w.failed)}  ${"time".padStart(w.time)}`,
    ),
  ];
  for (const r of rows) {
    lines.push(
      `${r.mark} ${r.path.padEnd(w.path)}  ${r.cells.padStart(w.cells)}  ${r.failed.padStart(w.failed)}  ${r.time.padStart(w.time)}${r.note ? `  ${pc.dim(r.note)}` : ""}`,
    );
  }
  const failedCount = results.filter((r) => r && !(r.result.ok === true && r.exitCode === 0)).length;
  const okCount = results.filter((r) => r && r.result.ok === true && r.exitCode === 0).length;
  const parts = [pc.green(`${okCount} ok`)];
  if (failedCount > 0) parts.push(pc.red(`${failedCount} failed`));
  if (notRun > 0) parts.push(pc.yellow(`${notRun} not run`));
  lines.push("");
  lines.push(
    `${notebooks.length} notebook${notebooks.length === 1 ? "" : "s"}: ${parts.join(", ")} ${pc.dim(`· ${formatDuration(totalMs)}`)}`,
  );
  return `${lines.join("\n")}\n`;
}
