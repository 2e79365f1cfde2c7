// The profiling lifecycle: per-cell wall time, CPU time and heap delta, and the Chrome trace.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompiledCell, ExecutionContext } from "@kernelkit/core";
import { describe, expect, it } from "vitest";
import createProfiling, { ProfilingLifecycle } from "../src/index.ts";

const cell = (id: string, name: string | null = id) =>
  ({ id, name, code: "", language: "javascript", path: null, line: 1, defs: [], refs: [] }) as CompiledCell;
const ctx = () => ({}) as ExecutionContext;

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

describe("ProfilingLifecycle", () => {
  it("records wall, CPU and heap per cell and names trace events after the cells", () => {
    const p = createProfiling({});
    for (const [id, ms] of [
      ["fast", 0],
      ["slow", 15],
    ] as const) {
      const c = ctx();
      p.setup(cell(id), c);
      busy(ms);
      const junk = ms > 0 ? new Array(50_000).fill({ id }) : [];
      p.teardown(cell(id), c, { output: junk.length, error: null });
    }
    const c = ctx();
    p.setup(cell("h1", null), c);
    p.teardown(cell("h1", null), c, { output: null, error: new Error("x") });
    expect(p.profiles.map((x) => x.label)).toEqual(["fast", "slow", "h1"]);
    const slow = p.profiles[1]!;
    expect(slow.wallMs).toBeGreaterThan(0);
    expect(slow.cpuMs).toBeGreaterThan(0);
    expect(Number.isInteger(slow.heapDeltaBytes)).toBe(true);
    expect(p.slowest(1)[0]!.label).toBe("slow");
    const trace = p.trace();
    expect(trace.traceEvents.map((e) => [e.name, e.ph, e.args.status])).toEqual([
      ["fast", "X", "success"],
      ["slow", "X", "success"],
      ["h1", "X", "exception"],
    ]);
    expect(trace.traceEvents[1]!.dur).toBeGreaterThan(0);
  });

  it("writes the trace to `out` on dispose, once", () => {
    const out = join(mkdtempSync(join(tmpdir(), "kk-prof-")), "t.json");
    const p = new ProfilingLifecycle({ out });
    const c = ctx();
    p.setup(cell("a"), c);
    p.teardown(cell("a"), c, { output: 1, error: null });
    p.dispose();
    expect(JSON.parse(readFileSync(out, "utf8")).traceEvents).toHaveLength(1);
  });

  it("a trace that cannot be written is a coded error", () => {
    const p = new ProfilingLifecycle({ out: "/nonexistent-dir/t.json" });
    expect(() => p.writeTrace()).toThrow(expect.objectContaining({ code: "KK_PROFILE_WRITE" }));
    expect(new ProfilingLifecycle().writeTrace()).toBeNull();
  });
});
