// `kernelkit run --profile OUT`: a Chrome trace-event file with one event per cell, and a table
// of the slowest cells at the end of the human output.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { project, runCli, runJson } from "../helpers/cli.ts";

const NB = `// %% load
const rows = Array.from({ length: 1000 }, (_, i) => ({ i }));
// %% busy
let s = 0; for (let i = 0; i < 2e6; i++) s += i;
// %% summary
[rows.length, s > 0]
`;

describe("run --profile", () => {
  it("writes a trace that parses and names each cell, with time, CPU and heap per cell", () => {
    const r = runJson(NB, { args: ["--profile", "trace.json"] });
    expect(r.code).toBe(0);
    const trace = JSON.parse(readFileSync(join(r.dir, "trace.json"), "utf8"));
    expect(Array.isArray(trace.traceEvents)).toBe(true);
    const events = trace.traceEvents.filter((e: any) => e.ph === "X");
    expect(events.map((e: any) => e.name)).toEqual(["load", "busy", "summary"]);
    for (const e of events) {
      expect(typeof e.ts).toBe("number");
      expect(e.dur).toBeGreaterThan(0);
      expect(e.pid).toBeTypeOf("number");
      expect(e.tid).toBeTypeOf("number");
      expect(e.args).toMatchObject({ status: "success" });
      expect(e.args.cpuMs).toBeTypeOf("number");
      expect(e.args.heapDeltaBytes).toBeTypeOf("number");
    }
    // Events do not overlap and come in the order the cells ran.
    expect(events[1].ts).toBeGreaterThanOrEqual(events[0].ts + events[0].dur);
  });

  it("ends the human output with a table of the slowest cells", () => {
    const dir = project({ "nb.ts": NB });
    const r = runCli(["run", "nb.ts", "--profile", "out/../t.json"], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    const head = lines.findIndex((l) => l.startsWith("Slowest cells"));
    expect(head).toBeGreaterThan(0);
    const table = lines.slice(head + 1);
    expect(table[0]).toMatch(/cell\s+wall\s+cpu\s+heap Δ/);
    expect(
      table
        .slice(1)
        .map((l) => l.trim().split(/\s+/)[0])
        .sort(),
    ).toEqual(["busy", "load", "summary"]);
    expect(r.stdout).toContain(`Trace written to ${join(dir, "t.json")}`);
    expect(JSON.parse(readFileSync(join(dir, "t.json"), "utf8")).traceEvents).toHaveLength(3);
  });

  it("a failing cell is in the trace with its status", () => {
    const r = runJson("// %% boom\nthrow new Error('x')\n", { args: ["--profile", "t.json"] });
    expect(r.code).toBe(1);
    const [event] = JSON.parse(readFileSync(join(r.dir, "t.json"), "utf8")).traceEvents;
    expect(event).toMatchObject({ name: "boom", args: { status: "exception" } });
  });

  it("works with strict mode and from the config", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p" }),
      "kernelkit.config.json": JSON.stringify({
        lifecycles: ["strict", ["profiling", { out: "cfg-trace.json" }]],
      }),
    });
    const r = runJson(NB, { dir });
    expect(r.code).toBe(0);
    const trace = JSON.parse(readFileSync(join(dir, "cfg-trace.json"), "utf8"));
    expect(trace.traceEvents.map((e: any) => e.name)).toEqual(["load", "busy", "summary"]);
  });
});
