// `kernelkit watch NOTEBOOK`: runs the notebook, then on every save re-runs only what changed
// (docs/watch.md). The kernel lives in this process; Ctrl-C during a run interrupts it, Ctrl-C
// while idle exits 0.
import { basename, relative } from "node:path";
import {
  type CellId,
  isKernelkitError,
  KernelkitError,
  type Notebook,
  processInterrupts,
  teardownKernel,
} from "@kernelkit/core";
import { originalWrite } from "@kernelkit/executor-default";
import pc from "picocolors";
import { EXIT, reportStartupError, toCliError } from "../cli-error.ts";
import { loadNotebook } from "../load-notebook.ts";
import { formatDuration, renderReport } from "../render.ts";
import { RunCollector } from "../report.ts";
import { buildKernel, type KernelFlags } from "../setup.ts";
import { type WatchChange, WatchSession } from "../watch/session.ts";
import { WatchLoop } from "../watch/watch-loop.ts";
import { renderTypeReport, WatchTypes } from "../watch/watch-types.ts";
import { createProgress } from "./run.ts";

export interface WatchOptions {
  json?: boolean;
  mode?: string;
  config?: string;
  executor?: string;
  /** Report the notebook's type errors after each save (JS/TS; docs/watch.md "Type errors"). */
  types?: boolean;
}

export const WATCH_MODES = ["reactive", "sequential"] as const;

