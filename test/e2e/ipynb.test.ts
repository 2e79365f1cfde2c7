// .ipynb notebooks through the CLI: check, run, --output/--inplace (validated by nbformat and
// opened by nbclient), serve, and every bad input as one coded line with the input untouched.
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.ts";
import { HAVE_NBFORMAT, jupyterCheck } from "../helpers/nbformat.ts";
import { startServe } from "../helpers/serve.ts";

type Lang = "python" | "javascript" | "typescript";

/** A small nbformat 4.5 notebook: markdown, three code cells (stdout, stderr, a result), raw. */
function notebook(language: Lang, extra: Record<string, unknown> = {}) {
  const code: Record<Lang, string[]> = {
    python: [
      "import sys\nx = 21",
      "print('hello')\nprint('careful', file=sys.stderr)\nx * 2",
      "y = x + 1\ny",
    ],
    javascript: [
      "const x = 21;",
      "console.log('hello');\nconsole.error('careful');\nx * 2",
      "const y = x + 1;\ny",
    ],
    typescript: [
      "const x: number = 21;",
      "console.log('hello');\nconsole.error('careful');\nx * 2",
      "const y: number = x + 1;\ny",
    ],
  };
  const [a, b, c] = code[language];
  return {
    cells: [
      { cell_type: "markdown", id: "intro", metadata: {}, source: ["# Title\n", "\n", "Text"] },
      {
        cell_type: "code",
        execution_count: null,
        id: "load",
        metadata: { name: "load", collapsed: false },
        outputs: [],
        source: a,
      },
      { cell_type: "code", execution_count: null, id: "show", metadata: {}, outputs: [], source: b },
      { cell_type: "raw", id: "raw", metadata: { format: "text/plain" }, source: "raw text" },
      {
        cell_type: "code",
        execution_count: null,
        id: "last",
        metadata: { tags: ["name=last"] },
        outputs: [],
        source: c,
      },
    ],
    metadata: {
      kernelspec: { display_name: language, language, name: `some-${language}` },
      custom: { kept: [1, 2.5, "é"], nested: { deep: true } },
      ...extra,
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function write(dir: string, name: string, doc: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(doc, null, 1)}\n`);
  return file;
}

describe(".ipynb notebooks", () => {
  for (const language of ["javascript", "typescript", "python"] as const) {
    it(`run nb.ipynb --output out.ipynb writes a valid executed ${language} notebook`, () => {
      const dir = tempDir();
      const input = write(dir, "nb.ipynb", notebook(language));
      const before = readFileSync(input, "utf8");
      const r = runCli(["run", "nb.ipynb", "--output", "out.ipynb"], { cwd: dir });
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
      expect(readFileSync(input, "utf8")).toBe(before);
      const out = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8"));
      // Every byte of metadata kept, outputs in Jupyter's form.
      expect(out.metadata).toEqual(notebook(language).metadata);
      expect(out.cells.map((c: any) => c.id)).toEqual(["intro", "load", "show", "raw", "last"]);
      expect(out.cells[1].metadata).toEqual({ name: "load", collapsed: false });
      expect(out.cells[2].outputs).toEqual([
        { name: "stdout", output_type: "stream", text: ["hello\n"] },
        { name: "stderr", output_type: "stream", text: ["careful\n"] },
        { data: { "text/plain": ["42"] }, execution_count: 2, metadata: {}, output_type: "execute_result" },
      ]);
      expect(out.cells.map((c: any) => c.execution_count)).toEqual([undefined, 1, 2, undefined, 3]);
      expect(out.cells[4].outputs[0].data["text/plain"]).toEqual(["22"]);
      expect(readdirSync(dir).sort()).toEqual(["nb.ipynb", "out.ipynb"]); // no temporary file left
      if (HAVE_NBFORMAT) expect(jupyterCheck(join(dir, "out.ipynb"), language === "python")).toBe("ok");
    });
  }

  it("writes an error output for a cell that raised, and none for the cells it cancelled", () => {
    const dir = tempDir();
    const doc = notebook("javascript");
    doc.cells[1]!.source = "const x = 21;\nthrow new TypeError('boom');";
    write(dir, "nb.ipynb", doc);
    const r = runCli(["run", "nb.ipynb", "--output", "out.ipynb"], { cwd: dir });
    expect(r.code).toBe(1);
    const out = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8"));
    expect(out.cells[1].outputs).toHaveLength(1);
    expect(out.cells[1].outputs[0]).toMatchObject({
      output_type: "error",
      ename: "TypeError",
      evalue: "boom",
    });
    expect(out.cells[1].outputs[0].traceback.join("\n")).toContain("boom");
    expect(out.cells[2].outputs).toEqual([]);
    expect(out.cells[2].execution_count).toBeNull();
    if (HAVE_NBFORMAT) expect(jupyterCheck(join(dir, "out.ipynb"))).toBe("ok");
  });

  it("--inplace rewrites the input atomically, keeping its layout and metadata", () => {
    const dir = tempDir();
    const input = write(dir, "nb.ipynb", notebook("python"));
    chmodSync(input, 0o640);
    const r = runCli(["run", "nb.ipynb", "--inplace"], { cwd: dir });
    expect(r.code).toBe(0);
    const text = readFileSync(input, "utf8");
    expect(text.startsWith('{\n "cells": [')).toBe(true); // the one-space indent it had
    const out = JSON.parse(text);
    expect(out.metadata).toEqual(notebook("python").metadata);
    expect(out.cells[2].outputs.map((o: any) => o.output_type)).toEqual([
      "stream",
      "stream",
      "execute_result",
    ]);
    expect(statSync(input).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["nb.ipynb"]);
  });

  it("never writes the input without --output or --inplace", () => {
    const dir = tempDir();
    const input = write(dir, "nb.ipynb", notebook("javascript"));
    const before = readFileSync(input, "utf8");
    const r = runCli(["run", "nb.ipynb", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(input, "utf8")).toBe(before);
    const json = JSON.parse(r.stdout);
    expect(json.cells.map((c: any) => [c.id, c.name, c.kind, c.status])).toEqual([
      ["intro", null, "markdown", "success"],
      ["load", "load", "code", "success"],
      ["show", null, "code", "success"],
      ["raw", null, "raw", "disabled"],
      ["last", "last", "code", "success"],
    ]);
  });

  it("reads nbformat 4.0–4.4 (no cell ids) and language_info-only notebooks", () => {
    const dir = tempDir();
    const doc: any = notebook("typescript");
    doc.nbformat_minor = 4;
    for (const c of doc.cells) delete c.id;
    doc.metadata = { language_info: { name: "typescript" } };
    write(dir, "old.ipynb", doc);
    const r = runCli(["check", "old.ipynb", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.cells.map((c: any) => [c.name, c.kind])).toEqual([
      [null, "markdown"],
      ["load", "code"],
      [null, "code"],
      [null, "raw"],
      ["last", "code"],
    ]);
    expect(json.cells[1].id).toBe("load"); // no nbformat id: the name, as in percent files
    const run = runCli(["run", "old.ipynb", "--output", "out.ipynb"], { cwd: dir });
    expect(run.code).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, "out.ipynb"), "utf8"));
    expect(out.nbformat_minor).toBe(4);
    expect(out.cells[1].id).toBeUndefined();
    if (HAVE_NBFORMAT) expect(jupyterCheck(join(dir, "out.ipynb"))).toBe("ok");
  });

  it("serves an .ipynb notebook: its cells run by their nbformat ids", async () => {
    const dir = tempDir();
    write(dir, "nb.ipynb", notebook("javascript"));
    const s = startServe(["nb.ipynb"], { cwd: dir });
    try {
      const frames = await s.request({ id: "r", type: "run_cells", cellIds: ["last"] });
      expect(frames.at(-1)).toMatchObject({ type: "run_done", ok: true });
      const result = frames.find((f) => f.type === "result" && f.cellId === "last");
      expect(result).toMatchObject({ bundle: { "text/plain": "22" } });
    } finally {
      await s.close();
    }
  });
});

describe("bad .ipynb input: one coded line, exit 2, input untouched", () => {
  const cases: [string, string | ((dir: string) => string), string[], string][] = [
    ["invalid JSON", '{"cells": [', [], "KK_IPYNB_INVALID_JSON"],
    [
      "nbformat 3",
      JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [] }),
      [],
      "KK_IPYNB_UNSUPPORTED_VERSION",
    ],
    [
      "no language metadata",
      JSON.stringify({ ...notebook("python"), metadata: { custom: 1 } }),
      [],
      "KK_IPYNB_NO_LANGUAGE",
    ],
    [
      "an unknown language",
      JSON.stringify({ ...notebook("python"), metadata: { language_info: { name: "cobol" } } }),
      [],
      "KK_IPYNB_UNKNOWN_LANGUAGE",
    ],
    [
      "a document that breaks the nbformat schema",
      JSON.stringify({ ...notebook("python"), cells: [{ cell_type: "code", source: "1" }] }),
      [],
      "KK_IPYNB_INVALID",
    ],
    [
      "an output path in a missing folder",
      JSON.stringify(notebook("python")),
      ["--output", "missing/folder/out.ipynb"],
      "KK_IPYNB_OUTPUT_FOLDER",
    ],
  ];
  for (const [what, content, args, code] of cases) {
    it(what, () => {
      const dir = tempDir();
      const input = join(dir, "nb.ipynb");
      writeFileSync(input, typeof content === "string" ? content : content(dir));
      const before = readFileSync(input, "utf8");
      for (const json of [false, true]) {
        const r = runCli(["run", "nb.ipynb", ...args, ...(json ? ["--json"] : [])], { cwd: dir });
        expect(r.code).toBe(2);
        const first = r.stderr.split("\n")[0]!;
        expect(first).toMatch(new RegExp(`^kernelkit: error ${code}: (nb\\.ipynb|cannot write missing)`));
        expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2); // the line and its hint
        if (json) expect(JSON.parse(r.stdout).error.code).toBe(code);
      }
      expect(readFileSync(input, "utf8")).toBe(before);
      expect(existsSync(join(dir, "missing"))).toBe(false);
    });
  }

  it("--inplace on a read-only file", () => {
    const dir = tempDir();
    const input = write(dir, "nb.ipynb", notebook("python"));
    chmodSync(input, 0o444);
    const before = readFileSync(input, "utf8");
    const r = runCli(["run", "nb.ipynb", "--inplace"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^kernelkit: error KK_IPYNB_READ_ONLY: nb\.ipynb is read-only/);
    expect(r.stdout).toBe(""); // nothing ran
    expect(readFileSync(input, "utf8")).toBe(before);
  });

  it("--inplace on a percent file is a usage error", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nb.py"), "# %%\nx = 1\n");
    const r = runCli(["run", "nb.py", "--inplace"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/KK_USAGE: --inplace needs an .ipynb notebook/);
  });
});
