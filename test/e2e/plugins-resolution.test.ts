// Executor resolution end to end (docs/semantics.md "Executor resolution", docs/plugins.md "Entry points"),
// with throwaway projects whose node_modules hold fake plugin packages.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { executorModule, importMarker, NOTEBOOK, pluginProject } from "../helpers/plugin-project.ts";

function run(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const r = runCli(["run", "nb.ts", "--json", ...args], { cwd: dir, env });
  let json: any = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { ...r, json };
}

describe("executor auto-selection", () => {
  it("uses the sorted-first candidate and never imports the ones after it", () => {
    const p = pluginProject(
      {
        "kk-zeta": {
          entryPoints: { executor: { zeta: "./exec.js" } },
          files: {
            "exec.js": `${importMarker("zeta-imported")}\nthrow new Error("zeta must never be imported");`,
          },
        },
        "kk-alpha": {
          entryPoints: { executor: { alpha: { path: "./exec.js", languages: ["javascript"] } } },
          files: { "exec.js": executorModule("alpha") },
        },
      },
      { "nb.ts": NOTEBOOK },
    );
    const r = run(p.dir);
    expect(r.code).toBe(0);
    expect(r.json.executor).toBe("alpha");
    expect(r.json.cells[1].output["text/plain"]).toContain("alpha: x + 1");
    expect(r.json.warnings).toEqual([]);
    expect(p.exists("zeta-imported")).toBe(false);
  });

  it("skips a candidate whose factory throws, with a warning naming it and its error", () => {
    const p = pluginProject(
      {
        "kk-a": {
          entryPoints: { executor: { a: "./exec.js" } },
          files: { "exec.js": executorModule("a", { factoryThrows: "no GPU on this machine" }) },
        },
        "kk-b": { entryPoints: { executor: { b: "./exec.js" } }, files: { "exec.js": executorModule("b") } },
      },
      { "nb.ts": NOTEBOOK },
    );
    const r = run(p.dir);
    expect(r.code).toBe(0);
    expect(r.json.executor).toBe("b");
    expect(r.json.warnings).toHaveLength(1);
    expect(r.json.warnings[0]).toMatch(/^KK_PLUGIN_CONSTRUCT: executor 'a'.*no GPU on this machine/);
    expect(r.stderr).toContain("no GPU on this machine");
  });

  it("skips a candidate whose module throws on import, naming the error", () => {
    const p = pluginProject(
      {
        "kk-a": {
          entryPoints: { executor: { a: "./exec.js" } },
          files: { "exec.js": `throw new Error("broken build");` },
        },
        "kk-b": { entryPoints: { executor: { b: "./exec.js" } }, files: { "exec.js": executorModule("b") } },
      },
      { "nb.ts": NOTEBOOK },
    );
    const r = run(p.dir);
    expect(r.json.executor).toBe("b");
    expect(r.json.warnings).toEqual([expect.stringMatching(/^KK_PLUGIN_LOAD: executor 'a'.*broken build/)]);
  });

  it("skips an incompatible api before importing it, showing both versions", () => {
    const p = pluginProject(
      {
        "kk-new": {
          api: "^2.0.0",
          entryPoints: { executor: { anew: "./exec.js" } },
          files: { "exec.js": `${importMarker("new-imported")}\n${executorModule("anew")}` },
        },
        "kk-b": { entryPoints: { executor: { b: "./exec.js" } }, files: { "exec.js": executorModule("b") } },
      },
      { "nb.ts": NOTEBOOK },
    );
    const r = run(p.dir);
    expect(r.json.executor).toBe("b");
    expect(r.json.warnings).toHaveLength(1);
    expect(r.json.warnings[0]).toMatch(/^KK_PLUGIN_INCOMPATIBLE: executor 'anew'/);
    expect(r.json.warnings[0]).toContain("^2.0.0");
    expect(r.json.warnings[0]).toContain("1.0.0");
    expect(p.exists("new-imported")).toBe(false);
  });

  it("falls back to the built-in default executor when every candidate fails, exit 0", () => {
    const p = pluginProject(
      {
        "kk-a": {
          entryPoints: { executor: { a: "./exec.js" } },
          files: { "exec.js": executorModule("a", { factoryThrows: "boom a" }) },
        },
        "kk-b": { entryPoints: { executor: { b: "./exec.js" } }, files: { "exec.js": "export default 42;" } },
        "kk-c": {
          api: "^3",
          entryPoints: { executor: { c: "./exec.js" } },
          files: { "exec.js": executorModule("c") },
        },
      },
      { "nb.ts": NOTEBOOK },
    );
    const r = run(p.dir);
    expect(r.code).toBe(0);
    expect(r.json.executor).toBe("default");
    expect(r.json.cells[1].output["text/plain"]).toBe("2");
    // One warning per skipped candidate, each naming it.
    expect(r.json.warnings).toHaveLength(3);
    expect(r.json.warnings[0]).toMatch(/KK_PLUGIN_CONSTRUCT: executor 'a'.*boom a/);
    expect(r.json.warnings[1]).toMatch(/KK_PLUGIN_SHAPE: executor 'b'.*is a number/);
    expect(r.json.warnings[2]).toMatch(/KK_PLUGIN_INCOMPATIBLE: executor 'c'/);
    expect(r.json.warnings[2]).toContain("built-in 'default'");
  });

  it("makes a candidate failure fatal with strictPlugins (exit 2, nothing runs)", () => {
    const p = pluginProject(
      {
        "kk-a": {
          entryPoints: { executor: { a: "./exec.js" } },
          files: { "exec.js": executorModule("a", { factoryThrows: "boom a" }) },
        },
      },
      { "nb.ts": NOTEBOOK, "kernelkit.config.json": JSON.stringify({ strictPlugins: true }) },
    );
    const r = run(p.dir);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ ok: false, error: { code: "KK_PLUGIN_CONSTRUCT" }, cells: [] });
    expect(r.json.error.message).toContain("boom a");
    expect(r.json.error.hint).toContain("strictPlugins");
  });

  it("ignores executors that do not serve the notebook's language", () => {
    const p = pluginProject(
      {
        "kk-py": {
          entryPoints: { executor: { apy: { path: "./exec.js", languages: ["python"] } } },
          files: { "exec.js": `${importMarker("py-imported")}\n${executorModule("apy")}` },
        },
      },
      { "nb.ts": NOTEBOOK },
    );
    const r = run(p.dir);
    expect(r.json.executor).toBe("default");
    expect(p.exists("py-imported")).toBe(false);
  });

  it("reads devDependencies too", () => {
    const p = pluginProject(
      {
        "kk-dev": {
          dev: true,
          entryPoints: { executor: { dev: "./exec.js" } },
          files: { "exec.js": executorModule("dev") },
        },
      },
      { "nb.ts": NOTEBOOK },
    );
    expect(run(p.dir).json.executor).toBe("dev");
  });
});

