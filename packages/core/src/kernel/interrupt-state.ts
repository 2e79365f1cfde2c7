// What the kernel knows about interrupts, in one place: the running execution and its deadline,
// whether a run of cells is going and was interrupted, and what the last interrupt was (a
// deadline stops one cell; anything else stops the run). The cell runner reads it through
// `RunInterrupts`; the kernel acts on what it says (aborting the execution, the executor, the
// scheduler).
import { InterruptedError, isKernelkitError } from "../contract/errors.ts";
import type { ExecutionContext } from "../contract/plugin.ts";
import { isInterruptError, type RunInterrupts } from "../execution/cell-runner.ts";
import type { InterruptSource } from "../runtime/interrupt.ts";
import type { LazyAbortController } from "./execution-context.ts";

/** A deadline (`timeoutMs`, `--timeout`, `ctx.interrupt`) or anything else (SIGINT, a request). */
export type InterruptKind = "timeout" | "other";

/** The execution that is running, and how to stop it. */
interface RunningExecution {
  ctx: ExecutionContext;
  controller: LazyAbortController;
  /** The interrupt source's generation when it started: an older signal is not for it. */
  generation: number;
  timer: ReturnType<typeof setTimeout> | null;
  /** When the armed deadline fires (epoch ms), or null. */
  deadlineAt: number | null;
}

export class InterruptState implements RunInterrupts {
  private running: RunningExecution | null = null;
  private runActive = false;
  private runInterrupted = false;
  /** The kind of the interrupt that arrived during the running execution. */
  private pendingKind: InterruptKind | null = null;
  /** The kind of the interrupt `errorFor` reported last (null before any). */
  lastKind: InterruptKind | null = null;
  private endedAborted = false;

  /**
   * `source`: out-of-band interrupts (SIGINT, deadlines on its timer thread), or null. `onDeadline`
   * interrupts the running execution when a deadline armed without that timer passes.
   */
  constructor(
    private readonly source: InterruptSource | null,
    private readonly onDeadline: (reason: string) => void,
  ) {}

  /** An execution runs, or a run of cells is going. */
  get busy(): boolean {
    return this.running !== null || this.runActive;
  }

  /** Whether the running execution is being interrupted. */
  get aborting(): boolean {
    return this.running?.controller.aborted ?? false;
  }

  get requested(): boolean {
    return this.runInterrupted;
  }

  get lastAborted(): boolean {
    return this.endedAborted;
  }

  get lastWasTimeout(): boolean {
    return this.lastKind === "timeout";
  }

  /** A run of cells starts or ends: until it ends, an interrupt that is not a deadline stops it. */
  runStarted(): void {
    this.runActive = true;
    this.runInterrupted = false;
  }

  runEnded(): void {
    this.runActive = false;
    this.runInterrupted = false;
  }

  /**
   * An execution starts, with a deadline after `timeoutMs` (its own) or else after
   * `defaultTimeoutMs` (the kernel's `--timeout`), when either is set.
   */
  executionStarted(
    ctx: ExecutionContext,
    controller: LazyAbortController,
    timeoutMs: number | undefined,
    defaultTimeoutMs: number | null,
  ): void {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let deadlineAt: number | null = null;
    this.source?.takeReason?.();
    this.pendingKind = null;
    const own = timeoutMs !== undefined && timeoutMs >= 0;
    const limit = own ? timeoutMs : defaultTimeoutMs;
    if (limit !== null) {
      deadlineAt = Date.now() + limit;
      const message = own
        ? `execution timed out after ${timeoutMs} ms`
        : `cell ran longer than --timeout ${defaultTimeoutMs} ms`;
      if (this.source?.armDeadline) this.source.armDeadline(limit, message);
      else timer = setTimeout(() => this.onDeadline(message), limit);
    }
    this.running = { ctx, controller, generation: this.source?.generation() ?? 0, timer, deadlineAt };
  }

  /** The execution ended; remembers whether it was interrupted (`lastAborted`). */
  executionEnded(ctx: ExecutionContext): void {
    const r = this.running;
    if (!r || r.ctx !== ctx) return;
    this.endedAborted = r.controller.aborted;
    if (r.timer) clearTimeout(r.timer);
    this.source?.disarmDeadline?.();
    this.running = null;
  }

  /**
   * An out-of-band interrupt of `kind` and `generation` arrived: whether the kernel should act on
   * it (a late one must not hit an execution that started after the signal).
   */
  concerns(generation: number, kind: InterruptKind): boolean {
    if (this.running) return this.running.generation < generation;
    return this.runActive && kind === "other";
  }

  /**
   * `ctx.interrupt(reason, { afterMs })`: arms a deadline for the running execution `ctx`
   * unless an earlier one is armed. Returns "now" when it should stop at once, "later" when a
   * deadline will stop it, null when `ctx` is not running.
   */
  deadline(ctx: ExecutionContext, reason: string, afterMs: number | undefined): "now" | "later" | null {
    const r = this.running;
    if (!r || r.ctx !== ctx) return null;
    if (afterMs === undefined || afterMs <= 0) return "now";
    const at = Date.now() + afterMs;
    if (r.deadlineAt !== null && r.deadlineAt <= at) return "later";
    r.deadlineAt = at;
    if (this.source?.armDeadline) this.source.armDeadline(afterMs, reason);
    else {
      if (r.timer) clearTimeout(r.timer);
      r.timer = setTimeout(() => this.onDeadline(reason), afterMs);
    }
    return "later";
  }

  /**
   * An interrupt of `kind` is happening: records it, and returns the running execution's
   * controller to abort (null when nothing runs or it is already aborted) and whether the whole
   * run stops (anything but a deadline, during a run).
   */
  interrupt(kind: InterruptKind): { abort: LazyAbortController | null; stopsRun: boolean } {
    this.pendingKind = kind;
    const stopsRun = this.runActive && kind === "other";
    if (stopsRun) this.runInterrupted = true;
    const r = this.running;
    return { abort: r && !r.controller.aborted ? r.controller : null, stopsRun };
  }

  errorFor(ctx: ExecutionContext, error: unknown): unknown {
    const reason = this.source?.takeReason?.() ?? null;
    if (reason && reason !== "signal") {
      this.lastKind = "timeout";
      return new InterruptedError(reason);
    }
    this.lastKind = this.pendingKind === "timeout" ? "timeout" : "other";
    if (ctx.signal.aborted && isKernelkitError(ctx.signal.reason)) return ctx.signal.reason;
    return isInterruptError(error) ? error : new InterruptedError();
  }
}
