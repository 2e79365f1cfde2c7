// The kernel: owns the notebook's cells, the graph, the scope, the hooks and the router.
import type { CellAnalysis, CellId, CellType, CompiledCell, Language } from "../contract/cell.ts";
import { diagnostics, type ErrorCode, InterruptedError } from "../contract/errors.ts";
import type { LanguageService } from "../contract/language-service.ts";
import type { Logger } from "../contract/logger.ts";
import type { MimeBundle } from "../contract/mime.ts";
import type {
  ExecutionContext,
  ExecutionLifecycle,
  Executor,
  InterruptOptions,
  KernelPlugin,
  KernelWarning,
  Scheduler,
  Scope,
} from "../contract/plugin.ts";
import type { Transport } from "../contract/transport.ts";
import { API_VERSION, PROTOCOL_VERSION, VERSION } from "../contract/version.ts";
import { CellRunner, errorInfo, isInterruptError, type RunObserver } from "../execution/cell-runner.ts";
import { Evaluator } from "../execution/evaluator.ts";
import { formatValue } from "../execution/format.ts";
import { createHooks, type HookError, type KernelHooks, type RunSummary } from "../execution/hooks.ts";
import { SequentialScheduler } from "../execution/scheduler.ts";
import { analyzeJsCell } from "../notebook/analysis.ts";
import { DataflowGraph } from "../notebook/graph.ts";
import type { Notebook } from "../notebook/notebook.ts";
import { TaskGroup } from "../runtime/async.ts";
import type { InterruptSource } from "../runtime/interrupt.ts";
import { createLogger } from "../runtime/logger.ts";
import { CellState } from "./cell-state.ts";
import { Execution, LazyAbortController } from "./execution-context.ts";
import { InterruptState } from "./interrupt-state.ts";
import { MapScope } from "./map-scope.ts";
import { RequestRouter } from "./router.ts";

/**
 * How a notebook runs (docs/modes.md): `reactive` follows the dataflow graph and its rules;
 * `sequential` runs cells top to bottom like a Jupyter kernel, where any cell may redefine a name.
 */
export type RunMode = "reactive" | "sequential";

export const RUN_MODES: readonly RunMode[] = ["reactive", "sequential"];

export interface KernelOptions {
  executor: Executor;
  lifecycles?: readonly ExecutionLifecycle[];
  /** A scheduler, or a factory given the kernel's graph. Default: SequentialScheduler. */
  scheduler?: Scheduler | ((graph: DataflowGraph) => Scheduler);
  plugins?: readonly KernelPlugin[];
  notebook?: Notebook | null;
  /** Folder cells run in; the notebook's folder by default. */
  cwd?: string;
  /** true (default): runs include descendants; false: descendants are marked stale. */
  autorun?: boolean;
  logger?: Logger;
  /** Where out-of-band interrupts (SIGINT, timeouts) come from. */
  interrupts?: InterruptSource | null;
  /** The config object the kernel was built from (passed to the `configured` hook). */
  config?: unknown;
  /** Warnings gathered while resolving plugins, reported with the kernel's own. */
  warnings?: readonly KernelWarning[];
  /** Language of cells when there is no notebook. */
  language?: Language;
  typescript?: boolean;
  /** `reactive` (default) or `sequential` (docs/modes.md). */
  mode?: RunMode;
  /** Sequential mode: an exception does not cancel the cells after it. */
  continueOnError?: boolean;
  /** Static answers to `complete`/`inspect` across cells (a runner wires @kernelkit/types in). */
  languageService?: LanguageService | null;
}

export interface CellInput {
  id: CellId;
  code: string;
  name?: string | null;
  type?: CellType;
  disabled?: boolean;
  /** 1-based line in the notebook file (0 when not from a file). */
  line?: number;
  metadata?: Record<string, unknown>;
}

export interface ExecuteOptions {
  silent?: boolean;
  /** Let the cell ask the client for input (v1.1); otherwise input()/prompt() get end of file. */
  allowStdin?: boolean;
  storeHistory?: boolean;
  timeoutMs?: number;
  requestId?: string | null;
}