describe("executor named explicitly", () => {
  const packages = {
    "kk-a": {
      entryPoints: { executor: { a: "./exec.js" } },
      files: { "exec.js": `${importMarker("a-imported")}\n${executorModule("a")}` },
    },
    "kk-b": { entryPoints: { executor: { b: "./exec.js" } }, files: { "exec.js": executorModule("b") } },
    "kk-broken": {
      entryPoints: { executor: { broken: "./exec.js" } },
      files: { "exec.js": executorModule("broken", { factoryThrows: "cannot start" }) },
    },
  };

  it("--executor default uses the built-in and imports no candidate", () => {
    const p = pluginProject(packages, { "nb.ts": NOTEBOOK });
    const r = run(p.dir, ["--executor", "default"]);
    expect(r.code).toBe(0);
    expect(r.json.executor).toBe("default");
    expect(r.json.warnings).toEqual([]);
    expect(p.exists("a-imported")).toBe(false);
  });

  it("a config naming an executor uses it over the sorted-first candidate", () => {
    const p = pluginProject(packages, {
      "nb.ts": NOTEBOOK,
      "kernelkit.config.json": JSON.stringify({ executor: "b" }),
    });
    const r = run(p.dir);
    expect(r.json.executor).toBe("b");
    expect(p.exists("a-imported")).toBe(false);
  });

  it("a config naming a broken executor is a startup error (exit 2), no silent fallback", () => {
    const p = pluginProject(packages, {
      "nb.ts": NOTEBOOK,
      "kernelkit.config.json": JSON.stringify({ executor: "broken" }),
    });
    const r = run(p.dir);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("KK_PLUGIN_CONSTRUCT");
    expect(r.json.error.message).toContain("cannot start");
    expect(r.stderr).toContain("KK_PLUGIN_CONSTRUCT");
  });

  it("the flag wins over the config", () => {
    const p = pluginProject(packages, {
      "nb.ts": NOTEBOOK,
      "kernelkit.config.json": JSON.stringify({ executor: "broken" }),
    });
    expect(run(p.dir, ["--executor", "b"]).json.executor).toBe("b");
  });

  it("an unknown name is KK_PLUGIN_NOT_FOUND listing what exists", () => {
    const p = pluginProject(packages, { "nb.ts": NOTEBOOK });
    const r = run(p.dir, ["--executor", "gpu"]);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("KK_PLUGIN_NOT_FOUND");
    expect(r.json.error.hint).toContain("default");
    expect(r.json.error.hint).toContain("broken");
  });

  it("a package name with exactly one executor entry names it; the same name from two packages is ambiguous", () => {
    const p = pluginProject(
      {
        "kk-one": {
          entryPoints: { executor: { solo: "./exec.js" } },
          files: { "exec.js": executorModule("solo") },
        },
        "kk-x": {
          entryPoints: { executor: { twin: "./exec.js" } },
          files: { "exec.js": executorModule("twin") },
        },
        "kk-y": {
          entryPoints: { executor: { twin: "./exec.js" } },
          files: { "exec.js": executorModule("twin") },
        },
      },
      { "nb.ts": NOTEBOOK },
    );
    expect(run(p.dir, ["--executor", "kk-one"]).json.executor).toBe("solo");
    const r = run(p.dir, ["--executor", "twin"]);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("KK_PLUGIN_AMBIGUOUS");
    expect(r.json.error.message).toContain("kk-x");
    expect(r.json.error.message).toContain("kk-y");
  });

  it("a TypeScript file path loads without the TypeScript compiler", () => {
    const p = pluginProject(
      {},
      {
        "nb.ts": NOTEBOOK,
        "local/executor.ts": `import type { Executor } from "@kernelkit/core";
interface Options { prefix?: string }
export default (options: Options): Executor => ({
  name: "local",
  language: "javascript",
  async execute(cell: { code: string; defs: string[] }, ctx: any): Promise<unknown> {
    for (const d of cell.defs) ctx.scope.set(d, d);
    return (options.prefix ?? "") + cell.code.length;
  },
} as unknown as Executor);
`,
        "kernelkit.config.json": JSON.stringify({ executor: ["./local/executor.ts", { prefix: "len=" }] }),
      },
    );
    const r = run(p.dir);
    expect(r.code).toBe(0);
    expect(r.json.executor).toBe("local");
    expect(r.json.cells[1].output["text/plain"]).toBe("'len=5'");
  });
});

