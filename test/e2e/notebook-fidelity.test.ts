// The defects real jupytext / VS Code notebooks showed (issue 16), each as the smallest
// notebook that shows it, through `check` and `run` as a user runs them.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runJson, tempDir } from "../helpers/cli.ts";

function file(name: string, text: string): { dir: string; path: string } {
  const dir = tempDir();
  const path = join(dir, name);
  writeFileSync(path, text);
  return { dir, path };
}

function checkJson(name: string, text: string) {
  const { dir } = file(name, text);
  const r = runCli(["check", name, "--json"], { cwd: dir });
  return { ...r, json: JSON.parse(r.stdout) };
}

describe("jupytext fidelity", () => {
  it("metadata keys with '/' or '@' stay metadata: two such markdown headers are two markdown cells", () => {
    const r = checkJson(
      "nb.py",
      '# %% [markdown] a/b=1\n# one\n\n# %% [markdown] @deathbeds/jupyterlab-fonts={"x": 1}\n# two\n',
    );
    expect(r.code).toBe(0);
    expect(r.json.cells.map((c: any) => [c.name, c.kind, c.status])).toEqual([
      [null, "markdown", "ok"],
      [null, "markdown", "ok"],
    ]);
  });

  it("a triple-quoted markdown cell holds the text without the quotes", () => {
    const r = runJson("# %% [markdown]\n\"\"\"\n# Title\ntext\n\"\"\"\n\n# %% [markdown]\nr'''\nraw\n'''\n", {
      name: "nb.py",
    });
    expect(r.json.cells.map((c: any) => c.output["text/markdown"])).toEqual(["# Title\ntext", "raw"]);
  });

  it("a leading non-jupyter YAML block is restored as a raw cell", () => {
    const r = checkJson("nb.py", "# ---\n# title: Report\n# ---\n\n# %%\nx = 1\n");
    expect(r.json.cells.map((c: any) => c.kind)).toEqual(["raw", "code"]);
  });

  it("check of a notebook of raw and markdown cells lists them all, with their kinds", () => {
    const { dir } = file("nb.ts", "// %% [markdown]\n// # Title\n\n// %% [raw]\n// raw\n");
    const human = runCli(["check", "nb.ts"], { cwd: dir });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("[1]  markdown");
    expect(human.stdout).toContain("[2]  raw");
    expect(human.stdout).toContain("2 cells, no errors");
    const json = JSON.parse(runCli(["check", "nb.ts", "--json"], { cwd: dir }).stdout);
    expect(json.cells.map((c: any) => c.kind)).toEqual(["markdown", "raw"]);
  });

  it("a raw cell and a disabled code cell differ by kind in both JSONs", () => {
    const text = "// %% [raw]\n// const a = 1;\n\n// %% [disabled]\nconst b = 1;\n";
    const check = checkJson("nb.ts", text);
    expect(check.json.cells.map((c: any) => c.kind)).toEqual(["raw", "code"]);
    const run = runJson(text);
    expect(run.json.cells.map((c: any) => [c.kind, c.status])).toEqual([
      ["raw", "disabled"],
      ["code", "disabled"],
    ]);
  });
});

describe("human output", () => {
  it("names cells [n] name, counting every cell, also in messages about another cell", () => {
    const { dir } = file(
      "nb.ts",
      [
        "// %% [markdown]",
        "// # Intro",
        "// %% load",
        "const x = 1;",
        "throw new Error('no data');",
        "// %%",
        "x + 1",
        "// %% [raw]",
        "// raw",
        "// %% twice",
        "const y = 1;",
        "// %%",
        "const y = 2;",
      ].join("\n"),
    );
    const r = runCli(["run", "nb.ts"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ \[2\] load {2}exception/);
    expect(r.stdout).toContain("○ [3]  cancelled");
    expect(r.stdout).toContain("cancelled: ancestor cell [2] load raised an error");
    expect(r.stdout).toMatch(/also by \[6\]/);
    expect(r.stdout).not.toMatch(/'[0-9a-f]{12}'/); // no bare hash ids
    expect(r.stdout).toMatch(/\n6 cells: .*1 markdown, 1 raw/);
  });

  it('says "1 cell"', () => {
    const { dir } = file("nb.ts", "// %%\n1 + 1\n");
    const r = runCli(["run", "nb.ts"], { cwd: dir });
    expect(r.stdout).toMatch(/\n1 cell: 1 success/);
    const check = runCli(["check", "nb.ts"], { cwd: dir });
    expect(check.stdout).toContain("1 cell, no errors");
  });

  it("prints a cell's stderr on stderr, so 2>/dev/null hides it", () => {
    const { dir } = file("nb.ts", '// %% noisy\nconsole.log("to stdout");\nconsole.error("to stderr");\n');
    const r = runCli(["run", "nb.ts"], { cwd: dir });
    expect(r.stdout).toContain("to stdout");
    expect(r.stdout).not.toContain("to stderr");
    expect(r.stderr).toContain("to stderr");
  });

  it("does not repeat an exception's first line at the end of its traceback", () => {
    const { dir } = file("nb.py", '# %% boom\ndef f():\n    raise ValueError("bad value")\nf()\n');
    const r = runCli(["run", "nb.py"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout.match(/ValueError: bad value/g)).toHaveLength(1);
    expect(r.stdout).toContain("Traceback (most recent call last):");
    expect(r.stdout).toContain("in <cell [1] boom>");
  });

  it("prints every duration in one format", () => {
    const { dir } = file(
      "nb.ts",
      "// %% a\nconst a = 1;\n// %% b\nconst until = Date.now() + 30; while (Date.now() < until) {}\n",
    );
    const r = runCli(["run", "nb.ts"], { cwd: dir });
    const durations = r.stdout.match(/[<\d.]+ m?s\b/g) ?? [];
    expect(durations.length).toBe(3);
    for (const d of durations) expect(d).toMatch(/^(<0\.1 ms|\d+\.\d ms|\d+\.\d\d s)$/);
  });
});

describe("kernelkit convert", () => {
  it("converts percent → ipynb → percent, keeping names, kinds and metadata", () => {
    const { dir } = file(
      "nb.py",
      '# %% load tags=["parameters"]\nx = 1\n\n# %% [markdown] a/b=1\n# Text\n\n# %% [raw]\n# raw\n',
    );
    const to = runCli(["convert", "nb.py", "nb.ipynb"], { cwd: dir });
    expect(to.code).toBe(0);
    expect(to.stderr).toContain("wrote nb.ipynb (3 cells)");
    const doc = JSON.parse(readFileSync(join(dir, "nb.ipynb"), "utf8"));
    expect(doc.cells.map((c: any) => [c.cell_type, c.metadata])).toEqual([
      ["code", { name: "load", tags: ["parameters"] }],
      ["markdown", { "a/b": 1 }],
      ["raw", {}],
    ]);
    expect(runCli(["convert", "nb.ipynb", "back.py"], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, "back.py"), "utf8")).toBe(readFileSync(join(dir, "nb.py"), "utf8"));
  });

  it("refuses to write over its input or into a missing folder", () => {
    const { dir } = file("nb.py", "# %%\nx = 1\n");
    expect(runCli(["convert", "nb.py", "nb.py"], { cwd: dir }).code).toBe(2);
    const r = runCli(["convert", "nb.py", "nope/nb.ipynb"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("KK_IPYNB_OUTPUT_FOLDER");
  });
});
