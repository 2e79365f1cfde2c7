import {
  type CompiledCell,
  cancelAndWait,
  createLogger,
  DataflowGraph,
  Evaluator,
  type ExecutionContext,
  type ExecutionLifecycle,
  type Executor,
  fireAndForget,
  isSkip,
  liveTaskCount,
  RequestRouter,
  SequentialScheduler,
  Skip,
  supervisedTask,
} from "@kernelkit/core";
import { describe, expect, it, vi } from "vitest";

const cell = {
  id: "c",
  name: null,
  code: "",
  language: "javascript",
  path: null,
  line: 1,
  defs: [],
  refs: [],
} as CompiledCell;
const ctx = {} as ExecutionContext;

function exec(fn: () => unknown): Executor {
  return { name: "t", language: "javascript", execute: async () => fn() };
}

function recorder(
  log: string[],
  name: string,
  opts: Partial<{ skip: Skip; setupThrows: boolean; teardownThrows: boolean }> = {},
): ExecutionLifecycle {
  return {
    name,
    setup() {
      log.push(`setup ${name}`);
      if (opts.setupThrows) throw new Error(`setup ${name} failed`);
      return opts.skip;
    },
    teardown(_c, _x, result) {
      log.push(`teardown ${name} error=${result.error ? (result.error as Error).message : "none"}`);
      if (opts.teardownThrows) throw new Error(`teardown ${name} failed`);
    },
  };
}

describe("Evaluator", () => {
  it("sets up in order, runs the body, tears down in reverse", async () => {
    const log: string[] = [];
    const r = await new Evaluator(
      exec(() => 42),
      [recorder(log, "a"), recorder(log, "b")],
    ).evaluate(cell, ctx);
    expect(r).toEqual({ output: 42, error: null });
    expect(log).toEqual(["setup a", "setup b", "teardown b error=none", "teardown a error=none"]);
  });

  it("a Skip stops the chain, is the result, and its lifecycle still gets teardown", async () => {
    const log: string[] = [];
    const body = vi.fn(() => 1);
    const skip = new Skip({ output: "cached", error: null });
    const r = await new Evaluator(exec(body), [
      recorder(log, "a"),
      recorder(log, "s", { skip }),
      recorder(log, "c"),
    ]).evaluate(cell, ctx);
    // The result says which lifecycle's Skip completed the cell (run --json's skippedBy).
    expect(r).toEqual({ output: "cached", error: null, skippedBy: "s" });
    expect(body).not.toHaveBeenCalled();
    expect(log).toEqual(["setup a", "setup s", "teardown s error=none", "teardown a error=none"]);
    expect(isSkip(skip)).toBe(true);
    expect(isSkip({ result: {} })).toBe(false);
  });

  it("a throwing setup stops the chain, gets no teardown, and its error is the result", async () => {
    const log: string[] = [];
    const r = await new Evaluator(
      exec(() => 1),
      [recorder(log, "a"), recorder(log, "bad", { setupThrows: true })],
    ).evaluate(cell, ctx);
    // The error names the lifecycle that failed the cell; what it threw is the cause.
    expect((r.error as Error).message).toBe("lifecycle 'bad' failed the cell in setup: setup bad failed");
    expect(((r.error as Error).cause as Error).message).toBe("setup bad failed");
    expect(log).toEqual([
      "setup a",
      "setup bad",
      "teardown a error=lifecycle 'bad' failed the cell in setup: setup bad failed",
    ]);
  });

  it("a body error is {output: null, error}; a teardown error replaces it, the later one wins", async () => {
    const log: string[] = [];
    const r = await new Evaluator(
      exec(() => {
        throw new Error("body");
      }),
      [recorder(log, "outer", { teardownThrows: true }), recorder(log, "inner", { teardownThrows: true })],
    ).evaluate(cell, ctx);
    expect((r.error as Error).message).toBe("teardown outer failed");
    expect(log).toEqual([
      "setup outer",
      "setup inner",
      "teardown inner error=body",
      "teardown outer error=teardown inner failed",
    ]);
  });

  it("never throws, even when a lifecycle is broken in strange ways", async () => {
    const weird = {
      name: "w",
      get setup(): never {
        throw new Error("getter");
      },
    } as unknown as ExecutionLifecycle;
    const r = await new Evaluator(
      exec(() => 1),
      [weird],
    ).evaluate(cell, ctx);
    expect(((r.error as Error).cause as Error).message).toBe("getter");
  });
});

