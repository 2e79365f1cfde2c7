// Drives an executor the way a kernel does: analyse a cell (core's analysis for JavaScript,
// the executor's own `analyze` otherwise), build its ExecutionContext, execute, and interrupt
// with an aborted signal plus `executor.interrupt()`.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  API_VERSION,
  analyzeJsCell,
  type CellAnalysis,
  type CompiledCell,
  type ExecutionContext,
  type Executor,
  formatValue,
  InterruptedError,
  isMimeBundle,
  MapScope,
  type MimeBundle,
  type PluginContext,
  type Scope,
  silentLogger,
} from "@kernelkit/core";
import { ConformanceFailure, settle, show, within } from "./case.ts";
import {
  armInterrupter,
  callGuarded,
  type InterruptPlan,
  startIsolated,
  UnguardedInterrupt,
} from "./interrupter.ts";
import type { LanguageSamples } from "./samples.ts";

/** Builds the executor under test; called once per instance a case needs. */
export type ExecutorFactory = (ctx: PluginContext) => Executor | Promise<Executor>;

let folder: string | null = null;

/** A folder for the pretend notebook (it exists, so subprocess executors can start in it). */
export function conformanceFolder(): string {
  if (!folder) {
    const base = join(tmpdir(), "kernelkit-conformance");
    mkdirSync(base, { recursive: true });
    folder = mkdtempSync(join(base, "run-"));
  }
  return folder;
}

/** What an execution produced, as a user would see it. */
export interface Execution {
  ok: boolean;
  /** The value execute resolved with (when ok). */
  output: unknown;
  /** What execute rejected with (when not ok). */
  error: unknown;
  stdout: string;
  stderr: string;
  displays: MimeBundle[];
}

export interface RunOptions {
  /** Cell id (default: a fresh one). */
  id?: string;
  /** 1-based line of the cell in the pretend notebook (default 10). */
  line?: number;
}

export interface InterruptOptions extends RunOptions {
  /** Text the cell prints once it is running: the interrupt goes out when it is seen. */
  marker: string;
  plan?: InterruptPlan;
}

export interface InterruptedExecution extends Execution {
  /** The main thread had to be stopped from a side thread: the executor ignored the interrupt. */
  rescued: boolean;
  /** The marker was seen (the cell was running when the interrupt went out). */
  started: boolean;
  /** The execution did not settle within the grace after the interrupt. */
  timedOut: boolean;
}

/** The text/plain a user would see for an output value (mime bundles as they are). */
export function outputText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const bundle = isMimeBundle(value) ? value : formatValue(value);
  const text = bundle["text/plain"];
  return typeof text === "string" ? text : show(text);
}

/** One executor instance as the cases use it. */
export class ExecutorHarness {
  readonly scope: Scope;
  private serial = 0;
  private disposed = false;

  constructor(
    readonly executor: Executor,
    readonly samples: LanguageSamples,
    readonly notebookPath: string,
    private readonly timeoutMs: number,
  ) {
    this.scope = executor.scope ?? new MapScope();
  }

  static async create(
    factory: ExecutorFactory,
    samples: LanguageSamples,
    timeoutMs: number,
  ): Promise<ExecutorHarness> {
    const dir = conformanceFolder();
    const notebookPath = join(dir, `notebook${samples.extension}`);
    const ctx: PluginContext = {
      logger: silentLogger,
      cwd: dir,
      notebookPath,
      language: samples.language,
      apiVersion: API_VERSION,
    };
    const executor = await within(Promise.resolve(factory(ctx)), timeoutMs, "the executor factory");
    if (!executor || typeof executor.execute !== "function") {
      throw new ConformanceFailure(`the factory returned ${show(executor)}, not an executor with execute()`);
    }
    if (executor.language !== samples.language) {
      throw new ConformanceFailure(
        `the executor's language is ${show(executor.language)} but the samples are ${show(samples.language)}`,
        "Pass code samples for its language in the options (`samples`).",
      );
    }
    return new ExecutorHarness(executor, samples, notebookPath, timeoutMs);
  }

  /** Analyses code as the kernel does and builds the cell. */
  async compile(code: string, options: RunOptions = {}): Promise<CompiledCell> {
    let analysis: CellAnalysis;
    if (this.executor.language === "javascript")
      analysis = analyzeJsCell(code, this.samples.typescript ?? true);
    else if (this.executor.analyze)
      analysis = await within(Promise.resolve(this.executor.analyze(code)), this.timeoutMs, "analyze()");
    else analysis = { defs: [], refs: [] };
    if (analysis.error) {
      throw new ConformanceFailure(
        `the sample cell ${show(code)} does not analyse: ${analysis.error.message}`,
        "Check the code samples given in the options.",
      );
    }
    const id = options.id ?? `cell-${++this.serial}`;
    return {
      id,
      name: id,
      code,
      language: this.executor.language,
      path: this.notebookPath,
      line: options.line ?? 10,
      defs: analysis.defs,
      refs: analysis.refs,
      js: (analysis as { compiled?: CompiledCell["js"] }).compiled ?? null,
    };
  }

