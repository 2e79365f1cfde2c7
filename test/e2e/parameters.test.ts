// `run -p NAME VALUE` / `--parameters FILE` (papermill's convention) on percent and .ipynb
// notebooks, JS/TS and Python.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.ts";
import { HAVE_NBFORMAT, jupyterCheck } from "../helpers/nbformat.ts";

const TS = [
  '// %% params tags=["parameters"]',
  "const alpha: number = 1;",
  'const label = "default";',
  "// %% use",
  'label + ": " + alpha * 2',
  "",
].join("\n");

const PY = [
  '# %% params tags=["parameters"]',
  "alpha = 1",
  "flag = False",
  "# %% use",
  "(alpha * 2, flag)",
  "",
].join("\n");

function ipynb(language: "python" | "typescript", params: string, use: string) {
  return {
    cells: [
      {
        cell_type: "code",
        execution_count: null,
        id: "p",
        metadata: { tags: ["parameters"] },
        outputs: [],
        source: params,
      },
      { cell_type: "code", execution_count: null, id: "u", metadata: {}, outputs: [], source: use },
    ],
    metadata: { language_info: { name: language } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function run(name: string, text: string, args: string[]) {
  const dir = tempDir();
  writeFileSync(join(dir, name), text);
  const r = runCli(["run", name, "--json", ...args], { cwd: dir });
  return { ...r, dir, json: r.stdout ? JSON.parse(r.stdout) : null };
}

const output = (json: any, i: number) => json.cells[i].output?.["text/plain"];

describe("parameters (reactive mode)", () => {
  it("-p sets TS names right after the parameters cell; VALUE is JSON, else a string", () => {
    const r = run("nb.ts", TS, ["-p", "alpha", "5", "-p", "label", "hello world"]);
    expect(r.code).toBe(0);
    expect(output(r.json, 1)).toBe("'hello world: 10'");
    expect(output(run("nb.ts", TS, []).json, 1)).toBe("'default: 2'");
  });

  it("-p sets Python names; true/false/null and lists arrive as Python values", () => {
    const r = run("nb.py", PY, ["-p", "alpha", "[1, 2]", "-p", "flag", "true"]);
    expect(r.code).toBe(0);
    expect(output(r.json, 1)).toBe("([1, 2, 1, 2], True)");
  });

  it("--parameters FILE.json, with -p winning over it", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "p.json"), JSON.stringify({ alpha: 3, label: "file" }));
    writeFileSync(join(dir, "nb.ts"), TS);
    const r = runCli(["run", "nb.ts", "--json", "--parameters", "p.json", "-p", "label", "flag"], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(output(JSON.parse(r.stdout), 1)).toBe("'flag: 6'");
  });

  it("works on .ipynb notebooks, Python and TypeScript", () => {
    const py = run("nb.ipynb", JSON.stringify(ipynb("python", "n = 1", "n * 10")), ["-p", "n", "4"]);
    expect(output(py.json, 1)).toBe("40");
    const ts = run("nb.ipynb", JSON.stringify(ipynb("typescript", "const n: number = 1;", "n * 10")), [
      "-p",
      "n",
      "4",
    ]);
    expect(output(ts.json, 1)).toBe("40");
  });

  it("a name the parameters cell does not define is exit 2 with a did-you-mean", () => {
    const r = run("nb.ts", TS, ["-p", "alpah", "5"]);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("KK_UNKNOWN_PARAMETER");
    expect(r.stderr).toContain("parameter 'alpah' is not defined by the parameters cell");
    expect(r.stderr).toContain("Did you mean 'alpha'?");
  });

  it("-p without a cell tagged parameters is exit 2", () => {
    const r = run("nb.py", "# %%\nx = 1\n", ["-p", "x", "2"]);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("KK_NO_PARAMETERS_CELL");
  });

  it("the executed --output notebook shows the values the run used", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nb.ipynb"), JSON.stringify(ipynb("python", "n = 1", "n * 10")));
    const r = runCli(["run", "nb.ipynb", "-p", "n", "7", "--output", "out.ipynb"], { cwd: dir });
    expect(r.code).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8"));
    expect(out.cells.at(-1).outputs[0].data["text/plain"]).toEqual(["70"]);
    if (HAVE_NBFORMAT) expect(jupyterCheck(join(dir, "out.ipynb"))).toBe("ok");
  });
});

