// The scheduler contract (docs/plugins.md, docs/semantics.md "Running") as cases: first in, first out;
// cancelling a cell cancels its queued descendants, transitively; interrupts; isolation.
import { DataflowGraph, type Scheduler } from "@kernelkit/core";
import { type ConformanceCase, type ConformanceSuite, check, show, within } from "./case.ts";
import { describeError } from "./checks.ts";

/** Builds the scheduler under test for a graph (SchedulerFactory's `ctx.graph`). */
export type SchedulerUnderTestFactory = (graph: DataflowGraph) => Scheduler | Promise<Scheduler>;

export interface SchedulerConformanceOptions {
  /** Bound of one case (default 10 s). */
  caseTimeoutMs?: number;
}

/** Cells by defs and refs: `{ b: ["a"] }` means b reads what a defines. */
function graphOf(cells: Record<string, readonly string[]>): DataflowGraph {
  const g = new DataflowGraph();
  for (const [id, parents] of Object.entries(cells)) {
    g.upsert({ id, defs: [`v_${id}`], refs: parents.map((p) => `v_${p}`) });
  }
  return g;
}

/**   a → b → c,  a → d,  e → f,  g (alone) */
const DIAMONDLESS = { a: [], b: ["a"], c: ["b"], d: ["a"], e: [], f: ["e"], g: [] };

/** Pops until undefined (bounded, so a scheduler that never ends fails instead of hanging). */
function drain(s: Scheduler, limit = 1000): string[] {
  const out: string[] = [];
  for (let i = 0; i < limit; i++) {
    const id = s.next();
    if (id === undefined) return out;
    out.push(id);
  }
  throw new Error(
    `next() returned ${limit} cells without ever returning undefined: ${show(out.slice(0, 20))}`,
  );
}

function sameSet(got: ReadonlySet<string> | unknown, want: string[], what: string): void {
  check(
    got instanceof Set || (got !== null && typeof got === "object" && Symbol.iterator in (got as object)),
    () => `${what}: cancel() returned ${show(got)}, not a set of cell ids`,
  );
  const g = [...(got as Iterable<string>)].sort();
  check(
    show(g) === show([...want].sort()),
    () => `${what}: expected ${show([...want].sort())}, got ${show(g)}`,
  );
}