export async function watchCommand(notebookArg: string, options: WatchOptions): Promise<number> {
  const json = options.json === true;
  const out = originalWrite("stdout");
  const err = originalWrite("stderr");
  const event = (fields: Record<string, unknown>) => out(`${JSON.stringify(fields)}\n`);
  const startupError = (error: unknown) => {
    const e = toCliError(error);
    err(`kernelkit: error ${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}\n`);
    if (json) event({ event: "error", error: e });
    return EXIT.usage;
  };

  let notebook: Notebook;
  let built: Awaited<ReturnType<typeof buildKernel>>;
  try {
    notebook = loadNotebook(notebookArg);
    const flags: KernelFlags = {};
    if (options.config !== undefined) flags.config = options.config;
    if (options.executor !== undefined) flags.executor = options.executor;
    if (options.mode !== undefined) flags.mode = options.mode as NonNullable<KernelFlags["mode"]>;
    built = await buildKernel(notebook, flags);
  } catch (error) {
    return json ? startupError(error) : reportStartupError(error, false, err, err);
  }
  const { kernel } = built;
  kernel.logWarnings = false;
  process.chdir(kernel.cwd);
  const path = notebook.path!;
  const shown = relative(process.cwd(), path) || basename(path);
  const session = new WatchSession(kernel, path);
  const types = options.types ? WatchTypes.for(kernel, session) : null;
  if (options.types && !types)
    err(pc.dim(`kernelkit: --types checks JavaScript and TypeScript notebooks; ${shown} has no types\n`));
  const tty = !json && process.stderr.isTTY === true;
  const progress = tty ? await createProgress() : null;
  let warningsShown = 0;
  const flushWarnings = () => {
    const all = [...built.warnings, ...kernel.warnings];
    for (const w of all.slice(warningsShown)) err(`kernelkit: warning ${w.code}: ${w.message}\n`);
    warningsShown = all.length;
  };
  const idleLine = () => progress?.update(`watching ${shown} · save to re-run · Ctrl-C to exit`);

  const problem = (error: KernelkitError) => {
    const e = toCliError(error);
    progress?.clear();
    err(`kernelkit: warning ${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}\n`);
    if (json) event({ event: "error", error: e });
    idleLine();
  };

  let closing = false;
  let warnedTypes = false;
  /**
   * Starts the notebook's type check beside the run (the compiler works in its own thread) and
   * prints the report as soon as it is ready: `{"event": "types", …}` or tsc-style lines.
   */
  const checkTypes = (trigger: WatchChange["trigger"]) => {
    if (!types) return;
    void types.check().then(
      (report) => {
        if (closing) return;
        if (!warnedTypes) {
          warnedTypes = true;
          for (const w of report.warnings) err(`kernelkit: warning ${w.code}: ${w.message}\n`);
        }
        if (json) {
          event({
            event: "types",
            trigger,
            ok: report.ok,
            count: report.count,
            cells: report.cells,
            ...(report.warnings.length > 0 ? { typeWarnings: report.warnings } : {}),
          });
          return;
        }
        progress?.clear();
        out(renderTypeReport(report, shown));
        if (!loop.running) idleLine();
      },
      (error: unknown) => {
        if (closing) return;
        problem(
          isKernelkitError(error)
            ? error
            : new KernelkitError(
                "KK_TYPES_WORKER",
                `type check failed: ${(error as Error)?.message ?? error}`,
                {
                  hint: "The kernel and its values are kept; the next save checks again.",
                },
              ),
        );
      },
    );
  };

  /** Runs a change and prints its event (NDJSON) or its compact view (terminal). */
  const runChange = async (change: WatchChange): Promise<void> => {
    const plan = change.trigger === "initial" ? null : session.plan(change);
    if (plan && plan.length === 0 && change.changed.length === 0 && change.deleted.length === 0) {
      if (!json) {
        progress?.clear();
        err(pc.dim(`kernelkit: ${shown} saved; nothing changed\n`));
        idleLine();
      }
      return;
    }
    if (change.trigger !== "module") checkTypes(change.trigger);
    const total = plan ? plan.length : kernel.cells().filter((c) => c.isCode).length;
    const started = performance.now();
    let current = "starting";
    const collector: RunCollector = new RunCollector(
      progress
        ? ({ cellId, status }) => {
            if (status === "running") current = `running ${kernel.cell(cellId)?.name ?? cellId}`;
            progress.update(
              `${current} · ${total - collector.finished} of ${total} left · ${formatDuration(performance.now() - started)}`,
            );
          }
        : undefined,
    );
    const summary = plan ? await session.run(plan, null, collector) : await kernel.runAll(null, collector);
    const ms = performance.now() - started;
    progress?.clear();
    flushWarnings();
    // The cells that ran; changed markdown and raw cells are listed too, so their new text shows.
    const ran: Set<CellId> | undefined = plan ? new Set(plan) : undefined;
    if (ran) for (const id of change.changed) if (kernel.cell(id) && !kernel.cell(id)!.isCode) ran.add(id);
    if (json) {
      collector.writeJson(
        kernel,
        {
          event: "run",
          trigger: change.trigger,
          changed: [...change.changed, ...change.deleted],
          deleted: change.deleted,
          ok: summary.ok,
        },
        out,
        ran,
      );
    } else {
      out(`${pc.bold(header(change, shown, kernel, plan?.length ?? total))}\n`);
      out(renderReport(collector.reports(kernel, ran), ms));
    }
    idleLine();
  };

  const guarded = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      problem(
        isKernelkitError(error)
          ? error
          : new KernelkitError("KK_INTERNAL", `watch failed: ${(error as Error)?.message ?? error}`, {
              hint: "The kernel and its values are kept; save again, or report this as a bug.",
            }),
      );
    }
  };

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const loop = new WatchLoop(path, {
    notebook: (nb) => guarded(async () => runChange(await session.applyNotebook(nb))),
    modules: (files) => guarded(async () => runChange(await session.applyModules(files))),
    problem,
    resumed: () => {
      progress?.clear();
      err(`kernelkit: ${shown} is back; watching again\n`);
      idleLine();
    },
    moduleFiles: () => session.moduleFiles(),
  });
  let initialDone = false;
  // Ctrl-C while a run is active is the kernel's (it interrupts the cell); while idle, we exit.
  const unsubscribe = processInterrupts().subscribe(() => {
    if (initialDone && !loop.running) finish(EXIT.ok);
  });
  // SIGTERM: a graceful stop, like Ctrl-C while idle.
  const onTerm = () => finish(EXIT.ok);
  process.on("SIGTERM", onTerm);
  flushWarnings();
  loop.pause();
  try {
    await loop.start();
  } catch (error) {
    unsubscribe();
    process.off("SIGTERM", onTerm);
    await teardownKernel(kernel);
    return json ? startupError(error) : reportStartupError(error, false, err, err);
  }
  await guarded(() =>
    runChange({
      trigger: "initial",
      changed: kernel.cells().map((c) => c.id),
      deleted: [],
      run: [],
    }),
  );
  initialDone = true;
  loop.resume();
  const code = await finished;
  closing = true;
  unsubscribe();
  process.off("SIGTERM", onTerm);
  progress?.clear();
  await loop.close();
  await teardownKernel(kernel);
  return code;
}

function header(
  change: WatchChange,
  shown: string,
  kernel: { cell(id: string): { name: string | null } | undefined },
  ran: number,
): string {
  const label = (id: string) => kernel.cell(id)?.name ?? id.slice(0, 8);
  if (change.trigger === "initial") return `── ${shown}: initial run ──`;
  const parts: string[] = [];
  if (change.trigger === "module") {
    const files = (change.files ?? []).map((f) => basename(f)).join(", ");
    return `── ${files} changed: reloaded in ${change.changed.map(label).join(", ") || "no cell"} · ${ran} cell${ran === 1 ? "" : "s"} ran ──`;
  } else {
    if (change.changed.length > 0) parts.push(`changed ${change.changed.map(label).join(", ")}`);
    if (change.deleted.length > 0)
      parts.push(`deleted ${change.deleted.map((id) => id.slice(0, 12)).join(", ")}`);
  }
  return `── ${shown} saved: ${parts.join("; ")} · ${ran} cell${ran === 1 ? "" : "s"} ran ──`;
}
