// percent → ipynb → percent and ipynb → percent → ipynb keep cells, kinds, names and metadata,
// over the varied notebooks in test/fixtures/notebooks.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { convertedText } from "../src/formats/convert.ts";
import { nbformatProblem } from "../src/formats/ipynb-schema.ts";
import { loadNotebookFile, type NotebookFile } from "../src/load-notebook.ts";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/notebooks/", import.meta.url));
const files = readdirSync(FIXTURES).sort();
const percent = files.filter((f) => extname(f) !== ".ipynb");
const ipynb = files.filter((f) => extname(f) === ".ipynb");

/** What a round trip must keep: per cell its kind, name, code, state and metadata; the notebook's metadata. */
function model(file: NotebookFile) {
  return {
    language: file.notebook.language,
    typescript: file.notebook.typescript,
    metadata: file.metadata,
    cells: file.notebook.cells.map((c) => ({
      kind: c.type,
      name: c.name,
      code: c.code,
      disabled: c.disabled,
      metadata: c.metadata,
    })),
  };
}

function convert(from: string, ext: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kk-convert-"));
  const out = join(dir, `converted${ext}`);
  writeFileSync(out, convertedText(loadNotebookFile(from), out));
  return out;
}

describe("convert round trips", () => {
  it("has a folder of varied notebooks to convert", () => {
    expect(percent.length).toBeGreaterThanOrEqual(6);
    expect(ipynb.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of percent) {
    it(`percent → ipynb → percent keeps ${name}`, () => {
      const original = loadNotebookFile(join(FIXTURES, name));
      const nb = convert(join(FIXTURES, name), ".ipynb");
      const doc = loadNotebookFile(nb);
      expect(nbformatProblem(doc.document, 5)).toBeNull();
      expect(model(doc).cells).toEqual(model(original).cells);
      const back = loadNotebookFile(convert(nb, extname(name)));
      expect(model(back)).toEqual(model(original));
    });
  }

  for (const name of ipynb) {
    it(`ipynb → percent → ipynb keeps ${name}`, () => {
      const original = loadNotebookFile(join(FIXTURES, name));
      const ext =
        original.notebook.language === "python" ? ".py" : original.notebook.typescript ? ".ts" : ".js";
      const text = convert(join(FIXTURES, name), ext);
      const mid = loadNotebookFile(text);
      expect(model(mid).cells).toEqual(model(original).cells);
      const back = loadNotebookFile(convert(text, ".ipynb"));
      expect(nbformatProblem(back.document, 5)).toBeNull();
      expect(model(back)).toEqual(model(original));
    });
  }

  it("reads every kind the fixtures show as jupytext does", () => {
    const md = loadNotebookFile(join(FIXTURES, "markdown-raw.py")).notebook.cells;
    expect(md.map((c) => c.type)).toEqual(["markdown", "code", "markdown", "raw", "code"]);
    expect(md[2]!.code).toBe(
      "Written as a triple-quoted string,\nas jupytext's `cell_markers` option writes it.",
    );
    const yaml = loadNotebookFile(join(FIXTURES, "yaml-raw.py")).notebook.cells;
    expect(yaml.map((c) => [c.type, c.code])).toEqual([
      ["raw", "---\ntitle: A notebook with front matter\nauthor: someone\n---"],
      ["code", "x = 1"],
    ]);
    const tags = loadNotebookFile(join(FIXTURES, "metadata-tags.ts")).notebook.cells;
    expect(tags.map((c) => c.name)).toEqual(["params", null, null, "scaled", "Load the data", null, "odd"]);
    expect(tags[6]!.metadata).toEqual({ "key with spaces": 1, "k=v": [true, null] });
    expect(loadNotebookFile(join(FIXTURES, "crlf.js")).notebook.cells.map((c) => c.code)).toEqual([
      "const a = 1;",
      "windows line endings",
      "a + 1",
    ]);
  });
});
