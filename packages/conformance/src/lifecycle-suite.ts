// The lifecycle contract (SEMANTICS.md "Evaluator contract", PLUGINS.md) as cases. The
// lifecycle under test runs inside core's Evaluator around a real executor, between probe
// lifecycles of the kit that photograph the state it may change (the scope, the working
// directory, the environment, the host's globals) when they set up and tear down.
import {
  API_VERSION,
  type CompiledCell,
  Evaluator,
  type ExecutionContext,
  type ExecutionLifecycle,
  InterruptedError,
  isCellRuntimeError,
  isInterruptError,
  isSkip,
  type PluginContext,
  type RunResult,
  silentLogger,
} from "@kernelkit/core";
import {
  type CaseContext,
  type ConformanceCase,
  type ConformanceSuite,
  check,
  NotApplicable,
  show,
  within,
} from "./case.ts";
import { describeError, randomInt, randomToken } from "./checks.ts";
import { conformanceFolder, type ExecutorFactory, ExecutorHarness, outputText } from "./executor-harness.ts";
import { armInterrupter, startIsolated } from "./interrupter.ts";
import { createReferenceExecutor } from "./reference-executor.ts";
import { javascriptSamples, type LanguageSamples } from "./samples.ts";

/** Builds the lifecycle under test; called once per instance a case needs. */
export type LifecycleFactory = (ctx: PluginContext) => ExecutionLifecycle | Promise<ExecutionLifecycle>;

/** A cell of the plugin's own that makes the lifecycle decide (docs/conformance-samples.md). */
export interface LifecycleCell {
  /** The cell's code, in the executor's language. */
  code: string;
  /** The cell's id and name (default: a fresh one), for lifecycles that decide by name. */
  id?: string;
  /** Cells run first through the same lifecycle instance (e.g. to fill a cache). */
  before?: readonly string[];
}

/**
 * Cells that drive a lifecycle's own decisions, so the kit reaches its Skip and failure
 * branches (a case without its cell is n/a, never passed).
 */
export interface LifecycleSamples {
  /** A cell the lifecycle skips: its setup returns a Skip, and the body does not run. */
  skip?: LifecycleCell;
  /** A cell the lifecycle fails: its setup throws, and the cell's error names the lifecycle. */
  fail?: LifecycleCell;
  /**
   * A cell that runs until the lifecycle stops it with `ctx.interrupt(reason)`; the cell's
   * error is an interrupt whose message contains `reason`.
   */
  interrupt?: LifecycleCell & { reason: string };
  /** Code samples of the executor's language when it is not JavaScript. */
  language?: LanguageSamples;
}

export interface LifecycleConformanceOptions {
  /** Cells that make the lifecycle skip, fail or interrupt (its own decisions). */
  cells?: LifecycleSamples;
  /** The executor cells run with (default: the kit's reference JS executor, which provides "shared-js-scope"). */
  executor?: ExecutorFactory;
  /** Code samples in that executor's language (default: JavaScript). */
  samples?: LanguageSamples;
  /** Bound of one evaluation (default 10 s). */
  executionTimeoutMs?: number;
  /** Bound of one case (default 60 s). */
  caseTimeoutMs?: number;
}

// ---- state photographs ----

interface Photo {
  scope: Map<string, unknown>;
  cwd: string;
  env: Record<string, string | undefined>;
  globals: Set<string>;
}

function photograph(h: ExecutorHarness): Photo {
  const scope = new Map<string, unknown>();
  for (const name of h.scope.names()) scope.set(name, h.scope.get(name));
  return {
    scope,
    cwd: process.cwd(),
    env: { ...process.env },
    globals: new Set(Object.getOwnPropertyNames(globalThis)),
  };
}

/** What differs between two photographs, except names the cell defines. */
function differences(before: Photo, after: Photo, defs: readonly string[]): string[] {
  const out: string[] = [];
  const own = new Set(defs);
  for (const [name, value] of before.scope) {
    if (own.has(name)) continue;
    if (!after.scope.has(name)) out.push(`scope name '${name}' was removed`);
    else if (after.scope.get(name) !== value)
      out.push(`scope name '${name}' now holds ${show(after.scope.get(name))} instead of ${show(value)}`);
  }
  for (const name of after.scope.keys())
    if (!own.has(name) && !before.scope.has(name)) out.push(`scope name '${name}' was added`);
  if (before.cwd !== after.cwd) out.push(`the working directory changed from ${before.cwd} to ${after.cwd}`);
  const keys = new Set([...Object.keys(before.env), ...Object.keys(after.env)]);
  for (const k of keys)
    if (before.env[k] !== after.env[k])
      out.push(`process.env.${k} changed from ${show(before.env[k])} to ${show(after.env[k])}`);
  for (const g of after.globals) if (!before.globals.has(g)) out.push(`global '${g}' was added`);
  for (const g of before.globals) if (!after.globals.has(g)) out.push(`global '${g}' was removed`);
  return out;
}

