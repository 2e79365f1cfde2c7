// `kernelkit run NOTEBOOK`: runs every cell once, reactively, and reports.
import { type InterruptEvent, processInterrupts, teardownKernel } from "@kernelkit/core";
import { originalWrite, realExit } from "@kernelkit/executor-default";
import { EXIT, reportStartupError } from "../cli-error.ts";
import { loadNotebook } from "../load-notebook.ts";
import { profileSection } from "../profile-table.ts";
import { formatDuration, renderReport } from "../render.ts";
import { RunCollector } from "../report.ts";
import { buildKernel, type KernelFlags } from "../setup.ts";

export interface RunOptions {
  json?: boolean;
  timeout?: number;
  executor?: string;
  config?: string;
  lifecycle?: string[];
  strict?: boolean;
  profile?: string;
}

export async function runCommand(notebookArg: string, options: RunOptions): Promise<number> {
  const json = options.json === true;
  const out = originalWrite("stdout");
  const err = originalWrite("stderr");
  let sigintBeforeRun = false;
  const early = (e: InterruptEvent) => {
    void e;
    sigintBeforeRun = true;
  };
  const unsubscribeEarly = processInterrupts().subscribe(early);

  let built: Awaited<ReturnType<typeof buildKernel>>;
  let notebook: ReturnType<typeof loadNotebook>;
  try {
    notebook = loadNotebook(notebookArg);
    const opts: KernelFlags = {
      executor: options.executor,
      config: options.config,
      lifecycles: options.lifecycle,
      strict: options.strict,
      profile: options.profile,
    };
    built = await buildKernel(notebook, opts);
  } catch (error) {
    unsubscribeEarly();
    return reportStartupError(error, json, out, err);
  }
  const { kernel } = built;
  if (notebook.path) process.chdir(kernel.cwd);
  if (options.timeout !== undefined) kernel.defaultTimeoutMs = options.timeout;

  const total = kernel.cells().filter((c) => c.isCode).length;
  const started = performance.now();
  const tty = !json && process.stderr.isTTY === true;
  type Spinner = {
    update(o: { text: string }): unknown;
    clear(): unknown;
    stop(): unknown;
    start(): unknown;
  };
  let spinner = null as Spinner | null;
  const collector = new RunCollector(
    tty
      ? ({ cellId, status }) => {
          if (!spinner) return;
          const label = kernel.cell(cellId)?.name ?? cellId;
          const elapsed = formatDuration(performance.now() - started);
          if (status === "running")
            spinner.update({ text: `running ${label} (${collector.finished + 1}/${total}) · ${elapsed}` });
        }
      : undefined,
  );
  if (tty && total > 0) {
    const { createSpinner } = await import("nanospinner");
    const stream = {
      write: (s: string) => err(s),
      isTTY: true,
      columns: process.stderr.columns,
    } as unknown as NodeJS.WriteStream;
    spinner = createSpinner(`starting (${total} cells)`, { stream }) as unknown as Spinner;
    spinner.start();
  }
  if (sigintBeforeRun) {
    unsubscribeEarly();
    return EXIT.interrupted;
  }
  unsubscribeEarly();

  const summary = await kernel.runAll("run", collector);
  spinner?.clear();
  spinner?.stop();
  const reports = collector.reports(kernel);
  const totalMs = performance.now() - started;
  const warnings = [...built.warnings, ...kernel.warnings].map((w) => `${w.code}: ${w.message}`);
  for (const w of warnings) err(`kernelkit: warning ${w}\n`);

  if (json) {
    const cells = reports.map(({ type: _type, ...rest }) => rest);
    out(
      `${JSON.stringify({
        schemaVersion: 1,
        ok: summary.ok,
        executor: kernel.executor.name,
        warnings,
        cells,
      })}\n`,
    );
  } else {
    out(renderReport(reports, totalMs) + profileSection(kernel, reports));
  }
  const timedOut = kernel.lastInterruptKind === "timeout";
  const code = summary.interrupted && !timedOut ? EXIT.interrupted : summary.ok ? EXIT.ok : EXIT.failed;
  await teardownKernel(kernel);
  return code;
}

export { realExit };
