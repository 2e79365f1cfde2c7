// The kit fails each deliberately broken transport, for the right reason, and passes the same
// transport without the flaw (so the failures come from the flaws, not from the harness).
import { beforeAll, describe, expect, it } from "vitest";
import { runThrowaway, type ThrowawayRun, transportFile } from "./meta.ts";

const M = "fixtures/broken-transports.ts";
let run: ThrowawayRun;
beforeAll(() => {
  run = runThrowaway({
    "partial.test.ts": transportFile(M, "forgetsPartialLines"),
    "chunk.test.ts": transportFile(M, "oneMessagePerChunk"),
    "order.test.ts": transportFile(M, "groupsStdout"),
    "close.test.ts": transportFile(M, "closeDropsBatch"),
    "exit.test.ts": transportFile(M, "noExit"),
    "correct.test.ts": transportFile(M, "correct"),
  });
}, 600_000);

describe("the transport kit fails broken transports", () => {
  it("the run as a whole fails, but the flawless variant passes every case", () => {
    expect(run.code).not.toBe(0);
    expect(run.failed("correct.test.ts")).toEqual([]);
    expect(run.files["correct.test.ts"]!.length).toBeGreaterThan(8);
  });

  it("dropping partial lines fails the split-chunk case", () => {
    const v = run.verdict("partial.test.ts", "split into tiny chunks");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("the transport delivered 0 of 1 messages");
  });

  it("one message per chunk fails the concatenated-chunk case", () => {
    expect(run.verdict("chunk.test.ts", "several requests in one chunk").status).toBe("failed");
  });

  it("regrouping frames by type fails the ordering case, naming the frame", () => {
    const v = run.verdict("order.test.ts", "frames of every type sent on a connection");
    expect(v.status).toBe("failed");
    expect(v.message).toMatch(/frame 1 arrived as .*'stderr'.*; sent .*'stdout'/);
  });

  it("a close that drops batched frames fails the close case", () => {
    const v = run.verdict("close.test.ts", "close() delivers the frames sent before it");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("frames sent just before close()");
  });

  it("not reporting end of input fails the exit case", () => {
    const v = run.verdict("exit.test.ts", "end of input reaches the kernel");
    expect(v.status).toBe("failed");
    expect(v.message).toContain('no {type: "exit"} message arrived');
  });
});