// ---- spies and probes ----

/** Counts the executor's executions (a skipped cell's body must not run). */
function countExecutions(exec: ExecutorHarness): { count: number } {
  const counter = { count: 0 };
  const execute = exec.executor.execute.bind(exec.executor);
  exec.executor.execute = (cell, c) => {
    counter.count++;
    return execute(cell, c);
  };
  return counter;
}

interface Calls {
  log: string[];
  setupReturns: unknown[];
  threw: { phase: "setup" | "teardown"; error: unknown }[];
}

/** The lifecycle as the evaluator sees it, recording what it returns and throws. */
function spy(lc: ExecutionLifecycle, label: string, calls: Calls): ExecutionLifecycle {
  const out: { -readonly [K in keyof ExecutionLifecycle]: ExecutionLifecycle[K] } = { name: lc.name };
  if (lc.requires) out.requires = lc.requires;
  if (lc.setup) {
    out.setup = async (cell, ctx) => {
      calls.log.push(`setup:${label}`);
      try {
        const r = await lc.setup!(cell, ctx);
        calls.setupReturns.push(r);
        return r;
      } catch (error) {
        calls.threw.push({ phase: "setup", error });
        throw error;
      }
    };
  }
  if (lc.teardown) {
    out.teardown = async (cell, ctx, result) => {
      calls.log.push(`teardown:${label}`);
      try {
        await lc.teardown!(cell, ctx, result);
      } catch (error) {
        calls.threw.push({ phase: "teardown", error });
        throw error;
      } finally {
        calls.log.push(`teardown-done:${label}`);
      }
    };
  }
  return out;
}

interface Probe extends ExecutionLifecycle {
  atSetup: Photo | null;
  atTeardown: Photo | null;
}

function probe(name: string, h: ExecutorHarness, calls: Calls, throwInSetup?: unknown): Probe {
  const p: Probe = {
    name,
    atSetup: null,
    atTeardown: null,
    setup() {
      calls.log.push(`setup:${name}`);
      p.atSetup = photograph(h);
      if (throwInSetup !== undefined) throw throwInSetup;
    },
    teardown() {
      calls.log.push(`teardown:${name}`);
      p.atTeardown = photograph(h);
    },
  };
  return p;
}

// ---- the harness ----

interface Evaluation {
  cell: CompiledCell;
  result: RunResult;
  stdout: string;
  before: Photo;
}

class LifecycleHarness {
  private readonly ranDefs = new Map<string, readonly string[]>();
  constructor(
    readonly exec: ExecutorHarness,
    readonly samples: LanguageSamples,
    private readonly timeoutMs: number,
  ) {}

  /** Evaluates a cell through `lifecycles` as the kernel's runner does (previous defs of the id deleted first). */
  async evaluate(
    code: string,
    lifecycles: readonly ExecutionLifecycle[],
    options: { id?: string; interruptMarker?: string } = {},
  ): Promise<Evaluation> {
    const cell = await this.exec.compile(code, options.id ? { id: options.id } : {});
    for (const name of this.ranDefs.get(cell.id) ?? []) this.exec.scope.delete(name);
    this.ranDefs.set(cell.id, cell.defs);
    const before = photograph(this.exec);
    const evaluator = new Evaluator(this.exec.executor, lifecycles, silentLogger);
    const marker = options.interruptMarker;
    let interrupter: ReturnType<typeof armInterrupter> | null = null;
    let seen = false;
    const { ctx, controller, collected, end } = this.exec.context(cell, (all) => {
      if (marker && !seen && all.includes(marker)) {
        seen = true;
        interrupter?.started();
      }
    });
    if (marker) {
      interrupter = armInterrupter(() => {
        controller.abort(new InterruptedError());
        this.exec.executor.interrupt?.();
      });
    }
    try {
      const result = await within(
        startIsolated(() => evaluator.evaluate(cell, ctx as ExecutionContext)),
        this.timeoutMs,
        `evaluating ${show(code)}`,
      );
      // As a kernel reports it: an interrupted cell's error is the interrupt's reason.
      const reason = controller.signal.reason;
      if (controller.signal.aborted && isInterruptError(result.error) && isInterruptError(reason))
        result.error = reason;
      return { cell, result, stdout: collected().stdout, before };
    } finally {
      end();
      interrupter?.dispose();
    }
  }
}

