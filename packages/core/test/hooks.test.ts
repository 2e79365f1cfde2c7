import type { HookError } from "@kernelkit/core";
import { callSeries, createHooks } from "@kernelkit/core/internal";
import { describe, expect, it } from "vitest";

describe("kernel hooks", () => {
  it("are frozen and carry every hook of docs/plugins.md", () => {
    const hooks = createHooks(() => {});
    expect(Object.isFrozen(hooks)).toBe(true);
    expect(Object.keys(hooks).sort()).toEqual(
      [
        "cellsChanged",
        "configured",
        "formatOutput",
        "postExecution",
        "preExecution",
        "runFinished",
        "teardown",
      ].sort(),
    );
  });

  it("callSeries runs sync taps in stage order without a promise, and async taps through tapable", async () => {
    const errors: HookError[] = [];
    const hooks = createHooks((e) => errors.push(e));
    const order: string[] = [];
    hooks.preExecution.tap({ name: "late", stage: 10 }, () => void order.push("late"));
    hooks.preExecution.tap("normal", () => void order.push("normal"));
    hooks.preExecution.tap({ name: "first", before: "normal" }, () => void order.push("first"));
    hooks.preExecution.tap("broken", () => {
      throw new Error("nope");
    });
    expect(callSeries(hooks.preExecution, {})).toBeUndefined();
    expect(order).toEqual(["first", "normal", "late"]);
    expect(errors.map((e) => e.message)).toEqual(["plugin 'broken' failed in hook 'preExecution': nope"]);

    hooks.postExecution.tapPromise("slow", async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push("async");
    });
    const p = callSeries(hooks.postExecution, {}, {});
    expect(p).toBeInstanceOf(Promise);
    await p;
    expect(order.at(-1)).toBe("async");
  });
});