export interface ExecuteOutcome {
  status: "ok" | "error";
  executionCount: number;
  cancelled: boolean;
}

export class Kernel {
  readonly hooks: KernelHooks;
  readonly router = new RequestRouter<any>();
  readonly graph = new DataflowGraph();
  readonly executor: Executor;
  readonly lifecycles: readonly ExecutionLifecycle[];
  readonly evaluator: Evaluator;
  readonly scheduler: Scheduler;
  readonly scope: Scope;
  readonly logger: Logger;
  readonly tasks: TaskGroup;
  readonly language: Language;
  readonly typescript: boolean;
  readonly notebookPath: string | null;
  readonly cwd: string;
  readonly autorun: boolean;
  /** Sequential mode: keep running the cells after one that failed (`--continue-on-error`). */
  continueOnError: boolean;
  readonly config: unknown;
  readonly interrupts: InterruptSource | null;
  readonly warnings: KernelWarning[] = [];
  readonly plugins: KernelPlugin[] = [];
  transport: Transport | null = null;
  readonly languageService: LanguageService | null;
  executionCount = 0;
  /** Set by teardownKernel; a torn-down kernel refuses new work. */
  closed = false;

  private readonly cellStates = new Map<CellId, CellState>();
  private readonly runner: CellRunner;
  /** The running execution, its deadline, the run and the last interrupt. */
  private readonly interruptState: InterruptState;
  private readonly inputNames = new Set<string>();
  private unsubscribeInterrupts: (() => void) | null = null;

  constructor(options: KernelOptions) {
    this.logger = options.logger ?? createLogger();
    this.hooks = createHooks((error: HookError) => this.warn(error.code, error.message));
    this.executor = options.executor;
    this.languageService = options.languageService ?? null;
    this.lifecycles = options.lifecycles ?? [];
    this.evaluator = new Evaluator(this.executor, this.lifecycles, this.logger);
    const sched = options.scheduler;
    this.scheduler = !sched
      ? new SequentialScheduler(this.graph)
      : typeof sched === "function"
        ? sched(this.graph)
        : sched;
    this.scope = this.executor.scope ?? new MapScope();
    this.tasks = new TaskGroup(this.logger);
    const nb = options.notebook ?? null;
    this.language = nb?.language ?? options.language ?? this.executor.language;
    this.typescript = nb?.typescript ?? options.typescript ?? true;
    this.notebookPath = nb?.path ?? null;
    this.cwd = options.cwd ?? process.cwd();
    this.autorun = options.autorun ?? true;
    this.currentMode = options.mode ?? "reactive";
    this.continueOnError = options.continueOnError ?? false;
    this.config = options.config;
    this.interrupts = options.interrupts ?? null;
    for (const w of options.warnings ?? []) this.warnings.push(w);
    this.interruptState = new InterruptState(this.interrupts, (reason) => this.interrupt(reason, "timeout"));
    this.runner = new CellRunner({
      graph: this.graph,
      scheduler: this.scheduler,
      evaluator: this.evaluator,
      hooks: this.hooks,
      scope: this.scope,
      logger: this.logger,
      cell: (id) => this.cellStates.get(id),
      isGlobalRef: (_cell, name) => this.inputNames.has(name),
      format: (value) => this.format(value),
      beginExecution: (cell, requestId, observer) => this.beginExecution(cell, requestId, observer),
      endExecution: (ctx) => this.endExecution(ctx),
      interrupts: this.interruptState,
      unparsedDefinerOf: (name, reader) => this.unparsedDefinerOf(name, reader),
      afterFailure: () =>
        this.mode === "reactive" ? "descendants" : this.continueOnError ? "continue" : "rest",
    });
    if (this.interrupts) {
      this.unsubscribeInterrupts = this.interrupts.subscribe((event) => {
        // A late notification must not hit a cell that started after the signal.
        const kind = event.kind === "timeout" ? "timeout" : "other";
        if (this.interruptState.concerns(event.generation, kind)) this.interrupt(event.reason, kind);
      });
    }
  }

  private currentMode: RunMode;

  /** `reactive` or `sequential` (docs/modes.md); a front end may change it before running cells. */
  get mode(): RunMode {
    return this.currentMode;
  }

