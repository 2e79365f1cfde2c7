// The executor contract (PLUGINS.md, SEMANTICS.md) as cases, in tiers. Every case runs fresh
// executor instances from the author's factory and checks what a notebook user would see.
import { basename } from "node:path";
import { isKernelkitError } from "@kernelkit/core";
import {
  type CaseContext,
  type ConformanceCase,
  type ConformanceSuite,
  check,
  markNotApplicable,
  NotApplicable,
  show,
} from "./case.ts";
import {
  describeError,
  expectInterrupted,
  expectOutput,
  expectRuntimeError,
  randomInt,
  randomToken,
} from "./checks.ts";
import { type ExecutorFactory, ExecutorHarness, outputText } from "./executor-harness.ts";
import type { InterruptPlan } from "./interrupter.ts";
import { javascriptSamples, type LanguageSamples } from "./samples.ts";

export interface ExecutorConformanceOptions {
  /** Code samples in the executor's language (default: JavaScript). */
  samples?: LanguageSamples;
  /** Bound of one execution (default 10 s). */
  executionTimeoutMs?: number;
  /** Bound of one case (default 60 s). */
  caseTimeoutMs?: number;
  /** How long an interrupted cell may take to stop (default 5 s). */
  interruptGraceMs?: number;
}

/** The executor cases for `factory`, independent of any test runner. */
export function executorSuite(
  plugin: string,
  factory: ExecutorFactory,
  options: ExecutorConformanceOptions = {},
): ConformanceSuite {
  const samples = options.samples ?? javascriptSamples;
  const executionMs = options.executionTimeoutMs ?? 10_000;
  const plan: InterruptPlan = { graceMs: options.interruptGraceMs ?? 5_000, startMs: executionMs };
  const open = async (ctx: CaseContext): Promise<ExecutorHarness> => {
    const h = await ExecutorHarness.create(factory, samples, executionMs);
    ctx.defer(() => h.dispose());
    return h;
  };
  const s = samples;

  const cases: ConformanceCase[] = [
    // ---- tier 1: basic contract ----
    {
      tier: 1,
      id: "output",
      name: "the output is the value of the cell's last expression",
      async run(ctx) {
        const h = await open(ctx);
        for (const [a, b] of [
          [randomInt(), randomInt()],
          [randomInt(), randomInt()],
        ] as const) {
          expectOutput(await h.run(s.add(a, b)), s.intText(a + b), `the cell ${show(s.add(a, b))}`);
        }
      },
    },
    {
      tier: 1,
      id: "no-output",
      name: "a cell without a last expression has no output",
      async run(ctx) {
        const h = await open(ctx);
        const e = await h.run(s.define("kk_quiet", randomInt()));
        check(e.ok, () => `a definition cell rejected with ${describeError(e.error)}`);
        check(
          e.output === undefined,
          () =>
            `a cell without a last expression resolved with ${show(e.output)}; it must resolve with undefined`,
          "Resolve with undefined when the cell has no output, so the kernel sends no result frame.",
        );
      },
    },
    {
      tier: 1,
      id: "defs",
      name: "names a cell defines are in the scope and visible to later cells",
      async run(ctx) {
        const h = await open(ctx);
        const a = randomInt();
        const b = randomInt();
        const def = await h.run(s.define("kk_alpha", a));
        check(def.ok, () => `defining kk_alpha rejected with ${describeError(def.error)}`);
        check(
          h.scope.has("kk_alpha"),
          "after a cell defined kk_alpha, scope.has('kk_alpha') is false: the kernel would report every cell that reads it as missing a ref",
          "Write the cell's defs to the scope (executor.scope, or ctx.scope when the executor has none).",
        );
        expectOutput(await h.run(s.add("kk_alpha", b)), s.intText(a + b), "a later cell reading kk_alpha");
      },
    },
    {
      tier: 1,
      id: "redefine",
      name: "re-running a cell with new code replaces its names, and deleted names are gone",
      async run(ctx) {
        const h = await open(ctx);
        const first = randomInt();
        const second = first + randomInt(1, 50);
        await h.run(s.define("kk_beta", first), { id: "beta" });
        expectOutput(await h.run(s.read("kk_beta")), s.intText(first), "reading kk_beta");
        // The kernel deletes the previous run's defs before re-running a cell.
        h.scope.delete("kk_beta");
        await h.run(s.define("kk_beta", second), { id: "beta" });
        expectOutput(await h.run(s.read("kk_beta")), s.intText(second), "reading kk_beta after the re-run");
        h.scope.delete("kk_beta");
        check(!h.scope.has("kk_beta"), "scope.has('kk_beta') is still true after scope.delete('kk_beta')");
        const gone = await h.run(s.read("kk_beta"));
        check(
          !gone.ok,
          () =>
            `after scope.delete('kk_beta') a cell still reads it (output ${show(outputText(gone.output))}): a removed definition must disappear`,
        );
      },
    },
    {
      tier: 1,
      id: "streams",
      name: "stdout and stderr reach the execution's context, each on its own stream",
      async run(ctx) {
        const h = await open(ctx);
        const out = randomToken("kk-out");
        const err = randomToken("kk-err");
        const e1 = await h.run(s.print(out));
        check(e1.ok, () => `printing rejected with ${describeError(e1.error)}`);
        check(
          e1.stdout.includes(out),
          () => `ctx.stdout received ${show(e1.stdout)}; expected it to contain ${show(out)}`,
        );
        const e2 = await h.run(s.printErr(err));
        check(e2.ok, () => `printing to stderr rejected with ${describeError(e2.error)}`);
        check(
          e2.stderr.includes(err),
          () => `ctx.stderr received ${show(e2.stderr)}; expected it to contain ${show(err)}`,
        );
        check(
          !e2.stdout.includes(err),
          () => `text written to stderr arrived on ctx.stdout: ${show(e2.stdout)}`,
        );
      },
    },
    {
      tier: 1,
      id: "display",
      name: "display() adds an output while the cell runs",
      async run(ctx) {
        const h = await open(ctx);
        const token = randomToken("kk-display");
        if (!s.display) throw new NotApplicable("the code samples give no display() cell");
        const e = await h.run(s.display(token));
        check(e.ok, () => `displaying rejected with ${describeError(e.error)}`);
        check(
          e.displays.some((b) => String(b["text/plain"]).includes(token)),
          () =>
            `ctx.display received ${show(e.displays)}; expected a bundle whose text/plain contains ${show(token)}`,
        );
      },
    },

    // ---- tier 2: errors ----
    {
      tier: 2,
      id: "error",
      name: "a user error rejects with a CellRuntimeError whose cause is the user's error",
      async run(ctx) {
        const h = await open(ctx);
        const token = randomToken("kk-boom");
        expectRuntimeError(await h.run(s.raise(token)), s.errorName, token, "a cell that raises");
      },
    },
    {
      tier: 2,
      id: "traceback",
      name: "the traceback shows the user's frames at notebook lines, and none of the executor's",
      async run(ctx) {
        const h = await open(ctx);
        const token = randomToken("kk-deep");
        const { code, line } = s.raiseInFunction("kk_thrower", token);
        const cellLine = 20;
        const e = await h.run(code, { line: cellLine });
        const { traceback } = expectRuntimeError(e, s.errorName, token, "a cell whose function raises");
        const file = basename(h.notebookPath);
        const text = traceback.join("\n");
        check(
          text.includes("kk_thrower"),
          () => `the traceback does not name the user's function kk_thrower: ${show(traceback)}`,
        );
        const frames = traceback.slice(1).filter((l) => /^\s*at\s|^\s*File "/.test(l));
        const foreign = frames.filter((l) => !l.includes(file));
        check(
          foreign.length === 0,
          () => `the traceback shows frames that are not the user's: ${show(foreign)}`,
          "Remove the executor's own frames (core's userTraceback with a frame mapper does this).",
        );
        const notebookLine = cellLine + line - 1;
        const at = new RegExp(
          `${file.replace(/\./g, "\\.")}(:${notebookLine}\\b|"?, line ${notebookLine}\\b)`,
        );
        check(
          at.test(text),
          () =>
            `the traceback does not point at ${file} line ${notebookLine} (the cell starts on line ${cellLine}): ${show(traceback)}`,
          "Map frames to the notebook's own lines (cell.path, cell.line).",
        );
      },
    },
    {
      tier: 2,
      id: "undefined-name",
      name: "reading an undefined name fails with the language's own error",
      async run(ctx) {
        const h = await open(ctx);
        const e = await h.run(s.read("kk_never_defined"));
        expectRuntimeError(e, s.undefinedNameError, "kk_never_defined", "a cell reading an undefined name");
      },
    },
    {
      tier: 2,
      id: "after-error",
      name: "after an error the executor keeps its names and runs the next cell",
      async run(ctx) {
        const h = await open(ctx);
        const a = randomInt();
        await h.run(s.define("kk_before", a));
        const token = randomToken("kk-fail");
        expectRuntimeError(await h.run(s.raise(token)), s.errorName, token, "a cell that raises");
        expectOutput(await h.run(s.add("kk_before", 1)), s.intText(a + 1), "the cell after the error");
      },
    },

    // ---- tier 3: async and interrupt ----
    {
      tier: 3,
      id: "async-output",
      name: "an async cell resolves with its awaited output, after it finished",
      async run(ctx) {
        const h = await open(ctx);
        const a = randomInt();
        const b = randomInt();
        expectOutput(await h.run(s.asyncAdd(a, b, 30)), s.intText(a + b), "a cell that awaits");
        const late = randomToken("kk-late");
        const e = await h.run(s.asyncPrint(late, 30));
        check(e.ok, () => `a cell printing after an await rejected with ${describeError(e.error)}`);
        check(
          e.stdout.includes(late),
          () =>
            `execute resolved before the cell's text after its await was written (stdout ${show(e.stdout)})`,
          "Resolve only when the cell's async body completed.",
        );
      },
    },
    {
      tier: 3,
      id: "async-error",
      name: "an error raised after an await is a CellRuntimeError with the user's error as cause",
      async run(ctx) {
        const h = await open(ctx);
        const token = randomToken("kk-async-boom");
        expectRuntimeError(
          await h.run(s.asyncRaise(token)),
          s.errorName,
          token,
          "a cell raising after an await",
        );
      },
    },
    {
      tier: 3,
      id: "interrupt-wait",
      name: "interrupt stops a cell that waits forever",
      async run(ctx) {
        const h = await open(ctx);
        const marker = randomToken("kk-waiting");
        const e = await h.runInterrupted(s.waitForever(marker), { marker, plan });
        check(e.started, () => `the cell never wrote its marker to ctx.stdout (stdout ${show(e.stdout)})`);
        check(
          !e.timedOut,
          () =>
            `the waiting cell was interrupted but execute did not settle within ${plan.graceMs} ms: the interrupt was ignored`,
          "Honour executor.interrupt() and ctx.signal: reject the running execution with InterruptedError.",
        );
        expectInterrupted(e, "the interrupted waiting cell");
      },
    },
    {
      tier: 3,
      id: "interrupt-busy",
      name: "interrupt stops a synchronous busy loop",
      async run(ctx) {
        const h = await open(ctx);
        const marker = randomToken("kk-spinning");
        const e = await h.runInterrupted(s.busyLoop(marker), { marker, plan });
        check(e.started, () => `the cell never wrote its marker to ctx.stdout (stdout ${show(e.stdout)})`);
        check(
          !e.rescued,
          "the busy loop ignored the interrupt (ctx.signal, executor.interrupt() and SIGINT) and had to be stopped from outside",
          "Run user code so that it can be stopped: vm's breakOnSigint, a worker you terminate, or a subprocess you signal.",
        );
        check(
          !e.timedOut,
          () => `the busy loop was interrupted but execute did not settle within ${plan.graceMs} ms`,
          "Reject the running execution with InterruptedError once it is stopped.",
        );
        expectInterrupted(e, "the interrupted busy loop");
      },
    },
    {
      tier: 3,
      id: "after-interrupt",
      name: "after an interrupt the executor keeps its data and runs the next cell",
      async run(ctx) {
        const h = await open(ctx);
        const a = randomInt();
        await h.run(s.define("kk_kept", a));
        const marker = randomToken("kk-spin");
        const e = await h.runInterrupted(s.busyLoop(marker), { marker, plan });
        check(!e.rescued && !e.timedOut, "the busy loop was not stopped by the interrupt");
        expectInterrupted(e, "the interrupted busy loop");
        expectOutput(await h.run(s.add("kk_kept", 1)), s.intText(a + 1), "the cell after the interrupt");
      },
    },
    {
      tier: 3,
      id: "idle-interrupt",
      name: "an interrupt while idle does not affect the next cell",
      async run(ctx) {
        const h = await open(ctx);
        h.executor.interrupt?.();
        const a = randomInt();
        expectOutput(await h.run(s.asyncAdd(a, 1, 20)), s.intText(a + 1), "the cell after an idle interrupt");
      },
    },

    // ---- tier 4: isolation and disposal ----
    {
      tier: 4,
      id: "isolation",
      name: "two instances do not share names",
      async run(ctx) {
        const one = await open(ctx);
        const two = await open(ctx);
        await one.run(s.define("kk_private", randomInt()));
        check(
          !two.scope.has("kk_private"),
          "a name defined in one instance is in the other instance's scope: instances leak state",
          "Keep each instance's names in its own context/process, not in module-level state.",
        );
        const e = await two.run(s.read("kk_private"));
        check(
          !e.ok,
          () =>
            `a cell in a second instance read kk_private, defined only in the first (output ${show(outputText(e.output))}): instances leak state`,
          "Keep each instance's names in its own context/process, not in module-level state.",
        );
      },
    },
    {
      tier: 4,
      id: "concurrent-output",
      name: "concurrent executions in two instances keep their output apart",
      async run(ctx) {
        const one = await open(ctx);
        const two = await open(ctx);
        const a = randomToken("kk-from-one");
        const b = randomToken("kk-from-two");
        const [ea, eb] = await Promise.all([one.run(s.asyncPrint(a, 40)), two.run(s.asyncPrint(b, 10))]);
        check(ea.ok && eb.ok, () => `a concurrent cell rejected: ${describeError(ea.error ?? eb.error)}`);
        check(
          ea.stdout.includes(a) && !ea.stdout.includes(b),
          () => `the first instance's context received ${show(ea.stdout)}; expected only ${show(a)}`,
        );
        check(
          eb.stdout.includes(b) && !eb.stdout.includes(a),
          () => `the second instance's context received ${show(eb.stdout)}; expected only ${show(b)}`,
        );
      },
    },
    {
      tier: 4,
      id: "dispose-idempotent",
      name: "dispose is idempotent",
      async run(ctx) {
        const h = await open(ctx);
        await h.run(s.define("kk_d", 1));
        for (const n of [1, 2]) {
          try {
            await h.executor.dispose?.();
          } catch (error) {
            check(false, () => `dispose() call ${n} threw ${describeError(error)}`);
          }
        }
      },
    },
    {
      tier: 4,
      id: "execute-after-dispose",
      name: "execute after dispose rejects with a coded error",
      async run(ctx) {
        const h = await open(ctx);
        await h.run(s.define("kk_e", 1));
        const cell = await h.compile(s.add(1, 2));
        await h.executor.dispose?.();
        if (!h.executor.dispose) return;
        const e = await h.runCell(cell);
        check(
          !e.ok,
          () =>
            `execute after dispose() resolved with ${show(outputText(e.output))}; a disposed executor must refuse work`,
        );
        check(
          isKernelkitError(e.error),
          () =>
            `execute after dispose() rejected with ${describeError(e.error)}, not a coded kernelkit error`,
          "Reject with a KernelkitError carrying a KK_ code and a hint.",
        );
      },
    },
    {
      tier: 4,
      id: "dispose-one",
      name: "disposing one instance leaves another working",
      async run(ctx) {
        const one = await open(ctx);
        const two = await open(ctx);
        const a = randomInt();
        await two.run(s.define("kk_survivor", a));
        await one.dispose();
        expectOutput(
          await two.run(s.add("kk_survivor", 1)),
          s.intText(a + 1),
          "the other instance's next cell",
        );
        const out = randomToken("kk-still");
        const e = await two.run(s.print(out));
        check(
          e.stdout.includes(out),
          () => `after another instance was disposed, output went missing (stdout ${show(e.stdout)})`,
        );
      },
    },
  ];
  return {
    kind: "executor",
    plugin,
    cases: markNotApplicable(cases, samples.notApplicable),
    timeoutMs: options.caseTimeoutMs ?? 60_000,
  };
}
