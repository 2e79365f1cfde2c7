// The kit fails each deliberately broken scheduler, for the right reason.
import { beforeAll, describe, expect, it } from "vitest";
import { runThrowaway, schedulerFile, type ThrowawayRun } from "./meta.ts";

const M = "fixtures/broken-schedulers.ts";
let run: ThrowawayRun;
beforeAll(() => {
  run = runThrowaway({
    "lifo.test.ts": schedulerFile(M, "lastInFirstOut"),
    "children.test.ts": schedulerFile(M, "childrenOnly"),
    "deaf.test.ts": schedulerFile(M, "ignoresInterrupt"),
    "shared.test.ts": schedulerFile(M, "sharedState"),
  });
}, 600_000);

describe("the scheduler kit fails broken schedulers", () => {
  it("the run as a whole fails", () => {
    expect(run.code).not.toBe(0);
  });

  it("a LIFO scheduler fails the FIFO case, showing the order it gave", () => {
    const v = run.verdict("lifo.test.ts", "first in, first out");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("next() gave [ 'g', 'c', 'e', 'b', 'a' ]");
  });

  it("cancelling only direct children fails the transitive case", () => {
    const v = run.verdict("children.test.ts", "transitively");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("expected [ 'b', 'c', 'd' ], got [ 'b', 'd' ]");
    expect(run.verdict("children.test.ts", "first in, first out").status).toBe("passed");
  });

  it("a scheduler ignoring interrupts fails the interrupt case", () => {
    const v = run.verdict("deaf.test.ts", "interrupt() stops the queue");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("after interrupt(), next() returned 'e'");
  });

  it("schedulers sharing a queue fail the isolation case", () => {
    expect(run.verdict("shared.test.ts", "two schedulers do not share").status).toBe("failed");
  });
});
