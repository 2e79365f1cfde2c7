// `kernelkit run A B C [--jobs N]`: several notebooks, each in a kernel of its own, N at a time,
// with one summary. Each notebook runs as a child `kernelkit run --json NB` (docs/modes.md,
// "Batches", says why processes and not threads); the parent runs no cell, so it may listen for
// SIGINT itself and pass it on.
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { originalWrite } from "@kernelkit/executor-default";
import pc from "picocolors";
import { EXIT, reportStartupError } from "../cli-error.ts";
import { formatDuration } from "../render.ts";

export interface BatchOptions {
  json?: boolean;
  jobs?: number;
  profile?: string;
}

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
  argv: readonly string[],
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

  const passOn = childArgs(argv, notebooks);
  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), notebooks.length));
  const cli = process.argv[1]!;
  const started = performance.now();
  const results: (NotebookRun | undefined)[] = Array.from(notebooks, () => undefined);
  const running = new Map<number, ReturnType<typeof spawn>>();
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

  const runOne = (index: number): Promise<void> =>
    new Promise((done) => {
      const path = notebooks[index]!;
      const t0 = performance.now();
      // Its own process group: Ctrl-C reaches the parent only, which passes it on exactly once,
      // and killing the group also ends what the notebook started (Python, subprocesses).
      const child = spawn(process.execPath, [cli, "run", ...passOn, "--json", "--", path], {
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      running.set(index, child);
      let stdout = "";
      let stderr = "";
      child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("close", (code, signal) => {
        running.delete(index);
        const exitCode = code ?? (signal ? 128 + signalNumber(signal) : EXIT.failed);
        results[index] = {
          path,
          result: parseResult(stdout, stderr, exitCode),
          exitCode,
          durationMs: performance.now() - t0,
        };
        // Warnings and anything the child wrote outside its JSON, named by notebook.
        const text = stderr.trim();
        if (text && !json) for (const line of text.split("\n")) err(`${pc.dim(`${path}:`)} ${line}\n`);
        else if (text) err(text.replace(/^/gm, `${path}: `) + "\n");
        done();
      });
      child.on("error", () => {});
    });

  const stopAll = () => {
    if (interrupted) return;
    interrupted = true;
    for (const child of running.values()) signalGroup(child, "SIGINT");
    const killer = setTimeout(() => {
      for (const child of running.values()) signalGroup(child, "SIGKILL");
    }, STOP_GRACE_MS);
    killer.unref();
  };
  process.on("SIGINT", stopAll);
  process.on("SIGTERM", stopAll);

  const worker = async () => {
    while (!interrupted && next < notebooks.length) {
      const index = next++;
      await runOne(index);
      if (tty) progress();
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
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

/** The raw `run` arguments minus the notebooks, `--jobs` and `--json`: what each child gets. */
export function childArgs(argv: readonly string[], notebooks: readonly string[]): string[] {
  const pending = [...notebooks];
  const outArgs: string[] = [];
  let afterDashes = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!afterDashes && a === "--") {
      afterDashes = true;
      continue;
    }
    if (pending.length > 0 && a === pending[0] && (afterDashes || !a.startsWith("-") || a === "-")) {
      pending.shift();
      continue;
    }
    if (afterDashes) continue;
    if (a === "--json") continue;
    if (a === "--jobs") {
      i++;
      continue;
    }
    if (a.startsWith("--jobs=")) continue;
    outArgs.push(a);
  }
  return outArgs;
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

function signalGroup(child: ReturnType<typeof spawn>, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    // SIGINT to the child itself (its kernel interrupts the cell and reports); SIGKILL to the group.
    if (signal === "SIGINT") process.kill(child.pid, signal);
    else process.kill(-child.pid, signal);
  } catch {}
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 1;
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