function expectHealthy(e: Evaluation, calls: Calls, what: string): void {
  const thrown = calls.threw[calls.threw.length - 1];
  check(
    e.result.error == null,
    () =>
      thrown
        ? `${what}: the lifecycle's ${thrown.phase} threw ${describeError(thrown.error)} on a healthy cell`
        : `${what}: the result has the error ${describeError(e.result.error)}`,
    "setup and teardown must not throw for a cell that runs fine.",
  );
}

function expectText(e: Evaluation, text: string, what: string): void {
  const got = outputText(e.result.output);
  check(
    got === text,
    () => `${what}: expected the output ${show(text)}, got ${got === undefined ? "no output" : show(got)}`,
  );
}

/** The lifecycle cases for `factory`, independent of any test runner. */
export function lifecycleSuite(
  plugin: string,
  factory: LifecycleFactory,
  options: LifecycleConformanceOptions = {},
): ConformanceSuite {
  const samples = options.samples ?? options.cells?.language ?? javascriptSamples;
  const own = options.cells ?? {};
  const executionMs = options.executionTimeoutMs ?? 10_000;
  const executorFactory = options.executor ?? createReferenceExecutor;
  const s = samples;

  const lifecycle = async (): Promise<ExecutionLifecycle> => {
    const dir = conformanceFolder();
    const ctx: PluginContext = {
      logger: silentLogger,
      cwd: dir,
      notebookPath: null,
      language: samples.language,
      apiVersion: API_VERSION,
    };
    const lc = await within(Promise.resolve(factory(ctx)), executionMs, "the lifecycle factory");
    check(
      lc && typeof lc === "object" && typeof lc.name === "string" && lc.name !== "",
      () => `the factory returned ${show(lc)}, not a lifecycle with a name`,
    );
    return lc;
  };
  const open = async (ctx: CaseContext) => {
    const exec = await ExecutorHarness.create(executorFactory, samples, executionMs);
    ctx.defer(() => exec.dispose());
    const lc = await lifecycle();
    ctx.defer(() => lc.dispose?.());
    const provides = new Set(exec.executor.provides ?? []);
    const missing = (lc.requires ?? []).filter((r) => !provides.has(r));
    check(
      missing.length === 0,
      () =>
        `the lifecycle requires ${show(missing)}, which the executor '${exec.executor.name}' does not provide`,
      "Pass an executor that provides it in the options (`executor`).",
    );
    const calls: Calls = { log: [], setupReturns: [], threw: [] };
    return {
      h: new LifecycleHarness(exec, samples, executionMs),
      exec,
      lc,
      calls,
      spied: spy(lc, "lifecycle", calls),
    };
  };

  const cases: ConformanceCase[] = [
    // ---- tier 1: basic contract ----
    {
      tier: 1,
      name: "healthy cells keep their outputs, prints and defs through the lifecycle, also when run again",
      async run(ctx) {
        const { h, calls, spied } = await open(ctx);
        const a = randomInt();
        const b = randomInt();
        const token = randomToken("kk-print");
        for (const pass of [1, 2]) {
          const ea = await h.evaluate(s.define("kk_x", a), [spied], { id: "define" });
          expectHealthy(ea, calls, `pass ${pass}, the cell defining kk_x`);
          check(
            ea.result.output === undefined,
            () => `pass ${pass}: a cell without output came out with ${show(ea.result.output)}`,
          );
          check(
            h.exec.scope.has("kk_x"),
            () => `pass ${pass}: after the cell defining kk_x, kk_x is not in the scope`,
            "A lifecycle that skips a cell must put the cell's defs back (the kernel deleted them before the run).",
          );
          const eb = await h.evaluate(s.add("kk_x", b), [spied], { id: "use" });
          expectHealthy(eb, calls, `pass ${pass}, the cell reading kk_x`);
          expectText(eb, s.intText(a + b), `pass ${pass}, the cell reading kk_x`);
          const ec = await h.evaluate(s.print(token), [spied], { id: "print" });
          expectHealthy(ec, calls, `pass ${pass}, the printing cell`);
          if (pass === 1)
            check(
              ec.stdout.includes(token),
              () => `the cell's print did not reach its context (stdout ${show(ec.stdout)})`,
            );
        }
      },
    },
    {
      tier: 1,
      name: "setup returns nothing or a Skip from @kernelkit/core",
      async run(ctx) {
        const { h, calls, spied } = await open(ctx);
        // Each cell twice: a lifecycle may answer differently the second time (a cache).
        const y = randomInt();
        for (let pass = 0; pass < 2; pass++) {
          await h.evaluate(s.define("kk_y", y), [spied], { id: "y" });
          await h.evaluate(s.read("kk_y"), [spied], { id: "read" });
        }
        await h.evaluate(s.define("kk_y", y + 1), [spied], { id: "y" });
        for (const r of calls.setupReturns) {
          check(
            r === undefined || isSkip(r),
            () =>
              `setup returned ${show(r)}, which is neither undefined nor a Skip: the evaluator ignores it`,
            "Return `new Skip(result)` (a class from @kernelkit/core) to skip the body.",
          );
          if (isSkip(r) && r.result) {
            check(
              typeof r.result === "object" && "output" in r.result && "error" in r.result,
              () => `setup returned a Skip whose result is ${show(r.result)}, not {output, error}`,
            );
          }
        }
      },
    },

    {
      tier: 1,
      id: "own-skip",
      name: "skips the cell its samples say it skips: setup returns a Skip and the body does not run",
      async run(ctx) {
        if (!own.skip) throw new NotApplicable("the lifecycle's samples give no cell it skips (cells.skip)");
        const { h, exec, calls, spied } = await open(ctx);
        const ran = countExecutions(exec);
        for (const code of own.skip.before ?? []) await h.evaluate(code, [spied]);
        const before = ran.count;
        calls.setupReturns.length = 0;
        const e = await h.evaluate(own.skip.code, [spied], own.skip.id ? { id: own.skip.id } : {});
        check(
          calls.setupReturns.some((r) => isSkip(r)),
          () => `setup returned ${show(calls.setupReturns)} for the cell it should skip, not a Skip`,
          "Return `new Skip(result)` from setup for this cell.",
        );
        check(ran.count === before, "the cell's body ran although setup returned a Skip");
        void e;
      },
    },

    // ---- tier 2: errors ----
    {
      tier: 2,
      id: "own-fail",
      name: "fails the cell its samples say it fails, with an error that names the lifecycle",
      async run(ctx) {
        if (!own.fail) throw new NotApplicable("the lifecycle's samples give no cell it fails (cells.fail)");
        const { h, lc, spied } = await open(ctx);
        for (const code of own.fail.before ?? []) await h.evaluate(code, [spied]);
        const e = await h.evaluate(own.fail.code, [spied], own.fail.id ? { id: own.fail.id } : {});
        check(
          e.result.error != null,
          () => `the cell came out without an error (output ${show(outputText(e.result.output))})`,
          "Throw from setup to fail the cell.",
        );
        const text = describeError(e.result.error);
        check(
          text.includes(lc.name),
          () => `the cell's error does not name the lifecycle '${lc.name}': ${text}`,
        );
      },
    },
    {
      tier: 2,
      name: "a cell's error passes through the lifecycle unchanged",
      async run(ctx) {
        const { h, exec, calls, spied } = await open(ctx);
        const thrown: unknown[] = [];
        const execute = exec.executor.execute.bind(exec.executor);
        exec.executor.execute = (cell, c) =>
          execute(cell, c).catch((error: unknown) => {
            thrown.push(error);
            throw error;
          });
        const token = randomToken("kk-raise");
        const e = await h.evaluate(s.raise(token), [spied]);
        const own = calls.threw[0];
        check(
          !own,
          () => `the lifecycle's ${own?.phase} threw ${describeError(own?.error)} for a cell that raised`,
        );
        check(
          e.result.error != null,
          () =>
            `the cell raised, but the result has no error (output ${show(e.result.output)}): the lifecycle swallowed it`,
        );
        if (thrown.length > 0) {
          check(
            e.result.error === thrown[0],
            () => `the result's error is ${describeError(e.result.error)}, not the error the executor raised`,
            "Leave result.error alone in teardown.",
          );
        } else {
          check(
            isCellRuntimeError(e.result.error),
            () =>
              `the result's error is ${describeError(e.result.error)}; the lifecycle skipped the body and invented an error`,
          );
        }
      },
    },
    {
      tier: 2,
      name: "when a later lifecycle's setup throws, this one's teardown restores and keeps that error",
      async run(ctx) {
        const { h, calls, spied } = await open(ctx);
        await h.evaluate(s.define("kk_kept", randomInt()), [spied], { id: "kept" });
        const failure = new Error("kk-setup-failure");
        const after = probe("kk-failing-setup", h.exec, calls, failure);
        const e = await h.evaluate(s.define("kk_new", 1), [spied, after]);
        const skipped = calls.setupReturns.some((r) => isSkip(r));
        // Core names the failing lifecycle: its LifecycleError has the thrown error as cause.
        const error = e.result.error as { cause?: unknown } | null;
        if (!skipped) {
          check(
            error === failure || error?.cause === failure,
            () =>
              `the result's error is ${describeError(e.result.error)}, not the failure of the lifecycle after it (its teardown replaced or dropped it)`,
          );
        }
        const diff = differences(e.before, photograph(h.exec), e.cell.defs);
        check(
          diff.length === 0,
          () => `after the failed setup, the state was not restored: ${diff.join("; ")}`,
        );
      },
    },
    {
      tier: 2,
      name: "after a failing cell the next cells run normally",
      async run(ctx) {
        const { h, calls, spied } = await open(ctx);
        const a = randomInt();
        await h.evaluate(s.define("kk_base", a), [spied], { id: "base" });
        await h.evaluate(s.raise(randomToken("kk-fail")), [spied], { id: "fail" });
        const e = await h.evaluate(s.add("kk_base", 1), [spied], { id: "next" });
        expectHealthy(e, calls, "the cell after the failure");
        expectText(e, s.intText(a + 1), "the cell after the failure");
      },
    },

    // ---- tier 3: async and interrupt ----
    {
      tier: 3,
      name: "async cells keep their output through the lifecycle",
      async run(ctx) {
        const { h, calls, spied } = await open(ctx);
        const a = randomInt();
        const e = await h.evaluate(s.asyncAdd(a, 2, 20), [spied]);
        expectHealthy(e, calls, "the async cell");
        expectText(e, s.intText(a + 2), "the async cell");
      },
    },
    {
      tier: 3,
      name: "an interrupted cell keeps the interrupt as its error and the state is restored",
      async run(ctx) {
        const { h, calls, spied } = await open(ctx);
        await h.evaluate(s.define("kk_before", randomInt()), [spied], { id: "before" });
        const marker = randomToken("kk-waiting");
        const e = await h.evaluate(s.waitForever(marker), [spied], { interruptMarker: marker });
        const own = calls.threw.find((t) => t.phase === "teardown");
        check(
          !own,
          () => `the lifecycle's teardown threw ${describeError(own?.error)} for an interrupted cell`,
        );
        check(
          isInterruptError(e.result.error),
          () =>
            `the interrupted cell's result has the error ${describeError(e.result.error)}, not the interrupt`,
        );
        const diff = differences(e.before, photograph(h.exec), e.cell.defs);
        check(
          diff.length === 0,
          () => `after the interrupted cell, the state was not restored: ${diff.join("; ")}`,
        );
      },
    },

    {
      tier: 3,
      id: "own-interrupt",
      name: "stops the running cell its samples give with ctx.interrupt(reason)",
      async run(ctx) {
        if (!own.interrupt)
          throw new NotApplicable("the lifecycle's samples give no cell it interrupts (cells.interrupt)");
        const { h, spied } = await open(ctx);
        for (const code of own.interrupt.before ?? []) await h.evaluate(code, [spied]);
        const e = await h.evaluate(
          own.interrupt.code,
          [spied],
          own.interrupt.id ? { id: own.interrupt.id } : {},
        );
        check(
          isInterruptError(e.result.error),
          () => `the cell's result has the error ${describeError(e.result.error)}, not an interrupt`,
          "Call ctx.interrupt(reason) (with { afterMs } to stop a synchronous loop).",
        );
        const message = String((e.result.error as Error).message);
        check(
          message.includes(own.interrupt.reason),
          () =>
            `the interrupt's message ${show(message)} does not carry the reason ${show(own.interrupt!.reason)}`,
        );
      },
    },

    // ---- tier 4: isolation, ordering and disposal ----
    {
      tier: 4,
      name: "restores what it changed: the scope besides the cell's defs, the cwd, the environment, globals",
      async run(ctx) {
        const { h, spied } = await open(ctx);
        await h.evaluate(s.define("kk_one", randomInt()), [spied], { id: "one" });
        await new Promise((r) => setTimeout(r, 30));
        for (const code of [s.define("kk_two", randomInt()), s.add("kk_one", 1), s.raise("kk-oops")]) {
          const e = await h.evaluate(code, [spied]);
          await new Promise((r) => setTimeout(r, 30));
          const diff = differences(e.before, photograph(h.exec), e.cell.defs);
          check(
            diff.length === 0,
            () => `after the cell ${show(code)}, the lifecycle left changes behind: ${diff.join("; ")}`,
            "Undo in teardown whatever setup changed.",
          );
        }
      },
    },
    {
      tier: 4,
      name: "tears down in order: its teardown has finished before outer lifecycles tear down",
      async run(ctx) {
        const { h, calls, spied } = await open(ctx);
        await h.evaluate(s.define("kk_in", randomInt()), [spied], { id: "in" });
        const outer = probe("kk-outer", h.exec, calls);
        const inner = probe("kk-inner", h.exec, calls);
        calls.log.length = 0;
        const e = await h.evaluate(s.add("kk_in", 1), [outer, spied, inner]);
        const log = calls.log.join(" ");
        const lcDone = calls.log.indexOf("teardown-done:lifecycle");
        const outerAt = calls.log.indexOf("teardown:kk-outer");
        check(
          outerAt === -1 || lcDone === -1 || lcDone < outerAt,
          () => `the outer lifecycle tore down before this one finished: ${log}`,
        );
        check(outer.atSetup && outer.atTeardown, () => `the outer probe did not run both phases: ${log}`);
        const diff = differences(outer.atSetup!, outer.atTeardown!, e.cell.defs);
        check(
          diff.length === 0,
          () => `when the outer lifecycle tore down, this one had not restored yet: ${diff.join("; ")}`,
          "Restore before teardown returns (or before its promise resolves), not later.",
        );
      },
    },
    {
      tier: 4,
      name: "two instances stacked around one cell each restore their own state",
      async run(ctx) {
        const { h, calls, spied } = await open(ctx);
        const second = await lifecycle();
        ctx.defer(() => second.dispose?.());
        const both = [spied, spy(second, "second", calls)];
        const a = randomInt();
        await h.evaluate(s.define("kk_s", a), both, { id: "s" });
        const outer = probe("kk-outer", h.exec, calls);
        const e = await h.evaluate(s.add("kk_s", 3), [outer, ...both]);
        expectHealthy(e, calls, "the cell under two instances");
        expectText(e, s.intText(a + 3), "the cell under two instances");
        const diff = differences(outer.atSetup!, outer.atTeardown!, e.cell.defs);
        check(diff.length === 0, () => `two stacked instances left changes behind: ${diff.join("; ")}`);
        const again = await h.evaluate(s.add("kk_s", 4), both);
        expectText(again, s.intText(a + 4), "the next cell under two instances");
      },
    },
    {
      tier: 4,
      name: "dispose is idempotent",
      async run(ctx) {
        const { h, lc, spied } = await open(ctx);
        await h.evaluate(s.define("kk_d", 1), [spied]);
        for (const n of [1, 2]) {
          try {
            await lc.dispose?.();
          } catch (error) {
            check(false, () => `dispose() call ${n} threw ${describeError(error)}`);
          }
        }
      },
    },
  ];
  return {
    kind: "lifecycle",
    plugin,
    // The lifecycle's own decisions are certified when it gives the cells that make it decide;
    // a decision its cells leave out is then n/a.
    cases: options.cells ? cases : cases.filter((c) => !c.id?.startsWith("own-")),
    timeoutMs: options.caseTimeoutMs ?? 60_000,
  };
}
