// Pops cells from the scheduler, evaluates them, classifies the outcome, cancels the
// descendants of a failed cell and reports everything to a RunObserver.
import { basename, relative } from "node:path";
import type { CellId, CompiledCell } from "../contract/cell.ts";
import {
  CancelledError,
  DisabledError,
  describeThrown,
  isKernelkitError,
  type KernelkitError,
  MissingRefError,
  type MissingRefSite,
} from "../contract/errors.ts";
import type { Logger } from "../contract/logger.ts";
import type { MimeBundle } from "../contract/mime.ts";
import type { ExecutionContext, RunResult, Scheduler, Scope } from "../contract/plugin.ts";
import type { DataflowGraph } from "../notebook/graph.ts";
import type { Evaluator } from "./evaluator.ts";
import { callSeries, type KernelHooks, type RunStatus, type RunSummary } from "./hooks.ts";
import { tracebackOf } from "./traceback.ts";

export interface ErrorInfo {
  name: string;
  message: string;
  traceback: string[];
  code: string | null;
}

export type CellStatus = "queued" | "running" | "idle";

/** What a `display` frame carries besides its bundle (docs/protocol.md v1.1). */
export interface DisplayExtras {
  displayId?: string;
  /** A later display with the same id replaces the earlier one. */
  update?: boolean;
  /** Shown in a pager rather than among the outputs. */
  page?: boolean;
}

export interface RunObserver {
  /** `skippedBy`: on idle, the lifecycle whose Skip completed the cell (null otherwise). */
  status(cellId: CellId, status: CellStatus, runResult?: RunStatus, skippedBy?: string | null): void;
  stdout(cellId: CellId | null, text: string): void;
  stderr(cellId: CellId | null, text: string): void;
  display(cellId: CellId | null, bundle: MimeBundle, display?: DisplayExtras): void;
  /** `clearOutput()` in a cell (v1.1); observers that keep no outputs may ignore it. */
  clearOutput?(cellId: CellId | null, wait: boolean): void;
  /** A cell waits for input (v1.1): the client answers with `provide_input`. */
  inputRequest?(cellId: CellId | null, inputId: string, prompt: string, password: boolean): void;
  result(cellId: CellId | null, bundle: MimeBundle): void;
  error(cellId: CellId | null, info: ErrorInfo): void;
}

/** The record of a cell's latest run, kept by the kernel. */
export interface CellRunRecord {
  status: RunStatus;
  error: ErrorInfo | null;
  durationMs: number;
  /** Code that ran (to tell whether the cell changed since). */
  code: string;
  /** The lifecycle whose Skip completed the cell, or null. */
  skippedBy: string | null;
}

/** What the runner needs to know about a cell. */
export interface RunnableCell {
  readonly id: CellId;
  readonly label: string;
  readonly disabled: boolean;
  readonly compiled: CompiledCell | null;
  /** Static errors: syntax (from analysis) and graph errors. */
  staticErrors(): KernelkitError[];
  lastRun: CellRunRecord | null;
  stale: boolean;
  /** Names the cell's last run put in the scope. */
  ranDefs: readonly string[];
}

/** What a run asks about interrupts; the kernel's interrupt state answers (kernel/interrupt-state.ts). */
export interface RunInterrupts {
  /** An interrupt that stops the whole run (anything but a deadline) arrived since the run started. */
  readonly requested: boolean;
  /** The execution that just ended was interrupted (read without touching its signal). */
  readonly lastAborted: boolean;
  /** The error to report for an interrupted execution (a deadline says so); notes which kind it was. */
  errorFor(ctx: ExecutionContext, error: unknown): unknown;
  /** The interruption `errorFor` reported last was a deadline: it stops that cell, not the run. */
  readonly lastWasTimeout: boolean;
}

export interface RunnerHost {
  readonly graph: DataflowGraph;
  readonly scheduler: Scheduler;
  readonly evaluator: Evaluator;
  readonly hooks: KernelHooks;
  readonly scope: Scope;
  readonly logger: Logger;
  cell(id: CellId): RunnableCell | undefined;
  isGlobalRef(cell: RunnableCell, name: string): boolean;
  format(value: unknown): MimeBundle;
  /** Creates the context of one execution and marks it as the running one. */
  beginExecution(cell: CompiledCell, requestId: string | null, observer: RunObserver): ExecutionContext;
  endExecution(ctx: ExecutionContext): void;
  readonly interrupts: RunInterrupts;
  /**
   * What a failed cell cancels: its descendants (reactive), every later cell (sequential), or
   * nothing (sequential with --continue-on-error). Default: descendants.
   */
  afterFailure?(): "descendants" | "rest" | "continue";
  /** A cell that may define `name` but cannot run (a static error), by label, and why. */
  unparsedDefinerOf?(name: string, reader: CellId): { cell: string; reason: string } | null;
}

