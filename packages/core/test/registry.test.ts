// The plugin registry: discovery from manifests, the naming rules, module shapes, the
// allow/deny filter and executor resolution, with programmatic registration and temp projects.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  API_VERSION,
  checkApiRange,
  DataflowGraph,
  discoverEntryPoints,
  type Executor,
  type PluginContext,
  PluginRegistry,
  pluginFilter,
  silentLogger,
} from "../src/index.ts";

function files(map: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "kk-registry-"));
  for (const [rel, text] of Object.entries(map)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const ctx = (cwd = process.cwd()): PluginContext => ({
  logger: silentLogger,
  cwd,
  notebookPath: null,
  language: "javascript",
  apiVersion: API_VERSION,
});

const executor = (name: string, language = "javascript"): Executor => ({
  name,
  language,
  execute: async () => name,
});

describe("checkApiRange", () => {
  it("accepts ranges that admit API_VERSION and explains the others with both versions", () => {
    expect(API_VERSION).toBe("1.0.0");
    expect(checkApiRange("^1.0.0")).toBeNull();
    expect(checkApiRange(">=1 <3")).toBeNull();
    expect(checkApiRange(undefined)).toBeNull();
    expect(checkApiRange("^2.0.0")).toBe("requires plugin API ^2.0.0, but kernelkit provides 1.0.0");
    expect(checkApiRange("one point oh")).toContain("not a valid semver range");
    expect(checkApiRange(1)).toContain("not a semver range");
  });
});

describe("pluginFilter", () => {
  it("is case-insensitive, trims, and deny wins over allow", () => {
    const f = pluginFilter({ KERNELKIT_PLUGINS_ALLOW: " GPU, trace ", KERNELKIT_PLUGINS_DENY: "trace" });
    expect(f.check("gpu", "kk-gpu")).toBeNull();
    expect(f.check("trace", null)).toContain("KERNELKIT_PLUGINS_DENY");
    expect(f.check("other", null)).toContain("KERNELKIT_PLUGINS_ALLOW");
    expect(pluginFilter({}).check("anything", null)).toBeNull();
  });
});

describe("discoverEntryPoints", () => {
  it("reads direct dependencies' manifests without importing them", () => {
    const dir = files({
      "package.json": JSON.stringify({ dependencies: { "kk-a": "1" }, devDependencies: { "kk-b": "1" } }),
      "node_modules/kk-a/package.json": JSON.stringify({
        name: "kk-a",
        version: "1.0.0",
        kernelkit: {
          api: "^1.0.0",
          entryPoints: { executor: { a: "./a.js" }, lifecycle: { la: { path: "./la.js" } } },
        },
      }),
      "node_modules/kk-a/a.js": "throw new Error('imported')",
      "node_modules/kk-b/package.json": JSON.stringify({
        name: "kk-b",
        version: "2.0.0",
        kernelkit: { api: "^9", entryPoints: { executor: { b: { path: "./b.js", languages: ["python"] } } } },
      }),
      "node_modules/not-a-plugin/package.json": JSON.stringify({ name: "not-a-plugin" }),
      "sub/nb.ts": "",
    });
    const d = discoverEntryPoints(join(dir, "sub"));
    expect(d.packageJson).toBe(join(dir, "package.json"));
    expect(d.warnings).toEqual([]);
    expect(d.entryPoints.map((e) => [e.group, e.name, e.status, e.languages])).toEqual([
      ["executor", "a", "compatible", ["javascript"]],
      ["lifecycle", "la", "compatible", null],
      ["executor", "b", "incompatible", ["python"]],
    ]);
    expect(d.entryPoints[0]!.path).toBe(join(dir, "node_modules/kk-a/a.js"));
  });

  it("reports malformed manifests as KK_PLUGIN_MANIFEST warnings and keeps the good entries", () => {
    const dir = files({
      "package.json": JSON.stringify({ dependencies: { "kk-a": "1", "kk-b": "1", "kk-c": "1" } }),
      "node_modules/kk-a/package.json": JSON.stringify({
        name: "kk-a",
        kernelkit: {
          entryPoints: {
            executor: { good: "./g.js", abs: "/etc/x.js", nums: { path: "./n.js", languages: [1] } },
            bogus: {},
          },
        },
      }),
      "node_modules/kk-b/package.json": JSON.stringify({ name: "kk-b", kernelkit: "yes" }),
      "node_modules/kk-c/package.json": '{ "name": "kk-c", "kernelkit": ',
    });
    const d = discoverEntryPoints(dir);
    expect(d.entryPoints.map((e) => e.name)).toEqual(["good"]);
    const text = d.warnings.map((w) => `${w.code}: ${w.message}`);
    expect(text).toHaveLength(5);
    expect(text.every((t) => t.startsWith("KK_PLUGIN_MANIFEST: package 'kk-"))).toBe(true);
    expect(text.join("\n")).toContain("unknown entry-point group 'bogus'");
    expect(text.join("\n")).toContain("not valid JSON");
  });

  it("finds nothing without a package.json", () => {
    const d = discoverEntryPoints(files({ "nb.ts": "" }).replace(/$/, "/"));
    expect(d.entryPoints).toEqual([]);
  });
});

describe("PluginRegistry naming and shapes", () => {
  it("resolves paths from baseDir, built-ins, entry-point names and package names", async () => {
    const dir = files({
      "plug.mjs": "export default (options) => ({ name: 'fromfile', apply() {}, options });",
      "package.json": JSON.stringify({ dependencies: { "kk-life": "1" } }),
      "node_modules/kk-life/package.json": JSON.stringify({
        name: "kk-life",
        kernelkit: { entryPoints: { lifecycle: { tracer: "./t.mjs" } } },
      }),
      "node_modules/kk-life/t.mjs": "export default { name: 'tracer', setup() {} };",
    });
    const reg = new PluginRegistry({ context: ctx(dir), discovery: discoverEntryPoints(dir), env: {} });
    reg.defineBuiltin("lifecycle", "strict", () => ({ default: { name: "strict" } }));
    const p = await reg.loadPlugin({ name: "./plug.mjs", options: { n: 1 }, baseDir: dir });
    expect(p).toMatchObject({ name: "fromfile", options: { n: 1 } });
    expect((await reg.loadLifecycle({ name: "strict" })).name).toBe("strict");
    expect((await reg.loadLifecycle({ name: "tracer" })).name).toBe("tracer");
    expect((await reg.loadLifecycle({ name: "kk-life" })).name).toBe("tracer");
    await expect(reg.loadLifecycle({ name: "profiling" })).rejects.toMatchObject({
      code: "KK_PLUGIN_NOT_FOUND",
    });
    await expect(reg.loadPlugin({ name: "./nope.mjs", baseDir: dir })).rejects.toMatchObject({
      code: "KK_PLUGIN_NOT_FOUND",
      message: expect.stringContaining(join(dir, "nope.mjs")),
    });
  });

  it("reports ambiguity: one name from two sources, or a package with several entries of the group", async () => {
    const reg = new PluginRegistry({ context: ctx(), env: {} });
    reg.register("lifecycle", "twin", { name: "twin" }).register("lifecycle", "twin", { name: "twin" });
    await expect(reg.loadLifecycle({ name: "twin" })).rejects.toMatchObject({ code: "KK_PLUGIN_AMBIGUOUS" });
    const dir = files({
      "package.json": JSON.stringify({ dependencies: { "kk-two": "1" } }),
      "node_modules/kk-two/package.json": JSON.stringify({
        name: "kk-two",
        kernelkit: { entryPoints: { lifecycle: { one: "./a.mjs", two: "./b.mjs" } } },
      }),
    });
    const reg2 = new PluginRegistry({ context: ctx(dir), discovery: discoverEntryPoints(dir), env: {} });
    await expect(reg2.loadLifecycle({ name: "kk-two" })).rejects.toMatchObject({
      code: "KK_PLUGIN_AMBIGUOUS",
      message: expect.stringContaining("one, two"),
    });
  });

  it("accepts a plugin object or a factory called without new; anything else is KK_PLUGIN_SHAPE", async () => {
    const reg = new PluginRegistry({ context: ctx(), env: {} });
    let receivedOptions: unknown;
    reg.register("plugin", "factory", function (this: unknown, options: unknown) {
      receivedOptions = options;
      expect(new.target).toBeUndefined();
      return { name: "factory", apply() {} };
    });
    reg.register("plugin", "klass", class P {});
    reg.register("plugin", "nameless", { apply() {} });
    reg.register("plugin", "number", 42);
    reg.register("executor", "nolang", { name: "x", execute() {} });
    await reg.loadPlugin({ name: "factory", options: { a: 1 } });
    expect(receivedOptions).toEqual({ a: 1 });
    await expect(reg.loadPlugin({ name: "klass" })).rejects.toMatchObject({ code: "KK_PLUGIN_SHAPE" });
    await expect(reg.loadPlugin({ name: "nameless" })).rejects.toThrow("has no string 'name'");
    await expect(reg.loadPlugin({ name: "number" })).rejects.toThrow("is a number");
    await expect(
      reg.resolveExecutor({ explicit: { name: "nolang" }, language: "javascript" }),
    ).rejects.toThrow("has no string 'language'");
  });

  it("a scheduler factory gets the kernel's graph", async () => {
    const reg = new PluginRegistry({ context: ctx(), env: {} });
    let seen: unknown;
    reg.register("scheduler", "fifo", (_o: unknown, c: { graph: DataflowGraph }) => {
      seen = c.graph;
      return { enqueue() {}, next() {}, cancel: () => new Set(), isCancelled: () => false, interrupt() {} };
    });
    const spec = await reg.loadScheduler({ name: "fifo" });
    const graph = new DataflowGraph();
    expect(typeof spec).toBe("function");
    (spec as (g: DataflowGraph) => unknown)(graph);
    expect(seen).toBe(graph);
  });
});

describe("PluginRegistry.resolveExecutor", () => {
  function registry(env: NodeJS.ProcessEnv = {}) {
    const reg = new PluginRegistry({ context: ctx(), env });
    reg.defineBuiltin("executor", "default", () => ({ default: executor("default") }));
    return reg;
  }

  it("picks the sorted-first loadable candidate and never loads the ones after it", async () => {
    const loaded: string[] = [];
    const reg = registry();
    reg.register("executor", "zz", () => {
      loaded.push("zz");
      return executor("zz");
    });
    reg.register("executor", "mm", () => {
      loaded.push("mm");
      throw new Error("mm is broken");
    });
    reg.register("executor", "aa", executor("aa"), { api: "^7" });
    const r = await reg.resolveExecutor({ language: "javascript" });
    expect(r.executor.name).toBe("zz");
    expect(r.source).toBe("discovered");
    expect(loaded).toEqual(["mm", "zz"]);
    expect(r.warnings.map((w) => w.code)).toEqual(["KK_PLUGIN_INCOMPATIBLE", "KK_PLUGIN_CONSTRUCT"]);
    expect(r.warnings[1]!.message).toContain("mm is broken");
  });

  it("never considers denied or other-language candidates; falls back to the built-in", async () => {
    const reg = registry({ KERNELKIT_PLUGINS_DENY: "gpu" });
    reg.register("executor", "gpu", executor("gpu"));
    reg.register("executor", "py", executor("py", "python"), { languages: ["python"] });
    const r = await reg.resolveExecutor({ language: "javascript" });
    expect(r).toMatchObject({ source: "builtin", warnings: [] });
    expect(r.executor.name).toBe("default");
  });

  it("strictPlugins turns a candidate failure into an error", async () => {
    const reg = registry();
    reg.register("executor", "bad", () => {
      throw new Error("nope");
    });
    await expect(reg.resolveExecutor({ language: "javascript", strictPlugins: true })).rejects.toMatchObject({
      code: "KK_PLUGIN_CONSTRUCT",
      hint: expect.stringContaining("strictPlugins"),
    });
  });

  it("an explicit executor fails loudly, also for the wrong language", async () => {
    const reg = registry();
    reg.register("executor", "bad", () => {
      throw new Error("nope");
    });
    await expect(
      reg.resolveExecutor({ explicit: { name: "bad" }, language: "javascript" }),
    ).rejects.toMatchObject({
      code: "KK_PLUGIN_CONSTRUCT",
    });
    await expect(
      reg.resolveExecutor({ explicit: { name: "default" }, language: "python" }),
    ).rejects.toMatchObject({
      code: "KK_PLUGIN_LANGUAGE",
    });
    await expect(registry().resolveExecutor({ language: "ruby" })).rejects.toMatchObject({
      code: "KK_NO_EXECUTOR",
      message: "no executor serves ruby cells",
    });
  });

  it("checks lifecycle requirements against the executor's capabilities", () => {
    const plain = executor("plain");
    expect(() =>
      PluginRegistry.checkRequires(plain, [{ name: "strict", requires: ["shared-js-scope"] }]),
    ).toThrow("lifecycle 'strict' requires 'shared-js-scope', which executor 'plain' does not provide");
    expect(() =>
      PluginRegistry.checkRequires({ ...plain, provides: ["shared-js-scope"] }, [
        { name: "strict", requires: ["shared-js-scope"] },
      ]),
    ).not.toThrow();
  });
});