describe("KERNELKIT_PLUGINS_ALLOW / KERNELKIT_PLUGINS_DENY", () => {
  const packages = {
    "kk-a": {
      entryPoints: { executor: { a: "./exec.js" } },
      files: { "exec.js": `${importMarker("a-imported")}\n${executorModule("a")}` },
    },
    "kk-b": { entryPoints: { executor: { b: "./exec.js" } }, files: { "exec.js": executorModule("b") } },
  };

  it("a denied candidate is not imported and the next one wins", () => {
    const p = pluginProject(packages, { "nb.ts": NOTEBOOK });
    const r = run(p.dir, [], { KERNELKIT_PLUGINS_DENY: " A ,other" });
    expect(r.json.executor).toBe("b");
    expect(r.json.warnings).toEqual([]);
    expect(p.exists("a-imported")).toBe(false);
  });

  it("an allow list keeps only the names it lists; deny wins over allow", () => {
    const p = pluginProject(packages, { "nb.ts": NOTEBOOK });
    expect(run(p.dir, [], { KERNELKIT_PLUGINS_ALLOW: "b" }).json.executor).toBe("b");
    expect(
      run(p.dir, [], { KERNELKIT_PLUGINS_ALLOW: "a,b", KERNELKIT_PLUGINS_DENY: "a,b" }).json.executor,
    ).toBe("default");
  });

  it("naming a denied plugin is KK_PLUGIN_DENIED", () => {
    const p = pluginProject(packages, { "nb.ts": NOTEBOOK });
    const r = run(p.dir, ["--executor", "a"], { KERNELKIT_PLUGINS_DENY: "a" });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("KK_PLUGIN_DENIED");
  });
});

describe("lifecycle requirements", () => {
  it("a lifecycle requiring a capability the executor lacks is a startup error naming both", () => {
    const p = pluginProject(
      {
        "kk-b": {
          entryPoints: { executor: { plain: "./exec.js" } },
          files: { "exec.js": executorModule("plain") },
        },
      },
      { "nb.ts": NOTEBOOK },
    );
    const r = run(p.dir, ["--strict"]);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("KK_PLUGIN_REQUIRES");
    expect(r.json.error.message).toContain("'strict'");
    expect(r.json.error.message).toContain("'plain'");
    expect(r.json.error.message).toContain("shared-js-scope");
  });
});

describe("--lifecycle", () => {
  it("appends lifecycles by path or name after the config's, in order", () => {
    const tag = (t: string) =>
      `export default { name: "tag-${t}", setup(cell, ctx) { ctx.stdout("[${t}]"); } };`;
    const p = pluginProject(
      {},
      {
        "nb.ts": NOTEBOOK,
        "one.mjs": tag("one"),
        "two.mjs": tag("two"),
        "kernelkit.config.json": JSON.stringify({ lifecycles: ["./one.mjs", "strict"] }),
      },
    );
    const r = run(p.dir, ["--lifecycle", "./two.mjs", "--lifecycle", "./one.mjs", "--lifecycle", "strict"]);
    expect(r.code).toBe(0);
    // ./one.mjs and strict were in the config already: not added twice.
    expect(r.json.cells[0].stdout).toBe("[one][two]");
  });
});
