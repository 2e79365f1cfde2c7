// Config discovery and validation end to end (docs/plugins.md, "Config").
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { project, runCli } from "../helpers/cli.ts";
import { NOTEBOOK } from "../helpers/plugin-project.ts";

function run(dir: string, args: string[] = [], nb = "nb.ts") {
  const r = runCli(["run", nb, "--json", ...args], { cwd: dir });
  let json: any = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { ...r, json };
}

/** A config whose only effect is an unknown-key warning naming the file it came from. */
const MARK = { markerKey: true };

describe("config search places", () => {
  const places: [string, string][] = [
    ["package.json", JSON.stringify({ name: "p", kernelkitConfig: MARK })],
    [".kernelkitrc", "markerKey: true\n"],
    [".kernelkitrc.json", JSON.stringify(MARK)],
    [".kernelkitrc.yaml", "markerKey: true\n"],
    [".kernelkitrc.mjs", "export default { markerKey: true };\n"],
    [".kernelkitrc.cjs", "module.exports = { markerKey: true };\n"],
    [".config/kernelkitrc.json", JSON.stringify(MARK)],
    ["kernelkit.config.mts", "const c: { markerKey: boolean } = { markerKey: true };\nexport default c;\n"],
    ["kernelkit.config.js", "export default { markerKey: true };\n"],
    ["kernelkit.config.json", JSON.stringify(MARK)],
    ["kernelkit.config.yaml", "markerKey: true\n"],
  ];
  for (const [file, content] of places) {
    it(`finds ${file}`, () => {
      const files: Record<string, string> = { "nb.ts": NOTEBOOK, [file]: content };
      if (file !== "package.json") files["package.json"] = JSON.stringify({ name: "p", type: "module" });
      const dir = project(files);
      const r = run(dir);
      expect(r.code).toBe(0);
      expect(r.json.warnings).toEqual([
        expect.stringMatching(/^KK_CONFIG_UNKNOWN_KEY: unknown key 'markerKey'/),
      ]);
      expect(r.json.warnings[0]).toContain(
        file === "package.json" ? "package.json" : file.replace(/^\.config\//, ""),
      );
    });
  }

  it("loads kernelkit.config.ts with types and a relative .ts import, without the TypeScript compiler", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p", type: "module" }),
      "nb.ts": "// %% a\nconst o = { n: 0 }\n// %% b\no.n += 1\n// %% c\no.n\n",
      "config/helpers.ts": "export const lifecycles: string[] = ['strict'];\n",
      "kernelkit.config.ts": `import { lifecycles } from "./config/helpers.js";
interface Cfg { lifecycles: string[]; autorun: boolean }
const config: Cfg = { lifecycles, autorun: true };
export default config satisfies Cfg;
`,
    });
    const r = run(dir);
    expect(r.code).toBe(0);
    expect(r.json.warnings).toEqual([]);
    // The strict lifecycle came from the config: a sibling sees the unmutated original.
    expect(r.json.cells[2].output["text/plain"]).toBe("0");
  });

  it("does not read the plugin manifest field package.json#kernelkit as config", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p", kernelkit: { executor: "nope" } }),
      "nb.ts": NOTEBOOK,
    });
    const r = run(dir);
    expect(r.code).toBe(0);
    expect(r.json.executor).toBe("default");
  });

  it("searches upward but stops at the project's package.json", () => {
    const outer = project({ "kernelkit.config.json": JSON.stringify({ executor: "nope" }) });
    project({ "inner/package.json": JSON.stringify({ name: "inner" }), "inner/nb.ts": NOTEBOOK }, outer);
    expect(run(`${outer}/inner`).code).toBe(0);
    const up = project({
      "package.json": JSON.stringify({ name: "p" }),
      "kernelkit.config.json": JSON.stringify(MARK),
      "sub/dir/nb.ts": NOTEBOOK,
    });
    const r = run(`${up}/sub/dir`);
    expect(r.json.warnings[0]).toContain("markerKey");
  });

  it("--config PATH overrides the search; relative plugin paths resolve from its folder", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p" }),
      "nb.ts": NOTEBOOK,
      "kernelkit.config.json": JSON.stringify({ executor: "nope" }),
      "cfg/other.json": JSON.stringify({ plugins: ["./plugin.mjs"] }),
      "cfg/plugin.mjs": `export default { name: "hello", apply(kernel) { kernel.hooks.configured.tap("hello", () => process.stderr.write("hello-plugin-applied\\n")); } };`,
    });
    const r = run(dir, ["--config", "cfg/other.json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("hello-plugin-applied");
  });

  it("--config to a missing file is KK_CONFIG_NOT_FOUND, exit 2", () => {
    const dir = project({ "nb.ts": NOTEBOOK });
    const r = run(dir, ["--config", "missing.json"]);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("KK_CONFIG_NOT_FOUND");
  });
});