  set mode(mode: RunMode) {
    if (mode === this.currentMode) return;
    this.currentMode = mode;
    // Static errors depend on the mode: cached ones are keyed by the graph's version.
    this.graph.version++;
  }

  /**
   * The nearest cell (earlier ones first) that may define `name` but cannot run: it failed
   * analysis and mentions `name`, or (reactive mode) it has a star import.
   */
  private unparsedDefinerOf(name: string, reader: CellId): { cell: string; reason: string } | null {
    let best: CellState | null = null;
    const at = this.graph.positionOf(reader);
    const word = new RegExp(`(^|[^\\w.$])${name.replace(/[$]/g, "\\$")}(?![\\w$])`, "mu");
    for (const c of this.cellStates.values()) {
      if (!c.isCode || c.id === reader) continue;
      const broken = c.analysis?.error ? word.test(c.code) : (c.analysis?.starImports?.length ?? 0) > 0;
      if (!broken) continue;
      const p = this.graph.positionOf(c.id);
      if (!best) best = c;
      else {
        const b = this.graph.positionOf(best.id);
        // Prefer the closest cell above the reader, else the closest below.
        const better = p < at ? b > at || p > b : b > at && p < b;
        if (better) best = c;
      }
    }
    if (!best) return null;
    const reason = best.analysis?.error
      ? `has an error (it mentions '${name}')`
      : `has a star import, which may define '${name}'`;
    return { cell: best.label, reason };
  }

  /** Records a warning (kept for `run --json`, logged on stderr). */
  warn(code: ErrorCode, message: string): void {
    this.warnings.push({ code, message });
    if (this.logWarnings) this.logger.warn({ code }, message);
  }

  /** Whether warn() also logs; a front end that prints `warnings` itself turns this off. */
  logWarnings = true;

  get implementation(): { name: string; version: string } {
    return { name: "kernelkit", version: VERSION };
  }

  info(): Record<string, unknown> {
    return {
      protocolVersion: PROTOCOL_VERSION,
      implementation: this.implementation,
      apiVersion: API_VERSION,
      executor: { name: this.executor.name },
      lifecycles: this.lifecycles.map((l) => l.name),
      scheduler: this.scheduler.name ?? "custom",
      language: this.language,
      mode: this.mode,
    };
  }

  format(value: unknown): MimeBundle {
    return formatValue(
      value,
      this.hooks.formatOutput.isUsed() ? (bundle, v) => this.hooks.formatOutput.call(bundle, v) : undefined,
    );
  }

  // ---- cells ----

  /** Cells in notebook order (all types). */
  cells(): CellState[] {
    return this.graph.ids().map((id) => this.cellStates.get(id)!);
  }

  cell(id: CellId): CellState | undefined {
    return this.cellStates.get(id);
  }

  /** Upserts cells (new ones appended in order); returns the ids whose code or state changed. */
  async setCells(inputs: readonly CellInput[], order?: readonly CellId[]): Promise<CellId[]> {
    const changed: CellId[] = [];
    for (const input of inputs) {
      const type = input.type ?? "code";
      const disabled = input.disabled ?? false;
      let state = this.cellStates.get(input.id);
      if (
        state &&
        state.code === input.code &&
        state.type === type &&
        state.disabled === disabled &&
        state.name === (input.name ?? state.name)
      ) {
        if (input.line !== undefined) state.line = input.line;
        continue;
      }
      if (!state) {
        state = new CellState(
          this,
          input.id,
          input.name ?? null,
          type,
          input.code,
          disabled,
          input.line ?? 0,
          input.metadata ?? {},
        );
        this.cellStates.set(input.id, state);
      } else {
        const enabledNow = state.disabled && !disabled;
        state.code = input.code;
        state.type = type;
        state.disabled = disabled;
        if (input.name !== undefined) state.name = input.name;
        if (input.line !== undefined) state.line = input.line;
        if (enabledNow) state.stale = true;
      }
      state.stale = true;
      await this.compile(state);
      const a = state.analysis;
      this.graph.upsert({
        id: state.id,
        defs: a?.defs ?? [],
        refs: a?.refs ?? [],
        globalRefs: a?.globalRefs ?? [],
        writes: a?.writes ?? [],
      });
      changed.push(state.id);
    }
    if (order) this.graph.setOrder(order);
    if (changed.length > 0 && this.hooks.cellsChanged.isUsed()) {
      this.hooks.cellsChanged.call(this.cells().flatMap((c) => (c.compiled ? [c.compiled] : [])));
    }
    return changed;
  }