export function errorInfo(error: unknown): ErrorInfo {
  const cause = isKernelkitError(error) && error.code === "KK_RUNTIME" ? (error as Error).cause : error;
  const { name, message } = describeThrown(cause);
  let code: string | null = null;
  if (isKernelkitError(cause)) code = cause.code;
  else {
    // An executor's own error class may carry a kernelkit code (a Python NameError: KK_MISSING_REF).
    const own = (cause as { code?: unknown } | null)?.code;
    if (typeof own === "string" && own.startsWith("KK_")) code = own;
  }
  return { name, message, traceback: tracebackOf(error), code };
}

export function isInterruptError(error: unknown): boolean {
  if (isKernelkitError(error) && error.code === "KK_INTERRUPTED") return true;
  const cause = (error as { cause?: unknown })?.cause;
  return isKernelkitError(cause) && cause.code === "KK_INTERRUPTED";
}

export class CellRunner {
  constructor(private readonly host: RunnerHost) {}

  /** Runs `plan` (topologically ordered ids) once; never throws. */
  async run(plan: readonly CellId[], requestId: string | null, observer: RunObserver): Promise<RunSummary> {
    const { host } = this;
    const started = performance.now();
    const cells: Record<CellId, RunStatus> = {};
    let ok = true;
    let interrupted = false;
    let interruptedCell: string | null = null;

    const finish = (
      id: CellId,
      status: RunStatus,
      error: unknown,
      durationMs = 0,
      skippedBy: string | null = null,
    ) => {
      cells[id] = status;
      const cell = host.cell(id);
      const info = error == null ? null : errorInfo(error);
      if (cell) {
        cell.lastRun = { status, error: info, durationMs, code: cell.compiled?.code ?? "", skippedBy };
        cell.stale = status !== "success";
      }
      if (status !== "success" && status !== "disabled") ok = false;
      // Every cell of a run reports queued → running → idle once (docs/semantics.md), also one
      // that was settled without executing (cancelled, disabled, static error).
      if (!ranSet.has(id)) observer.status(id, "running");
      if (info) observer.error(id, info);
      observer.status(id, "idle", status, skippedBy);
    };
    const ranSet = new Set<CellId>();
    const policy = host.afterFailure?.() ?? "descendants";
    const cancelDescendants = (id: CellId, label: string, reason: string) => {
      if (policy === "continue") return;
      if (policy === "rest") {
        // Sequential mode: every later cell may need what the failed cell was to do.
        for (let d = host.scheduler.next(); d !== undefined; d = host.scheduler.next()) {
          finish(d, "cancelled", new CancelledError(label, reason, "earlier"));
        }
        return;
      }
      for (const d of host.scheduler.cancel(id)) {
        // A cancelled cell with a static error of its own (the other end of a cycle) reports that.
        const own = host.cell(d)?.staticErrors()[0];
        if (own) finish(d, "error", own);
        else finish(d, "cancelled", new CancelledError(label, reason));
      }
    };

    for (const id of plan) observer.status(id, "queued");
    host.scheduler.enqueue(plan);

    for (;;) {
      const id = host.scheduler.next();
      if (id === undefined) break;
      const cell = host.cell(id);
      if (!cell) {
        finish(id, "cancelled", new CancelledError(id, "was deleted"));
        continue;
      }
      if (cell.disabled) {
        finish(id, "disabled", null);
        for (const d of host.scheduler.cancel(id)) finish(d, "disabled", new DisabledError(cell.label));
        continue;
      }
      const statics = cell.staticErrors();
      if (statics.length > 0 || !cell.compiled) {
        finish(id, "error", statics[0] ?? new CancelledError(cell.label, "could not be compiled"));
        cancelDescendants(id, cell.label, "has an error");
        continue;
      }
      const compiled = cell.compiled;
      // Sequential cells may read what a star import or a later-defined global left: the
      // language itself reports a name that is missing when the cell runs.
      const missing = policy === "descendants" ? this.missingRef(cell, compiled) : null;
      if (missing) {
        if (missing.code === "KK_CANCELLED") {
          finish(id, "cancelled", missing);
          cancelDescendants(id, (missing as CancelledError).ancestor, "has an error");
        } else {
          finish(id, "exception", missing);
          cancelDescendants(id, cell.label, "raised an error");
        }
        continue;
      }

      ranSet.add(id);
      observer.status(id, "running");
      // Names the new code no longer defines disappear now; the others are replaced when the
      // cell succeeds (or removed below when it fails), which avoids churn on re-runs.
      if (cell.ranDefs !== compiled.defs && policy === "descendants") {
        for (const name of cell.ranDefs) if (!compiled.defs.includes(name)) host.scope.delete(name);
      }
      cell.ranDefs = compiled.defs;
      const t0 = performance.now();
      const ctx = host.beginExecution(compiled, requestId, observer);
      let result: RunResult;
      try {
        const pre = callSeries(host.hooks.preExecution, compiled);
        if (pre) await pre;
        result = await host.evaluator.evaluate(compiled, ctx);
        const post = callSeries(host.hooks.postExecution, compiled, result);
        if (post) await post;
      } catch (error) {
        result = { output: null, error };
      } finally {
        host.endExecution(ctx);
      }
      const duration = performance.now() - t0;

      const skippedBy = result.skippedBy ?? null;
      if (result.error == null) {
        // `undefined` means no output (no last expression, or its value was undefined).
        if (result.output !== undefined) observer.result(id, host.format(result.output));
        finish(id, "success", null, duration, skippedBy);
      } else if (host.interrupts.lastAborted || isInterruptError(result.error)) {
        finish(id, "interrupted", host.interrupts.errorFor(ctx, result.error), duration);
        if (host.interrupts.lastWasTimeout) {
          cancelDescendants(id, cell.label, "timed out");
        } else {
          interrupted = true;
          interruptedCell = cell.label;
          host.scheduler.interrupt();
          break;
        }
      } else {
        finish(id, "exception", result.error, duration, skippedBy);
        cancelDescendants(id, cell.label, "raised an error");
      }
      // Sequential mode keeps what earlier cells defined, as a Jupyter kernel does.
      if (cells[id] !== "success" && policy === "descendants")
        for (const name of compiled.defs) host.scope.delete(name);
      if (host.interrupts.requested) {
        interrupted = true;
        interruptedCell = cell.label;
        host.scheduler.interrupt();
        break;
      }
    }

    // Whatever is still queued after an interrupt is cancelled.
    for (const id of plan) {
      if (cells[id] === undefined) {
        interrupted = true;
        finish(id, "cancelled", new CancelledError(interruptedCell ?? "interrupt", "was interrupted"));
      }
    }
    host.scheduler.clear?.();

    const summary: RunSummary = {
      requestId,
      ok,
      interrupted,
      cells,
      durationMs: performance.now() - started,
    };
    if (host.hooks.runFinished.isUsed()) {
      try {
        await host.hooks.runFinished.promise(summary);
      } catch (error) {
        host.logger.error({ err: error }, "runFinished hook failed");
      }
    }
    return summary;
  }

