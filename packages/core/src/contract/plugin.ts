// The interfaces plugins implement and the context they receive. Changing them changes
// API_VERSION by semver.
// A plugin receives the kernel itself (webpack's `apply(compiler)`): the one reference upward.
import type { Kernel } from "../kernel/kernel.ts";
import type { CellAnalysis, CellId, CompiledCell, Language } from "./cell.ts";
import type { ErrorCode } from "./errors.ts";
import type { CodeQuery, CompletionReply, InspectReply, IsCompleteReply } from "./language-service.ts";
import type { Logger } from "./logger.ts";

/** Names shared between cells. */
export interface Scope {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  delete(name: string): void;
  has(name: string): boolean;
  names(): Iterable<string>;
}

/** One per cell execution. */
export interface DisplayOptions {
  /** Names the display so a later `display(…, {displayId})` updates it in place. */
  displayId?: string;
  /** Show it in the front-end's pager (Jupyter's `page` payload) instead of among the outputs. */
  page?: boolean;
}

export interface ExecutionContext {
  readonly cellId: CellId;
  readonly requestId: string | null;
  /** The notebook's names, owned by the executor. */
  readonly scope: Scope;
  /** Aborted when the execution is interrupted. */
  readonly signal: AbortSignal;
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * An extra output while the cell runs: a mime bundle (see `mimeBundle`) or any value to format.
   * With a `displayId`, a later display with the same id replaces this one (docs/protocol.md v1.1).
   */
  display(bundleOrValue: unknown, options?: DisplayOptions): void;
  /** Clears the cell's outputs so far (`wait`: when the next output arrives). */
  clearOutput?(wait?: boolean): void;
  /**
   * Asks the client for a line of input (Python `input()`, JS `prompt()`): resolves with it, or
   * with null (end of file) when the request did not allow stdin.
   */
  input?(prompt: string, options?: { password?: boolean }): Promise<string | null>;
  readonly logger: Logger;
  /**
   * Stops this execution: the cell ends with status `interrupted` and an error whose message is
   * `reason`; its descendants are cancelled and the rest of the run goes on. With `afterMs` it
   * arms a deadline instead (a timer on another thread, so it also stops a synchronous loop); a
   * deadline armed after the execution ended does nothing. For lifecycles (docs/plugins/lifecycle.md).
   */
  interrupt(reason?: string, options?: InterruptOptions): void;
}

export interface InterruptOptions {
  /** Interrupt this many milliseconds from now rather than at once. */
  afterMs?: number;
}

export interface Executor {
  readonly name: string;
  /** "javascript" (JS and TS cells), "python", … */
  readonly language: Language;
  /** Capabilities lifecycles may require, e.g. "shared-js-scope". */
  readonly provides?: readonly string[];
  /** The scope cells share. When absent the kernel keeps a plain map. */
  readonly scope?: Scope;
  /** Runs one cell; resolves with the output value (or a `mimeBundle`), rejects with the error. */
  execute(cell: CompiledCell, ctx: ExecutionContext): Promise<unknown>;
  /** Non-JS languages: defs, refs and syntax errors of a cell. */
  analyze?(code: string): CellAnalysis | Promise<CellAnalysis>;
  /**
   * Protocol v1.1 code queries from live values (docs/types.md). Called also while a cell
   * runs: an executor answers without running user code, or orders the answer after the cell.
   */
  complete?(query: CodeQuery): CompletionReply | null | Promise<CompletionReply | null>;
  inspect?(query: CodeQuery): InspectReply | null | Promise<InspectReply | null>;
  isComplete?(code: string): IsCompleteReply | Promise<IsCompleteReply>;
  /** Stops the running cell; its `execute` then rejects (see `InterruptedError`). */
  interrupt?(): void;
  dispose?(): void | Promise<void>;
}

/**
 * What a cell's evaluation produced. A lifecycle's teardown may replace it by returning a
 * new RunResult (docs/plugins/lifecycle.md): e.g. fail a cell that succeeded, or clear an error.
 */
export interface RunResult {
  output: unknown;
  error: unknown | null;
  /** Set by the evaluator: the name of the lifecycle whose Skip completed the cell, else absent/null. */
  skippedBy?: string | null;
}

export interface ExecutionLifecycle {
  readonly name: string;
  /** Capabilities the executor must provide, checked at startup. */
  readonly requires?: readonly string[];
  setup?(cell: CompiledCell, ctx: ExecutionContext): void | Skip | Promise<void | Skip>;
  /** Returning a RunResult replaces the cell's result (outer lifecycles see the new one). */
  teardown?(
    cell: CompiledCell,
    ctx: ExecutionContext,
    result: RunResult,
  ): void | RunResult | Promise<void | RunResult>;
  dispose?(): void | Promise<void>;
}

/** Brands a Skip across copies of core (Symbol.for is shared by every realm and package copy). */
export const SKIP_BRAND: unique symbol = Symbol.for("kernelkit:Skip") as never;

/** Returned by a lifecycle's setup to skip the body; its result becomes the cell's result. */
export class Skip {
  readonly [SKIP_BRAND] = true;
  constructor(readonly result?: RunResult) {}
}

export function isSkip(value: unknown): value is Skip {
  return (
    typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SKIP_BRAND] === true
  );
}

/** Owns the queue and cancellation. */
export interface Scheduler {
  /** Shown as `kernel_info_reply.scheduler` ("custom" when absent). */
  readonly name?: string;
  /** Cells in topological order; clears an interrupt. */
  enqueue(cellIds: readonly CellId[]): void;
  /** The next cell, or undefined when empty or interrupted. */
  next(): CellId | undefined;
  /** Cancels the queued descendants of a cell (transitive closure); returns those it cancelled. */
  cancel(cellId: CellId): ReadonlySet<CellId>;
  isCancelled(cellId: CellId): boolean;
  interrupt(): void;
  /** Queued cells not yet returned by next() (optional; used to report what an interrupt cancelled). */
  pending?(): readonly CellId[];
  /**
   * Optional: drops everything queued. The kernel calls it at the end of every run, once the
   * cells an interrupt left queued were reported as cancelled, so none of them runs later.
   */
  clear?(): void;
}

/** What every plugin factory receives besides its options. */
export interface PluginContext {
  readonly logger: Logger;
  /** The folder cells run in (the notebook's folder). */
  readonly cwd: string;
  readonly notebookPath: string | null;
  readonly language: Language;
  readonly apiVersion: string;
}

/** What a scheduler may read of the notebook's dataflow graph (core's DataflowGraph implements it). */
export interface GraphView {
  has(id: CellId): boolean;
  /** Cell ids in notebook order. */
  ids(): readonly CellId[];
  defsOf(id: CellId): readonly string[];
  positionOf(id: CellId): number;
  definersOf(name: string): CellId[];
  readersOf(name: string): CellId[];
  parents(id: CellId): Set<CellId>;
  children(id: CellId): Set<CellId>;
  descendants(ids: Iterable<CellId>): Set<CellId>;
  ancestors(ids: Iterable<CellId>): Set<CellId>;
  topologicalOrder(ids?: Iterable<CellId>): CellId[];
}

export type SchedulerFactory = (options: unknown, ctx: PluginContext & { graph: GraphView }) => Scheduler;

/** The general plugin form: taps hooks, registers commands, adds formatters (webpack style). */
export interface KernelPlugin {
  readonly name: string;
  apply(kernel: Kernel): void | Promise<void>;
}

export interface KernelWarning {
  code: ErrorCode;
  message: string;
}