  /** Loads every cell of a parsed notebook. */
  async loadNotebook(notebook: Notebook): Promise<void> {
    await this.setCells(
      notebook.cells.map((c) => ({
        id: c.id,
        code: c.code,
        name: c.name,
        type: c.type,
        disabled: c.disabled,
        line: c.line,
        metadata: { ...c.metadata },
      })),
    );
  }

  private async compile(state: CellState): Promise<void> {
    if (state.type !== "code") {
      state.analysis = null;
      state.compiled = null;
      return;
    }
    let analysis: CellAnalysis;
    if (this.language === "javascript") analysis = analyzeJsCell(state.code, this.typescript);
    else if (this.executor.analyze) analysis = await this.executor.analyze(state.code);
    else analysis = { defs: [], refs: [] };
    state.analysis = analysis;
    state.compiled = analysis.error
      ? null
      : {
          id: state.id,
          name: state.name,
          code: state.code,
          language: this.language,
          path: this.notebookPath,
          line: state.line > 0 ? state.line : 1,
          defs: analysis.defs,
          refs: analysis.refs,
          js: (analysis as { compiled?: CompiledCell["js"] }).compiled ?? null,
        };
  }

  /** Removes cells and their defs; returns the ids of their descendants (to re-run). */
  deleteCells(ids: readonly CellId[]): CellId[] {
    const present = ids.filter((id) => this.cellStates.has(id));
    const gone = new Set(present);
    const affected = [...this.graph.descendants(present)].filter((id) => !gone.has(id));
    for (const id of present) {
      const state = this.cellStates.get(id)!;
      for (const name of state.ranDefs) this.scope.delete(name);
      this.graph.remove(id);
      this.cellStates.delete(id);
    }
    for (const id of affected) {
      const s = this.cellStates.get(id);
      if (s) s.stale = true;
    }
    if (present.length > 0 && this.hooks.cellsChanged.isUsed()) {
      this.hooks.cellsChanged.call(this.cells().flatMap((c) => (c.compiled ? [c.compiled] : [])));
    }
    return this.graph.topologicalOrder(affected);
  }

  /** Graph summary as the `graph` frame carries it. */
  graphCells(): {
    id: string;
    name?: string;
    defs: string[];
    refs: string[];
    errors: { code: string; name: string; message: string }[];
  }[] {
    return this.cells().map((c) => {
      const errors = c.staticErrors().map((e) => ({ code: e.code, name: e.name, message: e.message }));
      const entry: {
        id: string;
        name?: string;
        defs: string[];
        refs: string[];
        errors: { code: string; name: string; message: string }[];
      } = {
        id: c.id,
        defs: [...(c.analysis?.defs ?? [])],
        refs: [...(c.analysis?.refs ?? [])],
        errors,
      };
      if (c.name !== null) entry.name = c.name;
      return entry;
    });
  }

  /** Which cells a run of `ids` covers (docs/semantics.md "Running"), in topological order. */
  planRun(ids: readonly CellId[]): CellId[] {
    for (const id of ids) if (!this.cellStates.has(id)) throw diagnostics.unknownCell(id);
    const requested = ids.filter((id) => this.cellStates.get(id)!.isCode);
    // Sequential mode runs what was asked, in notebook order, as a Jupyter front end does.
    if (this.mode === "sequential") {
      return [...new Set(requested)].sort((a, b) => this.graph.positionOf(a) - this.graph.positionOf(b));
    }
    const set = new Set(requested);
    const ancestors = this.graph.ancestors(requested);
    const staleAncestors: CellId[] = [];
    for (const a of ancestors) {
      const s = this.cellStates.get(a);
      if (s?.isCode && s.stale) {
        set.add(a);
        staleAncestors.push(a);
      }
    }
    // Ancestors downstream of a stale ancestor see new inputs too.
    for (const a of this.graph.descendants(staleAncestors)) if (ancestors.has(a)) set.add(a);
    if (this.autorun) {
      for (const d of this.graph.descendants(set)) if (this.cellStates.get(d)?.isCode) set.add(d);
    } else {
      for (const d of this.graph.descendants(set)) {
        const s = this.cellStates.get(d);
        if (s && !set.has(d)) s.stale = true;
      }
    }
    return this.graph.topologicalOrder(set);
  }