describe("config validation: coded, one-line explanations, exit 2 before any cell runs", () => {
  function bad(config: string, file = "kernelkit.config.json") {
    const dir = project({
      "package.json": JSON.stringify({ name: "p", type: "module" }),
      "nb.ts": "// %% side\nrequire('node:fs').writeFileSync('ran', '1')\n",
      [file]: config,
    });
    const r = run(dir);
    expect(r.code).toBe(2);
    expect(r.json.ok).toBe(false);
    expect(r.json.cells).toEqual([]);
    expect(r.json.error.message).not.toContain("\n");
    expect(r.stderr).toContain(r.json.error.code);
    expect(() => readFileSync(`${dir}/ran`)).toThrow();
    return r.json.error;
  }

  it("a config that is not an object", () => {
    const e = bad("[1, 2]");
    expect(e.code).toBe("KK_CONFIG_INVALID");
    expect(e.message).toContain("(config): expected an object, got an array");
    expect(bad('"strict"').message).toContain("got string");
    expect(bad("just text\n", ".kernelkitrc").message).toContain("expected an object");
  });

  it("wrong types: every problem with its path, what was expected and what was found", () => {
    const e = bad(
      JSON.stringify({
        executor: 5,
        lifecycles: "strict",
        plugins: [["ok"], 7],
        autorun: "yes",
        log: { level: "loud" },
      }),
    );
    expect(e.code).toBe("KK_CONFIG_INVALID");
    expect(e.message).toContain("5 problems");
    expect(e.message).toContain(
      "executor: expected a name, [name, options] or { use: name, options }, got number 5",
    );
    expect(e.message).toContain("lifecycles: expected an array of lifecycles");
    expect(e.message).toContain(
      "plugins[1]: expected a name, [name, options] or { use: name, options }, got number 7",
    );
    expect(e.message).toContain('autorun: expected a boolean, got string "yes"');
    expect(e.message).toContain('log.level: expected one of "trace"');
    expect(bad(JSON.stringify({ transport: { use: 3 } })).message).toContain(
      "transport.use: expected a plugin name or path (string), got number 3",
    );
  });

  it("unknown keys are warnings with a did-you-mean", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p" }),
      "nb.ts": NOTEBOOK,
      "kernelkit.config.json": JSON.stringify({
        executer: "default",
        lifecycle: [],
        log: { levle: "warn" },
        transport: { use: "stdio", option: {} },
      }),
    });
    const r = run(dir);
    expect(r.code).toBe(0);
    expect(r.json.warnings).toEqual([
      expect.stringMatching(/^KK_CONFIG_UNKNOWN_KEY: unknown key 'executer' .*\(did you mean 'executor'\?\)/),
      expect.stringMatching(/unknown key 'lifecycle' .*did you mean 'lifecycles'/),
      expect.stringMatching(/unknown key 'log.levle' .*did you mean 'level'/),
      expect.stringMatching(/unknown key 'transport.option' .*did you mean 'options'/),
    ]);
  });

  it("a config file with a syntax error", () => {
    const e = bad("{ executor: ");
    expect(e.code).toBe("KK_CONFIG_INVALID");
    expect(e.message).toMatch(/cannot load config .*kernelkit\.config\.json/);
  });

  it("a TypeScript config without a default export", () => {
    const e = bad("export const config = {};\n", "kernelkit.config.ts");
    expect(e.code).toBe("KK_CONFIG_INVALID");
    expect(e.message).toContain("has no default export");
  });

  it("a plugin path that does not exist", () => {
    const e = bad(JSON.stringify({ plugins: ["./missing-plugin.js"] }));
    expect(e.code).toBe("KK_PLUGIN_NOT_FOUND");
    expect(e.message).toContain("./missing-plugin.js");
  });

  it("a plugin module with no default export, or the wrong shape", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p", type: "module" }),
      "nb.ts": NOTEBOOK,
      "named.mjs": "export const plugin = { name: 'x', apply() {} };\n",
      "klass.mjs": "export default class Plugin { apply() {} }\n",
      "noapply.mjs": "export default { name: 'x' };\n",
    });
    for (const [file, text] of [
      ["named.mjs", "has no default export"],
      ["klass.mjs", "default-exports a class"],
      ["noapply.mjs", "has no 'apply' method"],
    ]) {
      project({ "kernelkit.config.json": JSON.stringify({ plugins: [`./${file}`] }) }, dir);
      const again = run(dir);
      expect(again.code).toBe(2);
      expect(again.json.error.code).toBe("KK_PLUGIN_SHAPE");
      expect(again.json.error.message).toContain(text);
    }
  });
});