describe("parameters (reactive mode): the injected cell in --output", () => {
  it("saves an injected-parameters cell after the parameters cell, as sequential mode does (ipynb, Python)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nb.ipynb"), JSON.stringify(ipynb("python", "n = 1", "n * 10")));
    const r = runCli(["run", "nb.ipynb", "--json", "-p", "n", "7", "--output", "out.ipynb"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    // The run itself: the notebook's own cells, the values applied after the parameters cell.
    expect(JSON.parse(r.stdout).cells.map((c: any) => c.id)).toEqual(["p", "u"]);
    const out = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8"));
    expect(out.cells.map((c: any) => c.metadata.tags ?? [])).toEqual([
      ["parameters"],
      ["injected-parameters"],
      [],
    ]);
    expect(out.cells[1].source.join("")).toBe("# Parameters\nn = 7");
    expect(out.cells[1]).toMatchObject({ outputs: [], execution_count: null });
    expect(out.cells[2].outputs[0].data["text/plain"]).toEqual(["70"]);
    if (HAVE_NBFORMAT) expect(jupyterCheck(join(dir, "out.ipynb"), true)).toBe("ok");

    // check agrees with run: the saved cell is no second definition of n.
    const check = runCli(["check", "out.ipynb", "--json"], { cwd: dir });
    expect(check.code, check.stdout).toBe(0);
    expect(JSON.parse(check.stdout).cells).toHaveLength(3);
    // Run again as saved: the saved values apply (no multiple-definition error), the cell stays.
    const again = runCli(["run", "out.ipynb", "--json", "--inplace"], { cwd: dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const rerun = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8"));
    expect(rerun.cells).toHaveLength(3);
    expect(rerun.cells[2].outputs[0].data["text/plain"]).toEqual(["70"]);

    // With new values: the old injected cell is replaced.
    const third = runCli(["run", "out.ipynb", "-p", "n", "3", "--inplace"], { cwd: dir });
    expect(third.code, third.stderr).toBe(0);
    const replaced = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8"));
    expect(replaced.cells.map((c: any) => [c.source].flat().join(""))).toEqual([
      "n = 1",
      "# Parameters\nn = 3",
      "n * 10",
    ]);
    expect(replaced.cells[2].outputs[0].data["text/plain"]).toEqual(["30"]);
  });

  it("a percent TS notebook's --output holds the injected cell with JS literals, and runs again as saved", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nb.ts"), TS);
    const r = runCli(["run", "nb.ts", "-p", "alpha", "5", "-p", "label", "hi", "--output", "out.ipynb"], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8"));
    expect(out.cells[1].metadata.tags).toEqual(["injected-parameters"]);
    expect(out.cells[1].source.join("")).toBe('// Parameters\nconst alpha = 5;\nconst label = "hi";');
    expect(out.cells[2].outputs[0].data["text/plain"]).toEqual(["'hi: 10'"]);
    const again = runCli(["run", "out.ipynb", "--json"], { cwd: dir });
    expect(again.code, again.stdout).toBe(0);
    expect(output(JSON.parse(again.stdout), 1)).toBe("'hi: 10'");
  });
});

describe("parameters (sequential mode)", () => {
  it("injects an injected-parameters cell after the parameters cell (percent, TS)", () => {
    const r = run("nb.ts", TS, ["--mode", "sequential", "-p", "alpha", "5"]);
    expect(r.code).toBe(0);
    expect(r.json.cells.map((c: any) => c.id)).toEqual(["params", "injected-parameters", "use"]);
    expect(output(r.json, 2)).toBe("'default: 10'");
  });

  it("saves the injected cell in --output, and replaces it on the next run (ipynb, Python)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nb.ipynb"), JSON.stringify(ipynb("python", "n = 1", "n * 10")));
    const first = runCli(
      ["run", "nb.ipynb", "--mode", "sequential", "-p", "n", "7", "--output", "out.ipynb"],
      {
        cwd: dir,
      },
    );
    expect(first.code).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8"));
    expect(out.cells.map((c: any) => c.metadata.tags ?? [])).toEqual([
      ["parameters"],
      ["injected-parameters"],
      [],
    ]);
    expect(out.cells[1].source.join("")).toBe("# Parameters\nn = 7");
    expect(out.cells[2].outputs[0].data["text/plain"]).toEqual(["70"]);
    if (HAVE_NBFORMAT) expect(jupyterCheck(join(dir, "out.ipynb"), true)).toBe("ok");
    const again = runCli(["run", "out.ipynb", "--mode", "sequential", "-p", "n", "2", "--inplace"], {
      cwd: dir,
    });
    expect(again.code).toBe(0);
    const twice = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8"));
    expect(twice.cells).toHaveLength(3);
    expect(twice.cells[1].source.join("")).toBe("# Parameters\nn = 2");
    expect(twice.cells[2].outputs[0].data["text/plain"]).toEqual(["20"]);
  });

  it("a name the parameters cell does not define is exit 2 in sequential mode too", () => {
    const r = run("nb.py", PY, ["--mode", "sequential", "-p", "alhpa", "2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Did you mean 'alpha'?");
  });
});