  async runCells(
    ids: readonly CellId[],
    requestId: string | null,
    observer: RunObserver,
  ): Promise<RunSummary> {
    return this.runPlan(this.planRun(ids), requestId, observer);
  }

  /** Runs every code cell once (what `kernelkit run` does). */
  async runAll(requestId: string | null, observer: RunObserver): Promise<RunSummary> {
    const ids = this.cells()
      .filter((c) => c.isCode)
      .map((c) => c.id);
    const plan = this.mode === "sequential" ? ids : this.graph.topologicalOrder(ids);
    return this.runPlan(plan, requestId, observer);
  }

  async runPlan(plan: CellId[], requestId: string | null, observer: RunObserver): Promise<RunSummary> {
    this.interruptState.runStarted();
    try {
      return await this.runner.run(plan, requestId, observer);
    } finally {
      this.interruptState.runEnded();
    }
  }

  /** Binds input values to names and runs the cells that read them. */
  async setInputs(
    values: Record<string, unknown>,
    requestId: string | null,
    observer: RunObserver,
  ): Promise<RunSummary> {
    const readers = new Set<CellId>();
    for (const name of Object.keys(values)) {
      this.inputNames.add(name);
      this.scope.set(name, values[name]);
      for (const id of this.graph.readersOf(name)) readers.add(id);
    }
    const direct = [...readers].filter((id) => this.cellStates.get(id)?.isCode);
    for (const id of direct) this.cellStates.get(id)!.stale = true;
    return this.runCells(direct, requestId, observer);
  }

  /** Scratch execution in the kernel's scope (the `execute` request). */
  async execute(code: string, options: ExecuteOptions, observer: RunObserver): Promise<ExecuteOutcome> {
    const silent = options.silent ?? false;
    const storeHistory = options.storeHistory ?? !silent;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    let analysis: CellAnalysis;
    if (this.language === "javascript") analysis = analyzeJsCell(code, this.typescript);
    else if (this.executor.analyze) analysis = await this.executor.analyze(code);
    else analysis = { defs: [], refs: [] };
    if (analysis.error) {
      const e = analysis.error;
      observer.error(null, {
        name: "SyntaxError",
        message: `${e.message} (line ${e.line}, column ${e.column})`,
        traceback: [`SyntaxError: ${e.message} (line ${e.line}, column ${e.column})`],
        code: "KK_SYNTAX",
      });
      return { status: "error", executionCount: count, cancelled: false };
    }
    const cell: CompiledCell = {
      id: `<execute ${count}>`,
      name: null,
      code,
      language: this.language,
      path: null,
      line: 1,
      defs: analysis.defs,
      refs: analysis.refs,
      js: (analysis as { compiled?: CompiledCell["js"] }).compiled ?? null,
      executionCount: count,
    };
    const ctx = this.beginExecution(cell, options.requestId ?? null, observer, options.timeoutMs);
    if (options.allowStdin === true) (ctx as Execution).allowStdin = true;
    let outcome: ExecuteOutcome;
    try {
      const result = await this.evaluator.evaluate(cell, ctx);
      if (result.error == null) {
        if (result.output !== undefined && !silent) observer.result(null, this.format(result.output));
        outcome = { status: "ok", executionCount: count, cancelled: false };
      } else {
        const interrupted = this.interruptState.aborting || isInterruptError(result.error);
        const error = interrupted ? this.interruptState.errorFor(ctx, result.error) : result.error;
        observer.error(null, errorInfo(error));
        outcome = { status: "error", executionCount: count, cancelled: interrupted };
      }
    } finally {
      this.endExecution(ctx);
    }
    return outcome;
  }

