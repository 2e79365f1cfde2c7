// Sequential mode (docs/modes.md): notebooks written top to bottom, as Jupyter runs them, each
// the smallest notebook showing what used to break.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runJson, tempDir } from "../helpers/cli.ts";
import { startServe } from "../helpers/serve.ts";

const JUPYTER_STYLE_PY = `# %% load
import os
x = 1
# %% again
import os
for i in range(3):
    pass
# %% bump
x += 1
for i in range(2):
    pass
x
`;

describe("run --mode sequential", () => {
  it("runs a Python notebook that imports twice, reuses a loop variable and reassigns a name", () => {
    const r = runJson(JUPYTER_STYLE_PY, { name: "nb.py", args: ["--mode", "sequential"] });
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, mode: "sequential" });
    expect(r.json.cells.map((c: any) => c.status)).toEqual(["success", "success", "success"]);
    expect(r.cell("bump").output["text/plain"]).toBe("2");
    // Analysis still reports names.
    expect(r.cell("load").defs).toEqual(expect.arrayContaining(["os", "x"]));
    expect(r.cell("again").defs).toEqual(expect.arrayContaining(["os", "i"]));
  });

  it("in reactive mode the same notebook fails with one error per cell naming every conflicting name", () => {
    const r = runJson(JUPYTER_STYLE_PY, { name: "nb.py" });
    expect(r.code).toBe(1);
    expect(r.json.mode).toBe("reactive");
    const load = r.cell("load");
    expect(load.status).toBe("error");
    expect(load.error.code).toBe("KK_MULTIPLE_DEFINITION");
    expect(load.error.message).toContain("'os'");
    expect(load.error.message).toContain("'x'");
    expect(r.cell("again").error.message).toMatch(/'os'.*'i'/);
  });

  it("runs a JS notebook that redefines a const and reassigns a let of an earlier cell", () => {
    const r = runJson(
      `// %% a
let x = 1;
const label = "first";
// %% b
const label = "second";
x += 1;
// %% c
[x, label]
`,
      { args: ["--mode", "sequential"] },
    );
    expect(r.code).toBe(0);
    expect(r.cell("c").output["text/plain"]).toContain("2");
    expect(r.cell("c").output["text/plain"]).toContain("second");
  });

  it("runs cells in file order, not dependency order: a read before the definition fails", () => {
    const r = runJson(
      `// %% early
later + 1
// %% def
const later = 1;
`,
      { args: ["--mode", "sequential", "--continue-on-error"] },
    );
    expect(r.code).toBe(1);
    expect(r.cell("early").status).toBe("exception");
    expect(r.cell("early").error.message).toContain("later is not defined");
    expect(r.cell("def").status).toBe("success");
  });

  it("an exception cancels every later cell, naming the cell that raised", () => {
    const r = runJson(
      `// %% ok
const a = 1;
// %% boom
throw new Error("boom");
// %% unrelated
console.log("never");
`,
      { args: ["--mode", "sequential"] },
    );
    expect(r.code).toBe(1);
    expect(r.cell("boom").status).toBe("exception");
    expect(r.cell("unrelated")).toMatchObject({ status: "cancelled", stdout: "" });
    expect(r.cell("unrelated").error).toMatchObject({ code: "KK_CANCELLED" });
    expect(r.cell("unrelated").error.message).toContain("'boom'");
  });

  it("--continue-on-error runs the cells after a failure", () => {
    const r = runJson(
      `# %% boom
raise ValueError("boom")
# %% after
print("after")
`,
      { name: "nb.py", args: ["--mode", "sequential", "--continue-on-error"] },
    );
    expect(r.code).toBe(1);
    expect(r.cell("boom").status).toBe("exception");
    expect(r.cell("after")).toMatchObject({ status: "success", stdout: "after\n" });
  });

  it("a syntax error stops the run like an exception", () => {
    const r = runJson(
      `// %% broken
const = 1;
// %% after
1
`,
      { args: ["--mode", "sequential"] },
    );
    expect(r.cell("broken").status).toBe("error");
    expect(r.cell("after").status).toBe("cancelled");
    expect(r.cell("after").error.message).toContain("'broken'");
  });

  it("takes the mode from the config; --mode overrides it", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "kernelkit.config.json"), JSON.stringify({ mode: "sequential" }));
    const r = runJson(JUPYTER_STYLE_PY, { name: "nb.py", dir });
    expect(r.code).toBe(0);
    expect(r.json.mode).toBe("sequential");
    const reactive = runJson(JUPYTER_STYLE_PY, { name: "nb.py", dir, args: ["--mode", "reactive"] });
    expect(reactive.code).toBe(1);
  });

  it("rejects an unknown mode in the config and on the command line", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "kernelkit.config.json"), JSON.stringify({ mode: "parallel" }));
    writeFileSync(join(dir, "nb.js"), "1\n");
    const bad = runCli(["run", "nb.js"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("KK_CONFIG_INVALID");
    expect(bad.stderr).toContain("mode");
    const flag = runCli(["run", join(dir, "nb.js"), "--mode", "parallel", "--config", "/dev/null"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/reactive.*sequential/);
  });
});

describe("serve and the config's mode", () => {
  it("a served notebook runs in the config's mode: redefinitions run, kernel_info says sequential", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "kernelkit.config.json"), JSON.stringify({ mode: "sequential" }));
    writeFileSync(join(dir, "nb.js"), "// %% a\nlet x = 1;\n// %% b\nlet x = 2;\nx\n");
    const s = startServe([join(dir, "nb.js")], { cwd: dir });
    try {
      const [info] = await s.request({ id: "k", type: "kernel_info" });
      expect(info).toMatchObject({ type: "kernel_info_reply", mode: "sequential" });
      const frames = await s.request({ id: "r", type: "run_cells", cellIds: ["a", "b"] }, 30_000);
      const results = frames.filter((f) => f.type === "result");
      expect(results.at(-1)).toMatchObject({ bundle: { "text/plain": "2" } });
      expect(frames.filter((f) => f.type === "error")).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