  private missingRef(cell: RunnableCell, compiled: CompiledCell): KernelkitError | null {
    const { host } = this;
    for (const ref of compiled.refs) {
      if (host.scope.has(ref) || host.isGlobalRef(cell, ref)) continue;
      const definers = host.graph.definersOf(ref).filter((d) => d !== cell.id);
      if (definers.length === 0) {
        // The name may be one a cell that cannot be parsed was meant to define.
        const broken = host.unparsedDefinerOf?.(ref, cell.id) ?? null;
        if (broken !== null) return new CancelledError(broken.cell, broken.reason, "earlier");
      }
      const label = definers.length > 0 ? (host.cell(definers[0]!)?.label ?? definers[0]!) : null;
      return new MissingRefError(ref, label, refSite(compiled, cell.label, ref));
    }
    return null;
  }
}

/** The first line of the cell that reads `name` (a word match outside `#` comments). */
function refSite(compiled: CompiledCell, label: string, name: string): MissingRefSite | undefined {
  if (compiled.language !== "python") return undefined;
  const word = new RegExp(`(^|[^\\w.$])${name.replace(/[$]/g, "\\$")}(?![\\w$])`, "u");
  const lines = compiled.code.split("\n");
  let index = lines.findIndex((l) => word.test(l.replace(/#.*$/, "")));
  if (index === -1) index = 0;
  const file = compiled.path ? relative(process.cwd(), compiled.path) || basename(compiled.path) : "<cell>";
  return {
    language: compiled.language,
    file,
    cell: label,
    line: compiled.line + index,
    source: lines[index] ?? "",
  };
}