  // ---- executions and interrupts ----

  private beginExecution(
    cell: CompiledCell,
    requestId: string | null,
    observer: RunObserver,
    timeoutMs?: number,
  ): ExecutionContext {
    // Created on first use: an AbortController costs ~6 µs, a tenth of a trivial round trip,
    // and a synchronous cell that is never interrupted never looks at its signal.
    const controller = new LazyAbortController();
    const cellId = cell.executionCount !== undefined ? null : cell.id;
    const ctx = new Execution(
      cell.id,
      requestId,
      this.scope,
      controller,
      this.logger,
      observer,
      cellId,
      this,
    );
    this.interruptState.executionStarted(ctx, controller, timeoutMs, this.defaultTimeoutMs);
    return ctx;
  }

  /** Display ids shown so far: a display with a known id updates the earlier one. */
  private readonly displayIds = new Set<string>();
  /** Cells waiting for `provide_input`, by input id. */
  private readonly pendingInputs = new Map<string, (value: string | null) => void>();
  private inputSeq = 0;

  /** True when `displayId` was shown before (this display is an update); records it. */
  seenDisplay(displayId: string): boolean {
    if (this.displayIds.has(displayId)) return true;
    this.displayIds.add(displayId);
    return false;
  }

  /** A new input request: its id, and the answer (null: end of file, when the execution ends first). */
  awaitInput(): { inputId: string; answer: Promise<string | null> } {
    const inputId = `input-${++this.inputSeq}`;
    const answer = new Promise<string | null>((resolve) => this.pendingInputs.set(inputId, resolve));
    return { inputId, answer };
  }

  /** The client's answer to an input request; false when no cell waits for that id. */
  provideInput(inputId: string, value: string): boolean {
    const resolve = this.pendingInputs.get(inputId);
    if (!resolve) return false;
    this.pendingInputs.delete(inputId);
    resolve(value);
    return true;
  }

  private endExecution(ctx: ExecutionContext): void {
    // A cell that stopped waiting (interrupted) leaves no request behind.
    for (const resolve of this.pendingInputs.values()) resolve(null);
    this.pendingInputs.clear();
    this.interruptState.executionEnded(ctx);
  }

  /** A per-cell time limit (`kernelkit run --timeout`), or null. */
  defaultTimeoutMs: number | null = null;

  /**
   * `ctx.interrupt(reason, { afterMs })` of a running execution: stops that cell only (like a
   * deadline), at once or through the deadline timer, which also stops a synchronous loop.
   */
  interruptExecution(
    ctx: ExecutionContext,
    reason = "interrupted by a lifecycle",
    options: InterruptOptions = {},
  ): void {
    // An earlier deadline (--timeout, or an earlier call) wins.
    if (this.interruptState.deadline(ctx, reason, options.afterMs) === "now")
      this.interrupt(reason, "timeout");
  }

  /** Interrupts the running cell (if any) and cancels what is queued. */
  interrupt(reason = "execution was interrupted", kind: "timeout" | "other" = "other"): void {
    for (const resolve of this.pendingInputs.values()) resolve(null);
    this.pendingInputs.clear();
    // A deadline stops one execution; anything else stops the whole run.
    const { abort, stopsRun } = this.interruptState.interrupt(kind);
    if (abort) {
      abort.abort(new InterruptedError(reason));
      try {
        this.executor.interrupt?.();
      } catch (error) {
        this.logger.error({ err: error }, "executor.interrupt failed");
      }
    }
    if (stopsRun) this.scheduler.interrupt();
  }

  get busy(): boolean {
    return this.interruptState.busy;
  }

  /** Why the last interrupted execution stopped: a deadline, or anything else (signal, request). */
  get lastInterruptKind(): "timeout" | "other" | null {
    return this.interruptState.lastKind;
  }

  /** Releases what the kernel subscribed to (called by teardownKernel). */
  detach(): void {
    this.unsubscribeInterrupts?.();
    this.unsubscribeInterrupts = null;
  }
}
