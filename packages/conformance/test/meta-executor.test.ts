// The kit fails each deliberately broken executor, for the right reason (vitest run on
// throwaway files in a child process).
import { beforeAll, describe, expect, it } from "vitest";
import { executorFile, runThrowaway, type ThrowawayRun } from "./meta.ts";

let run: ThrowawayRun;
beforeAll(() => {
  run = runThrowaway({
    "constant.test.ts": executorFile("fixtures/broken-executors.ts", "constantOutput"),
    "swallow.test.ts": executorFile("fixtures/broken-executors.ts", "swallowsErrors"),
    "bare.test.ts": executorFile("fixtures/broken-executors.ts", "bareErrors"),
    "frames.test.ts": executorFile("fixtures/broken-executors.ts", "ownFrames"),
    "leak.test.ts": executorFile("fixtures/broken-executors.ts", "leaksState"),
    "deaf.test.ts": executorFile(
      "fixtures/broken-executors.ts",
      "ignoresInterrupt",
      "{ executionTimeoutMs: 5000, interruptGraceMs: 1500 }",
    ),
  });
}, 600_000);

describe("the executor kit fails broken executors", () => {
  it("the run as a whole fails", () => {
    expect(run.code).not.toBe(0);
  });

  it("an executor returning a constant fails the output case", () => {
    const v = run.verdict("constant.test.ts", "the output is the value of the cell's last expression");
    expect(v.status).toBe("failed");
    expect(v.message).toMatch(/expected the output '\d+', got '42'/);
  });

  it("an executor swallowing errors fails the error cases, saying the error was swallowed", () => {
    const v = run.verdict("swallow.test.ts", "a user error rejects with a CellRuntimeError");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("the user's error was swallowed");
    expect(run.verdict("swallow.test.ts", "the output is the value").status).toBe("passed");
  });

  it("an executor rethrowing bare errors fails, naming the bare error", () => {
    const v = run.verdict("bare.test.ts", "a user error rejects with a CellRuntimeError");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("rejected with a bare TypeError");
  });

  it("an executor showing its own frames fails the traceback case, listing them", () => {
    const v = run.verdict("frames.test.ts", "the traceback shows the user's frames");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("frames that are not the user's");
    expect(run.verdict("frames.test.ts", "a user error rejects with a CellRuntimeError").status).toBe(
      "passed",
    );
  });

  it("executors sharing state between instances fail the isolation case", () => {
    const v = run.verdict("leak.test.ts", "two instances do not share names");
    expect(v.status).toBe("failed");
    expect(v.message).toMatch(/leak/);
  });

  it("an executor ignoring interrupts fails both interrupt cases, and the run still ends", () => {
    const wait = run.verdict("deaf.test.ts", "interrupt stops a cell that waits forever");
    expect(wait.status).toBe("failed");
    expect(wait.message).toContain("the interrupt was ignored");
    const loop = run.verdict("deaf.test.ts", "interrupt stops a synchronous busy loop");
    expect(loop.status).toBe("failed");
    expect(loop.message).toContain("ignored the interrupt");
    // A case after the busy loop still ran: the kit stopped the loop instead of hanging.
    expect(run.verdict("deaf.test.ts", "two instances do not share names").status).not.toBe("skipped");
  });
});
