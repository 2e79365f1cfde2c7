// `kernelkit plugins [--json] [--check]`: lists entry points from manifests, importing nothing
// unless --check.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { executorModule, importMarker, pluginProject } from "../helpers/plugin-project.ts";

function fixture() {
  return pluginProject({
    "kk-gpu": {
      version: "1.2.0",
      entryPoints: {
        executor: { gpu: { path: "./exec.js", languages: ["javascript", "python"] } },
        lifecycle: { trace: "./trace.js" },
      },
      files: {
        "exec.js": `${importMarker("gpu-imported")}\n${executorModule("gpu")}`,
        "trace.js": `export default { name: "trace", setup() {} };`,
      },
    },
    "kk-future": {
      version: "3.0.0",
      api: "^2.0.0",
      entryPoints: { executor: { future: "./exec.js" } },
      files: { "exec.js": `${importMarker("future-imported")}\n${executorModule("future")}` },
    },
    "kk-badrange": {
      api: "not a range!!",
      entryPoints: { plugin: { odd: "./p.js" } },
      files: { "p.js": `export default { name: "odd", apply() {} };` },
    },
    "kk-broken": {
      entryPoints: { plugin: { broken: "./p.js" } },
      files: { "p.js": `export default () => { throw new Error("needs a license key"); };` },
    },
  });
}

describe("kernelkit plugins", () => {
  it("--json lists every entry point with its status, importing nothing", () => {
    const p = fixture();
    const r = runCli(["plugins", "--json"], { cwd: p.dir, env: { KERNELKIT_PLUGINS_DENY: "broken" } });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.schemaVersion).toBe(1);
    const by = (name: string) => json.entryPoints.find((e: any) => e.name === name);
    expect(by("gpu")).toEqual({
      group: "executor",
      name: "gpu",
      package: "kk-gpu",
      version: "1.2.0",
      api: "^1.0.0",
      languages: ["javascript", "python"],
      status: "compatible",
      reason: null,
    });
    expect(by("trace")).toMatchObject({ group: "lifecycle", languages: null, status: "compatible" });
    expect(by("future")).toMatchObject({ status: "incompatible", api: "^2.0.0", version: "3.0.0" });
    expect(by("future").reason).toContain("^2.0.0");
    expect(by("future").reason).toContain("1.0.0");
    expect(by("odd").status).toBe("incompatible");
    expect(by("odd").reason).toContain("not a valid semver range");
    expect(by("broken")).toMatchObject({
      status: "denied",
      reason: expect.stringContaining("KERNELKIT_PLUGINS_DENY"),
    });
    expect(json.entryPoints).toHaveLength(5);
    expect(p.exists("gpu-imported")).toBe(false);
    expect(p.exists("future-imported")).toBe(false);
  });

  it("--check loads and constructs each compatible one and reports ok or failed: reason (exit 1)", () => {
    const p = fixture();
    const r = runCli(["plugins", "--json", "--check"], { cwd: p.dir });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    const by = (name: string) => json.entryPoints.find((e: any) => e.name === name);
    expect(by("gpu").check).toBe("ok");
    expect(by("trace").check).toBe("ok");
    expect(by("broken").check).toMatch(/^failed: .*needs a license key/);
    expect(by("future").check).toBeUndefined();
    expect(p.exists("gpu-imported")).toBe(true);
    expect(p.exists("future-imported")).toBe(false);
  });

  it("prints a table for people", () => {
    const p = fixture();
    const r = runCli(["plugins"], { cwd: p.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/GROUP\s+NAME\s+PACKAGE\s+VERSION\s+API\s+LANGUAGES\s+STATUS/);
    expect(r.stdout).toMatch(/executor\s+gpu\s+kk-gpu\s+1\.2\.0/);
    expect(r.stdout).toContain("incompatible: requires plugin API ^2.0.0");
  });

  it("reports malformed manifests as coded warnings", () => {
    const p = pluginProject({
      "kk-weird": {
        entryPoints: { executor: { ok: "./e.js", bad: 42 as never }, gadgets: { x: "./x.js" } },
        files: { "e.js": executorModule("ok") },
      },
    });
    const r = runCli(["plugins", "--json"], { cwd: p.dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).entryPoints.map((e: any) => e.name)).toEqual(["ok"]);
    expect(r.stderr).toMatch(/KK_PLUGIN_MANIFEST: package 'kk-weird': entry point executor 'bad'/);
    expect(r.stderr).toMatch(/KK_PLUGIN_MANIFEST: package 'kk-weird': unknown entry-point group 'gadgets'/);
  });

  it("an empty project lists nothing", () => {
    const p = pluginProject({});
    const r = runCli(["plugins", "--json"], { cwd: p.dir });
    const json = JSON.parse(r.stdout);
    expect(json.entryPoints).toEqual([]);
    // Only the built-in languages.
    expect(json.languages.map((l: { name: string; package: string | null }) => [l.name, l.package])).toEqual([
      ["javascript", null],
      ["python", null],
    ]);
  });
});