describe("SequentialScheduler", () => {
  const g = new DataflowGraph();
  g.upsert({ id: "a", defs: ["x"], refs: [] });
  g.upsert({ id: "b", defs: ["y"], refs: ["x"] });
  g.upsert({ id: "c", defs: ["z"], refs: ["y"] });
  g.upsert({ id: "d", defs: ["w"], refs: [] });

  it("is FIFO", () => {
    const s = new SequentialScheduler(g);
    s.enqueue(["d", "a", "b"]);
    expect([s.next(), s.next(), s.next(), s.next()]).toEqual(["d", "a", "b", undefined]);
  });

  it("cancels queued descendants by transitive closure", () => {
    const s = new SequentialScheduler(g);
    s.enqueue(["a", "b", "c", "d"]);
    expect(s.next()).toBe("a");
    expect([...s.cancel("a")].sort()).toEqual(["b", "c"]);
    expect(s.isCancelled("c")).toBe(true);
    expect(s.next()).toBe("d");
    expect(s.next()).toBeUndefined();
  });

  it("interrupt stops next() until the next enqueue", () => {
    const s = new SequentialScheduler(g);
    s.enqueue(["a", "d"]);
    s.interrupt();
    expect(s.next()).toBeUndefined();
    expect(s.pending()).toEqual(["a", "d"]);
    s.clear();
    s.enqueue(["d"]);
    expect(s.next()).toBe("d");
  });
});

describe("RequestRouter", () => {
  it("routes by exact type, replaces on re-registration, and refuses unknown commands with a code", async () => {
    const r = new RequestRouter<string>();
    r.register("ping", () => "one");
    r.register("ping", (_q, c) => `two ${c}`);
    expect(await r.dispatch({ type: "ping" }, "ctx")).toBe("two ctx");
    expect(() => r.dispatch({ type: "pin" }, "ctx")).toThrow(
      expect.objectContaining({ code: "UNKNOWN_COMMAND" }),
    );
  });
});

describe("async utilities", () => {
  it("supervisedTask keeps a reference until done and logs failures with the task name", async () => {
    const lines: string[] = [];
    const logger = {
      ...createLogger({ level: "silent" }),
      error: (obj: any, msg?: string) => lines.push(`${obj.task}: ${msg}`),
    } as any;
    const before = liveTaskCount();
    const t = supervisedTask(
      "loader",
      async () => {
        await new Promise((r) => setTimeout(r, 5));
        throw new Error("boom");
      },
      logger,
    );
    expect(liveTaskCount()).toBe(before + 1);
    await t.promise;
    expect(liveTaskCount()).toBe(before);
    expect(lines).toEqual(["loader: background task 'loader' failed"]);
    expect((t.error as Error).message).toBe("boom");
  });

  it("cancellation is not a failure; cancelAndWait waits for the task to stop", async () => {
    const lines: string[] = [];
    const logger = { ...createLogger({ level: "silent" }), error: () => lines.push("x") } as any;
    let stopped = false;
    const t = supervisedTask(
      "poller",
      (signal) =>
        new Promise<void>((_, reject) => {
          signal.addEventListener("abort", () => {
            stopped = true;
            reject(signal.reason);
          });
        }),
      logger,
    );
    await cancelAndWait(t);
    expect(stopped).toBe(true);
    expect(t.settled).toBe(true);
    expect(lines).toEqual([]);
  });

  it("cancelAndWait on a task that already failed does not throw and marks the error seen", async () => {
    const t = fireAndForget("quick", Promise.reject(new Error("early")), createLogger({ level: "silent" }));
    await t.promise;
    expect(t.errorSeen).toBe(false);
    await expect(cancelAndWait(t)).resolves.toBeUndefined();
    expect(t.errorSeen).toBe(true);
  });
});
