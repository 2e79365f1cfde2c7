// `kernelkit run NOTEBOOK`: runs every cell once, reactively, and reports.
import {
  type InterruptEvent,
  type Kernel,
  processInterrupts,
  type RunMode,
  teardownKernel,
} from "@kernelkit/core";
import { originalWrite, realExit } from "@kernelkit/executor-default";
import pc from "picocolors";
import { EXIT, reportStartupError } from "../cli-error.ts";
import type { IpynbRecorder } from "../formats/ipynb-recorder.ts";
import { loadNotebookFile, type NotebookFile } from "../load-notebook.ts";
import { profileSection } from "../profile-table.ts";
import { formatDuration, renderReport } from "../render.ts";
import { RunCollector } from "../report.ts";
import type { OutputTarget } from "../run-output.ts";
import { buildKernel, type KernelFlags } from "../setup.ts";

export interface RunOptions {
  json?: boolean;
  timeout?: number;
  executor?: string;
  config?: string;
  lifecycle?: string[];
  strict?: boolean;
  profile?: string;
  /** --output OUT.ipynb: write the executed notebook there. */
  output?: string;
  /** --inplace: write the executed notebook over the input .ipynb. */
  inplace?: boolean;
  /** -p NAME VALUE, joined as NAME=VALUE (parameters.ts). */
  parameter?: string[];
  /** --parameters FILE.json */
  parameters?: string;
  mode?: RunMode;
  continueOnError?: boolean;
  jobs?: number;
}

/** Where `run` prints: the process's own stdout/stderr, or a batch worker's per-notebook buffers. */
export interface RunIo {
  /** `run --json` writes a long stdout/stderr as UTF-8 bytes, never splitting a character. */
  out: (text: string | Uint8Array) => unknown;
  err: (text: string) => unknown;
}

export async function runCommand(
  notebookArg: string,
  options: RunOptions,
  io: RunIo = { out: originalWrite("stdout"), err: originalWrite("stderr") },
  onKernel?: (kernel: Kernel) => void,
): Promise<number> {
  const json = options.json === true;
  const { out, err } = io;
  let sigintBeforeRun = false;
  const early = (e: InterruptEvent) => {
    void e;
    sigintBeforeRun = true;
  };
  const unsubscribeEarly = processInterrupts().subscribe(early);

  let built: Awaited<ReturnType<typeof buildKernel>>;
  let notebook: NotebookFile["notebook"];
  let file: NotebookFile;
  let target: OutputTarget | null;
  try {
    file = loadNotebookFile(notebookArg);
    notebook = file.notebook;
    // Outputs and parameters load only when asked for: a plain run starts as fast as before.
    const output = options.output !== undefined || options.inplace ? await import("../run-output.ts") : null;
    target = output ? output.planOutput(file, options, notebookArg) : null;
    // A notebook a parameterised run saved (an injected-parameters cell) needs them too.
    const parameters =
      options.parameter !== undefined ||
      options.parameters !== undefined ||
      file.notebook.cells.some((c) =>
        (c.metadata?.tags as unknown[] | undefined)?.includes?.("injected-parameters"),
      )
        ? await import("../parameters.ts")
        : null;
    const params = parameters ? parameters.readParameters(options.parameter, options.parameters) : {};
    const opts: KernelFlags = {
      executor: options.executor,
      config: options.config,
      lifecycles: options.lifecycle,
      strict: options.strict,
      profile: options.profile,
      mode: options.mode,
      continueOnError: options.continueOnError,
    };
    built = await buildKernel(notebook, opts);
    try {
      if (parameters)
        file = (await parameters.applyParameters(built.kernel, file, params, built.kernel.mode)).file;
    } catch (error) {
      await teardownKernel(built.kernel);
      throw error;
    }
  } catch (error) {
    unsubscribeEarly();
    return reportStartupError(error, json, out, err);
  }
  const { kernel } = built;
  onKernel?.(kernel);
  kernel.logWarnings = false; // printed once below, with the startup warnings
  if (notebook.path) process.chdir(kernel.cwd);
  if (options.timeout !== undefined) kernel.defaultTimeoutMs = options.timeout;

  const total = kernel.cells().filter((c) => c.isCode).length;
  const started = performance.now();
  const tty = !json && process.stderr.isTTY === true;
  const progress = tty && total > 0 ? await createProgress() : null;
  let current = "starting";
  const render = () =>
    progress?.update(
      `${current} · ${total - collector.finished} of ${total} left · ${formatDuration(performance.now() - started)}`,
    );
  const collector = new RunCollector(
    progress
      ? ({ cellId, status }) => {
          if (status !== "running") return;
          current = `running ${kernel.cell(cellId)?.name ?? cellId}`;
          render();
        }
      : undefined,
  );
  render();
  const ticker = progress ? setInterval(render, 250) : null;
  ticker?.unref();
  if (sigintBeforeRun) {
    unsubscribeEarly();
    return EXIT.interrupted;
  }
  unsubscribeEarly();

  const recording = target ? await import("../formats/ipynb-recorder.ts") : null;
  const recorder: IpynbRecorder | null = recording ? new recording.IpynbRecorder() : null;
  const summary = await kernel.runAll(
    "run",
    recording && recorder ? recording.teeObserver(collector, recorder) : collector,
  );
  if (ticker) clearInterval(ticker);
  progress?.clear();
  const totalMs = performance.now() - started;
  const warnings = [...built.warnings, ...kernel.warnings].map((w) => `${w.code}: ${w.message}`);
  for (const w of warnings) err(`kernelkit: warning ${w}\n`);

  if (json) {
    collector.writeJson(
      kernel,
      { schemaVersion: 1, ok: summary.ok, executor: kernel.executor.name, mode: kernel.mode, warnings },
      out,
    );
  } else {
    const reports = collector.reports(kernel);
    renderReport(reports, totalMs, { out, err });
    out(profileSection(kernel, reports));
  }
  let wrote = true;
  if (target && recorder) {
    try {
      (await import("../run-output.ts")).writeOutput(target, file, recorder);
    } catch (error) {
      reportStartupError(error, false, out, err);
      wrote = false;
    }
  }
  const timedOut = kernel.lastInterruptKind === "timeout";
  const code =
    summary.interrupted && !timedOut ? EXIT.interrupted : summary.ok && wrote ? EXIT.ok : EXIT.failed;
  await teardownKernel(kernel);
  return code;
}

export { realExit };

/** One status line on the terminal (fd 2 directly: process.stderr is captured while cells run). */
export async function createProgress(): Promise<{ update(text: string): void; clear(): void }> {
  const { WriteStream } = await import("node:tty");
  const stream = new WriteStream(2);
  let shown = false;
  return {
    update(text) {
      const width = stream.columns > 1 ? stream.columns - 1 : 80;
      stream.write(`\r\x1b[2K${pc.dim(text.length > width ? `${text.slice(0, width - 1)}…` : text)}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write("\r\x1b[2K");
      shown = false;
    },
  };
}
