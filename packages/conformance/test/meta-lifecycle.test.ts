// The kit fails each deliberately broken lifecycle, for the right reason.
import { beforeAll, describe, expect, it } from "vitest";
import { lifecycleFile, runThrowaway, type ThrowawayRun } from "./meta.ts";

const M = "fixtures/broken-lifecycles.ts";
let run: ThrowawayRun;
beforeAll(() => {
  run = runThrowaway({
    "teardown-throws.test.ts": lifecycleFile(M, "throwsInTeardown"),
    "no-restore.test.ts": lifecycleFile(M, "noRestore"),
    "out-of-order.test.ts": lifecycleFile(M, "outOfOrder"),
    "shared.test.ts": lifecycleFile(M, "sharedState"),
    "swallow.test.ts": lifecycleFile(M, "swallowsErrors"),
    "fake-skip.test.ts": lifecycleFile(M, "fakeSkip"),
  });
}, 600_000);

describe("the lifecycle kit fails broken lifecycles", () => {
  it("the run as a whole fails", () => {
    expect(run.code).not.toBe(0);
  });

  it("a teardown that throws on healthy cells fails the basic case, naming the teardown", () => {
    const v = run.verdict("teardown-throws.test.ts", "healthy cells keep their outputs");
    expect(v.status).toBe("failed");
    expect(v.message).toContain(
      "the lifecycle's teardown threw a bare Error: cleanup failed on a healthy cell",
    );
  });

  it("a lifecycle that does not restore what it changed fails the restore case, naming the change", () => {
    const v = run.verdict("no-restore.test.ts", "restores what it changed");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("process.env.KK_CURRENT_CELL changed");
  });

  it("a teardown that restores too late fails the ordering case only", () => {
    const v = run.verdict("out-of-order.test.ts", "tears down in order");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("this one had not restored yet");
    expect(run.verdict("out-of-order.test.ts", "restores what it changed").status).toBe("passed");
  });

  it("instances sharing state fail the stacking case", () => {
    const v = run.verdict("shared.test.ts", "two instances stacked");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("KK_CURRENT_CELL");
    expect(run.verdict("shared.test.ts", "restores what it changed").status).toBe("passed");
  });

  it("a lifecycle swallowing errors fails the error case", () => {
    const v = run.verdict("swallow.test.ts", "a cell's error passes through");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("the lifecycle swallowed it");
  });

  it("a look-alike Skip fails the setup case", () => {
    const v = run.verdict("fake-skip.test.ts", "setup returns nothing or a Skip");
    expect(v.status).toBe("failed");
    expect(v.message).toContain("neither undefined nor a Skip");
  });
});