export function schedulerSuite(
  plugin: string,
  factory: SchedulerUnderTestFactory,
  options: SchedulerConformanceOptions = {},
): ConformanceSuite {
  const make = async (cells: Record<string, readonly string[]> = DIAMONDLESS) => {
    const s = await within(Promise.resolve(factory(graphOf(cells))), 5_000, "the scheduler factory");
    for (const m of ["enqueue", "next", "cancel", "isCancelled", "interrupt"] as const) {
      check(
        typeof (s as unknown as Record<string, unknown>)?.[m] === "function",
        () => `the scheduler has no ${m}()`,
      );
    }
    return s;
  };

  const cases: ConformanceCase[] = [
    // ---- tier 1: basic contract ----
    {
      tier: 1,
      name: "next() returns enqueued cells first in, first out, then undefined",
      async run() {
        const s = await make();
        s.enqueue(["a", "b", "e", "c", "g"]);
        const got = drain(s);
        check(
          show(got) === show(["a", "b", "e", "c", "g"]),
          () => `next() gave ${show(got)} for the queue a, b, e, c, g`,
        );
        check(s.next() === undefined, "next() on an empty queue did not return undefined");
      },
    },
    {
      tier: 1,
      name: "a later enqueue runs after what is already queued, each cell once",
      async run() {
        const s = await make();
        s.enqueue(["a", "b"]);
        const first = s.next();
        s.enqueue(["e", "f"]);
        const rest = drain(s);
        const all = [first, ...rest];
        check(
          show(all) === show(["a", "b", "e", "f"]),
          () => `next() gave ${show(all)}; expected a, b, e, f`,
        );
        s.enqueue(["g"]);
        check(s.next() === "g", "after the queue ran empty, a new enqueue was not returned by next()");
      },
    },

    // ---- tier 2: errors (cancellation of a failed cell's descendants) ----
    {
      tier: 2,
      name: "cancel() cancels the failed cell's queued descendants, transitively, and returns exactly them",
      async run() {
        const s = await make();
        s.enqueue(["a", "b", "c", "d", "e", "f", "g"]);
        check(s.next() === "a", "the first cell was not a");
        sameSet(s.cancel("a"), ["b", "c", "d"], "cancel('a') with b, c, d queued below it");
        for (const id of ["b", "c", "d"])
          check(s.isCancelled(id), () => `isCancelled('${id}') is false after cancel('a')`);
        for (const id of ["e", "f", "g"])
          check(!s.isCancelled(id), () => `isCancelled('${id}') is true, but ${id} does not depend on a`);
        const rest = drain(s);
        check(
          show(rest) === show(["e", "f", "g"]),
          () => `after cancel('a'), next() gave ${show(rest)}; expected e, f, g`,
        );
      },
    },
    {
      tier: 2,
      name: "cancel() leaves cells that are not queued alone",
      async run() {
        const s = await make();
        s.enqueue(["a", "b", "e"]);
        s.next();
        s.next();
        // c and d depend on a but were never queued; b was already returned.
        sameSet(
          s.cancel("a"),
          [],
          "cancel('a') when its queued descendants already ran or were never queued",
        );
        check(s.next() === "e", "an unrelated queued cell did not run after cancel()");
        const empty = await make();
        sameSet(empty.cancel("a"), [], "cancel('a') on an empty scheduler");
      },
    },
    {
      tier: 2,
      name: "a cell cancelled in one run is runnable in the next",
      async run() {
        const s = await make();
        s.enqueue(["a", "b", "c"]);
        s.next();
        s.cancel("a");
        drain(s);
        s.enqueue(["b", "c"]);
        check(!s.isCancelled("b"), "isCancelled('b') is still true after b was enqueued again");
        const got = drain(s);
        check(show(got) === show(["b", "c"]), () => `the next run gave ${show(got)}; expected b, c`);
      },
    },

    // ---- tier 3: async and interrupt ----
    {
      tier: 3,
      name: "interrupt() stops the queue: next() returns undefined",
      async run() {
        const s = await make();
        s.enqueue(["a", "e", "g"]);
        s.next();
        s.interrupt();
        const id = s.next();
        check(id === undefined, () => `after interrupt(), next() returned ${show(id)}`);
        if (s.pending) {
          const p = [...s.pending()];
          check(
            show(p) === show(["e", "g"]),
            () => `after interrupt(), pending() is ${show(p)}; expected the unrun e, g`,
          );
        }
      },
    },
    {
      tier: 3,
      name: "enqueue() after an interrupt clears it",
      async run() {
        const s = await make();
        s.enqueue(["a"]);
        s.interrupt();
        s.next();
        (s as { clear?: () => void }).clear?.();
        s.enqueue(["e", "f"]);
        const got = drain(s);
        check(
          got[got.length - 2] === "e" && got[got.length - 1] === "f",
          () => `after an interrupt and a new enqueue, next() gave ${show(got)}`,
        );
      },
    },
    {
      tier: 3,
      name: "pending() lists queued cells not yet returned, without cancelled ones",
      async run() {
        const s = await make();
        if (!s.pending) return; // optional in the contract
        s.enqueue(["a", "b", "d", "e"]);
        s.next();
        s.cancel("a");
        const p = [...s.pending()];
        check(show(p) === show(["e"]), () => `pending() is ${show(p)}; expected e (b and d were cancelled)`);
      },
    },

    // ---- tier 4: isolation ----
    {
      tier: 4,
      name: "two schedulers do not share queues or cancellations",
      async run() {
        const one = await make();
        const two = await make();
        one.enqueue(["a", "b"]);
        two.enqueue(["e"]);
        one.next();
        one.cancel("a");
        check(two.next() === "e", "the second scheduler did not return its own cell");
        check(two.next() === undefined, "the second scheduler returned a cell queued on the first");
        check(!two.isCancelled("b"), "a cancellation on one scheduler shows on another");
      },
    },
    {
      tier: 4,
      name: "cancellation follows the graph the scheduler was given",
      async run() {
        const s = await make({ a: [], x: ["a"], y: [], z: ["y"] });
        s.enqueue(["a", "y", "x", "z"]);
        s.next();
        let got: ReadonlySet<string>;
        try {
          got = s.cancel("a");
        } catch (error) {
          throw new Error(`cancel('a') threw ${describeError(error)}`);
        }
        sameSet(got, ["x"], "cancel('a') where only x depends on a");
      },
    },
  ];
  return { kind: "scheduler", plugin, cases, timeoutMs: options.caseTimeoutMs ?? 10_000 };
}
