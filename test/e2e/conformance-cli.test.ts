// `kernelkit conformance PLUGIN [--json|--md]` end to end: built-ins by name, a file by path,
// an installed package's entry point by name, and the exit codes (0 pass, 1 a case failed, 2 unknown).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { project, REPO, runCli } from "../helpers/cli.ts";
import { pluginProject } from "../helpers/plugin-project.ts";

function card(stdout: string) {
  const json = JSON.parse(stdout);
  expect(json.schemaVersion).toBe(1);
  for (const t of json.tiers) {
    expect(Object.keys(t).sort()).toEqual(["cases", "passed", "tier", "total"]);
    expect(t.passed).toBe(t.cases.filter((c: any) => c.ok).length);
    expect(t.total).toBe(t.cases.length);
    for (const c of t.cases) expect(Object.keys(c).sort()).toEqual(["message", "name", "ok"]);
  }
  return json;
}

const failed = (json: any) =>
  json.tiers.flatMap((t: any) =>
    t.cases.filter((c: any) => !c.ok).map((c: any) => [t.tier, c.name, c.message]),
  );

describe("kernelkit conformance", () => {
  it("certifies the built-in executor: every tier passes, exit 0", () => {
    const r = runCli(["conformance", "default", "--json"]);
    expect(r.code).toBe(0);
    const json = card(r.stdout);
    expect(json).toMatchObject({ plugin: "default", kind: "executor" });
    expect(json.tiers.map((t: any) => t.tier)).toEqual([1, 2, 3, 4]);
    expect(failed(json)).toEqual([]);
  });

  it("knows the kind of each built-in name", () => {
    for (const [name, kind] of [
      ["sequential", "scheduler"],
      ["strict", "lifecycle"],
      ["profiling", "lifecycle"],
      ["ws", "transport"],
      ["stdio", "transport"],
    ]) {
      const r = runCli(["conformance", name!, "--json"]);
      const json = card(r.stdout);
      expect(json.kind, name).toBe(kind);
      expect(failed(json), name).toEqual([]);
      expect(r.code, name).toBe(0);
    }
  });

  it("certifies the Python executor with Python samples", () => {
    const r = runCli(["conformance", "python", "--json"]);
    const json = card(r.stdout);
    expect(failed(json)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("prints a tiered scorecard as text and as Markdown", () => {
    const text = runCli(["conformance", "sequential"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("scheduler conformance: sequential");
    expect(text.stdout).toMatch(/tier 2 \(errors\): 3\/3 passed/);
    expect(text.stdout.trim().split("\n").pop()).toBe(
      "tier 1 passed, tier 2 passed, tier 3 passed, tier 4 passed",
    );
    const md = runCli(["conformance", "sequential", "--md"]);
    expect(md.stdout).toContain("## scheduler conformance: `sequential`");
    expect(md.stdout).toContain("| 1 | basic contract | 2/2 |");
  });

  it("fails a broken executor given by path: exit 1, the failing case and why", () => {
    const dir = project({
      "constant.mjs": `export default () => ({
  name: "constant",
  language: "javascript",
  async execute(cell, ctx) {
    for (const d of cell.defs) ctx.scope.set(d, 1);
    return 42;
  },
});
`,
    });
    const r = runCli(["conformance", "./constant.mjs", "--json"], { cwd: dir });
    expect(r.code).toBe(1);
    const json = card(r.stdout);
    expect(json.kind).toBe("executor");
    const tier1 = json.tiers[0];
    expect(tier1.passed).toBeLessThan(tier1.total);
    const output = tier1.cases.find(
      (c: any) => c.name === "the output is the value of the cell's last expression",
    );
    expect(output.ok).toBe(false);
    expect(output.message).toMatch(/expected the output '\d+', got '42'/);
    // The same in the human scorecard: "tier 1: k/n".
    const text = runCli(["conformance", "./constant.mjs"], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/tier 1: \d\/6/);
  });

  it("resolves an installed package's entry point by name", () => {
    const p = pluginProject({
      "kernelkit-lifecycle-noop": {
        entryPoints: { lifecycle: { noop: "./noop.js" } },
        files: { "noop.js": `export default () => ({ name: "noop", setup() {}, teardown() {} });\n` },
      },
    });
    const r = runCli(["conformance", "noop", "--json"], { cwd: p.dir });
    expect(r.stderr).not.toContain("error");
    const json = card(r.stdout);
    expect(json).toMatchObject({ plugin: "noop", kind: "lifecycle" });
    expect(failed(json)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("certifies the third-party example executor by its entry-point name, from a project that depends on it", () => {
    const r = runCli(["conformance", "worker", "--json"], { cwd: join(REPO, "examples", "bespoke-kernel") });
    const json = card(r.stdout);
    expect(json).toMatchObject({ plugin: "worker", kind: "executor" });
    expect(failed(json)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("an unknown plugin is exit 2 with a coded error, also as JSON", () => {
    const r = runCli(["conformance", "no-such-plugin", "--json"]);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ schemaVersion: 1, ok: false, error: { code: "KK_PLUGIN_NOT_FOUND" } });
    expect(json.error.hint).toContain("default");
    expect(r.stderr).toContain("KK_PLUGIN_NOT_FOUND");
    const missing = runCli(["conformance", "./nowhere.js"]);
    expect(missing.code).toBe(2);
  });
});
