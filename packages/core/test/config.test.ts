// Config loading and validation (docs/plugins.md, "Config"): cosmiconfig search with the project
// strategy, problems listed with path/expected/got, unknown keys as did-you-mean warnings.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, normalizeSpec } from "../src/index.ts";
import { CONFIG_SEARCH_PLACES, configCandidateDir, validateConfig } from "../src/internal.ts";

function files(map: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "kk-config-"));
  for (const [rel, text] of Object.entries(map)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

describe("search", () => {
  it("lists docs/plugins.md's places, package.json#kernelkitConfig first", () => {
    expect(CONFIG_SEARCH_PLACES[0]).toBe("package.json");
    for (const p of [
      ".kernelkitrc",
      ".kernelkitrc.ts",
      ".config/kernelkitrc.yaml",
      "kernelkit.config.ts",
      "kernelkit.config.mts",
      "kernelkit.config.yaml",
    ])
      expect(CONFIG_SEARCH_PLACES).toContain(p);
  });

  it("returns null without loading anything when no candidate exists", async () => {
    const dir = files({
      "package.json": JSON.stringify({ name: "p", kernelkit: { entryPoints: {} } }),
      "a/b/nb.ts": "",
    });
    expect(configCandidateDir(join(dir, "a/b"))).toBeNull();
    expect(await loadConfig({ from: join(dir, "a/b") })).toBeNull();
  });

  it("finds the nearest config and resolves paths from its folder", async () => {
    const dir = files({
      "package.json": JSON.stringify({ name: "p", kernelkitConfig: { lifecycles: ["strict"] } }),
      "a/nb.ts": "",
    });
    const loaded = await loadConfig({ from: join(dir, "a") });
    expect(loaded).toMatchObject({
      config: { lifecycles: ["strict"] },
      filepath: join(dir, "package.json"),
      dir,
      warnings: [],
    });
  });

  it("an empty config file is an empty config", async () => {
    const dir = files({ "package.json": "{}", "kernelkit.config.json": "" });
    expect((await loadConfig({ from: dir }))?.config).toEqual({});
  });

  it("--config to a missing file is KK_CONFIG_NOT_FOUND", async () => {
    await expect(loadConfig({ from: tmpdir(), configPath: "/nonexistent/kk.json" })).rejects.toMatchObject({
      code: "KK_CONFIG_NOT_FOUND",
    });
  });
});

describe("validateConfig", () => {
  it("accepts every slot form", () => {
    const { config, warnings } = validateConfig(
      {
        $schema: "./node_modules/@kernelkit/core/kernelkit.schema.json",
        executor: "default",
        lifecycles: ["strict", ["profiling", { out: "t.json" }], { use: "./x.ts", options: {} }],
        scheduler: { use: "sequential" },
        transport: ["ws", { port: 0 }],
        plugins: [],
        autorun: false,
        strictPlugins: true,
        log: { level: "debug" },
      },
      "test",
    );
    expect(warnings).toEqual([]);
    expect(config.autorun).toBe(false);
  });

  it("lists every problem with path, expected and got", () => {
    try {
      validateConfig(
        { executor: "", lifecycles: [1, ["ok"], { use: 2 }], strictPlugins: 1, log: [] },
        "cfg.json",
      );
      expect.unreachable();
    } catch (error: any) {
      expect(error.code).toBe("KK_CONFIG_INVALID");
      expect(error.problems).toEqual([
        { path: "executor", expected: "a non-empty plugin name or path", got: 'string ""' },
        {
          path: "lifecycles[0]",
          expected: "a name, [name, options] or { use: name, options }",
          got: "number 1",
        },
        { path: "lifecycles[2].use", expected: "a plugin name or path (string)", got: "number 2" },
        { path: "strictPlugins", expected: "a boolean", got: "number 1" },
        { path: "log", expected: "an object ({ level })", got: "an empty array" },
      ]);
      expect(error.message).toMatch(/^invalid config cfg\.json: 5 problems: executor: expected/);
    }
  });

  it("warns about unknown keys with a did-you-mean, at any depth", () => {
    const { warnings } = validateConfig(
      { scheduer: "x", plugins: [{ use: "p", opts: 1 }], zzzzzzzz: 1 },
      "cfg",
    );
    expect(warnings.map((w) => w.message)).toEqual([
      "unknown key 'scheduer' in config cfg (did you mean 'scheduler'?); ignored",
      expect.stringMatching(/^unknown key 'zzzzzzzz' in config cfg \(known keys: executor, /),
      "unknown key 'plugins[0].opts' in config cfg (did you mean 'options'?); ignored",
    ]);
    expect(warnings.every((w) => w.code === "KK_CONFIG_UNKNOWN_KEY")).toBe(true);
  });

  it("normalizes the three slot forms", () => {
    expect(normalizeSpec("a")).toEqual({ name: "a", options: undefined });
    expect(normalizeSpec(["a", { x: 1 }])).toEqual({ name: "a", options: { x: 1 } });
    expect(normalizeSpec({ use: "a", options: 2 })).toEqual({ name: "a", options: 2 });
  });
});