describe("config plugins and hooks", () => {
  it("a config plugin counts postExecution calls", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p", type: "module" }),
      "nb.ts": "// %% a\nconst a = 1\n// %% b\nconst b = a + 1\n// %% c\nb * 2\n",
      "counter.mjs": `import { writeFileSync } from "node:fs";
export default (options) => ({
  name: "counter",
  apply(kernel) {
    let calls = 0;
    kernel.hooks.postExecution.tap("counter", (cell, result) => { calls++; });
    kernel.hooks.runFinished.tapPromise("counter", async () => writeFileSync(options.out, String(calls)));
  },
});`,
      "kernelkit.config.mjs": `export default { plugins: [["./counter.mjs", { out: ${JSON.stringify("count.txt")} }]] };`,
    });
    const r = run(dir);
    expect(r.code).toBe(0);
    expect(readFileSync(`${dir}/count.txt`, "utf8")).toBe("3");
  });

  it("a tap that throws is reported with the plugin's and the hook's names, and the run still produces its JSON", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p", type: "module" }),
      "nb.ts": NOTEBOOK,
      "flaky.mjs": `export default {
  name: "flaky",
  apply(kernel) {
    kernel.hooks.postExecution.tap("flaky", () => { throw new Error("tap exploded"); });
    kernel.hooks.preExecution.tapPromise({ name: "flaky", stage: -10 }, async () => {});
  },
};`,
      "kernelkit.config.json": JSON.stringify({ plugins: ["./flaky.mjs"] }),
    });
    const r = run(dir);
    expect(r.code).toBe(0);
    expect(r.json.ok).toBe(true);
    expect(r.json.cells.map((c: any) => c.status)).toEqual(["success", "success"]);
    expect(r.json.warnings).toContain(
      "KK_HOOK_FAILED: plugin 'flaky' failed in hook 'postExecution': tap exploded",
    );
  });

  it("a plugin whose apply throws is a startup error naming it", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p", type: "module" }),
      "nb.ts": NOTEBOOK,
      "bad.mjs": `export default { name: "badapply", apply() { throw new Error("apply failed"); } };`,
      "kernelkit.config.json": JSON.stringify({ plugins: ["./bad.mjs"] }),
    });
    const r = run(dir);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("KK_PLUGIN_CONSTRUCT");
    expect(r.json.error.message).toContain("badapply");
  });
});

describe("config scheduler", () => {
  it("uses a scheduler factory from a file, given the kernel's graph", () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p", type: "module" }),
      "nb.ts": "// %% a\nconst a = 1\n// %% b\nthrow new Error('b')\n// %% c\nconst c = 2\n",
      "lifo.mjs": `export default (options, ctx) => {
  let q = [];
  let stop = false;
  return {
    name: "lifo",
    enqueue(ids) { stop = false; q.push(...ids); },
    // Independent cells only here, so running the last one first is still a valid order.
    next() { return stop ? undefined : q.pop(); },
    cancel(id) { const d = ctx.graph.descendants([id]); const gone = new Set(q.filter((x) => d.has(x))); q = q.filter((x) => !gone.has(x)); return gone; },
    isCancelled: () => false,
    interrupt() { stop = true; },
  };
};`,
      "kernelkit.config.json": JSON.stringify({ scheduler: "./lifo.mjs", plugins: ["./order.mjs"] }),
      "order.mjs": `const seen = [];
export default { name: "order", apply(k) {
  k.hooks.preExecution.tap("order", (cell) => { seen.push(cell.id); });
  k.hooks.runFinished.tapPromise("order", async () => (await import("node:fs")).writeFileSync("order.txt", seen.join(",")));
} };`,
    });
    const r = run(dir);
    expect(r.code).toBe(1);
    expect(readFileSync(`${dir}/order.txt`, "utf8")).toBe("c,b,a");
  });
});