  /** An ExecutionContext whose output is collected. */
  context(cell: CompiledCell, onStdout?: (all: string) => void) {
    const controller = new AbortController();
    const out: string[] = [];
    const err: string[] = [];
    const displays: MimeBundle[] = [];
    let ended = false;
    const timers: ReturnType<typeof setTimeout>[] = [];
    // What a kernel does for ctx.interrupt: abort the signal, then ask the executor.
    const stop = (reason: string) => {
      if (ended || controller.signal.aborted) return;
      controller.abort(new InterruptedError(reason));
      this.executor.interrupt?.();
    };
    const ctx: ExecutionContext = {
      cellId: cell.id,
      requestId: "conformance",
      scope: this.scope,
      signal: controller.signal,
      stdout: (text) => {
        out.push(String(text));
        onStdout?.(out.join(""));
      },
      stderr: (text) => void err.push(String(text)),
      display: (value) => void displays.push(formatValue(value)),
      logger: silentLogger,
      interrupt: (reason = "interrupted by a lifecycle", options = {}) => {
        if (options.afterMs !== undefined && options.afterMs > 0)
          timers.push(setTimeout(() => stop(reason), options.afterMs));
        else stop(reason);
      },
    };
    return {
      ctx,
      controller,
      /** The execution is over: pending ctx.interrupt deadlines do nothing. */
      end: () => {
        ended = true;
        for (const t of timers) clearTimeout(t);
      },
      collected: () => ({ stdout: out.join(""), stderr: err.join(""), displays }),
    };
  }

  /**
   * Runs a cell as the kernel does: the defs of the cell's previous run (same id) are deleted
   * from the scope first. Never throws for what the cell did; throws a ConformanceFailure when
   * the execution does not settle.
   */
  async run(code: string, options: RunOptions = {}): Promise<Execution> {
    return this.runCell(await this.compile(code, options));
  }

  /** Executes an already compiled cell (see `run`). */
  async runCell(cell: CompiledCell): Promise<Execution> {
    const { ctx, collected, end } = this.context(cell);
    const r = await within(
      settle(Promise.resolve().then(() => this.executor.execute(cell, ctx))),
      this.timeoutMs,
      `executing ${show(cell.code)}`,
    ).finally(end);
    return r.ok
      ? { ok: true, output: r.value, error: null, ...collected() }
      : { ok: false, output: undefined, error: r.error, ...collected() };
  }

  /** Runs a cell that prints a marker and never ends by itself; interrupts it once the marker shows. */
  async runInterrupted(code: string, options: InterruptOptions): Promise<InterruptedExecution> {
    const cell = await this.compile(code, options);
    let interrupter: ReturnType<typeof armInterrupter> | null = null;
    let started = false;
    const { ctx, controller, collected } = this.context(cell, (all) => {
      if (!started && all.includes(options.marker)) {
        started = true;
        interrupter?.started();
      }
    });
    interrupter = armInterrupter(() => {
      // What a kernel does: abort the execution's signal, then ask the executor.
      controller.abort(new InterruptedError());
      this.executor.interrupt?.();
    }, options.plan);
    const plan = options.plan ?? {};
    const bound = (plan.startMs ?? 15_000) + (plan.graceMs ?? 5_000) + 2_000;
    try {
      const pending = startIsolated(() => callGuarded(() => this.executor.execute(cell, ctx)));
      const r = await settle(within(settle(pending), bound, "the interrupted execution"));
      interrupter.settled();
      const unguarded = r.ok && !r.value.ok && r.value.error instanceof UnguardedInterrupt;
      const rescued = interrupter.rescued || unguarded;
      if (!r.ok) {
        return {
          ok: false,
          output: undefined,
          error: r.error,
          rescued,
          started,
          timedOut: true,
          ...collected(),
        };
      }
      const e = r.value;
      return e.ok
        ? { ok: true, output: e.value, error: null, rescued, started, timedOut: false, ...collected() }
        : { ok: false, output: undefined, error: e.error, rescued, started, timedOut: false, ...collected() };
    } finally {
      interrupter.dispose();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await within(Promise.resolve(this.executor.dispose?.()), this.timeoutMs, "dispose()");
  }
}
