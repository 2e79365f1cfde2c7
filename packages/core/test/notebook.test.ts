import { contentCellId, notebookKind, parseNotebook } from "@kernelkit/core";
import { describe, expect, it } from "vitest";

describe("parseNotebook (percent format)", () => {
  it("splits cells at markers and takes names, types and metadata from the header", () => {
    const nb = parseNotebook(
      [
        "// %% load",
        "const x = 1;",
        "",
        '// %% totals tags=["report", "x y"] answer=42',
        "x + 1",
        "// %% notes [markdown]",
        "// # Title",
        "// some *text*",
        "// %% [disabled]",
        "const off = 1;",
        "// %% raw cell [raw]",
        "raw text",
        "// %% flagged disabled=true",
        "const f = 2;",
      ].join("\n"),
      { path: "/tmp/nb.ts" },
    );
    expect(nb.language).toBe("javascript");
    expect(nb.typescript).toBe(true);
    expect(nb.cells.map((c) => [c.id, c.type, c.disabled])).toEqual([
      ["load", "code", false],
      ["totals", "code", false],
      ["notes", "markdown", false],
      [contentCellId("const off = 1;", 0), "code", true],
      ["raw cell", "raw", false],
      ["flagged", "code", true],
    ]);
    expect(nb.cells[1]!.metadata).toEqual({ tags: ["report", "x y"], answer: 42 });
    expect(nb.cells[2]!.code).toBe("# Title\nsome *text*");
    expect(nb.cells[0]!.code).toBe("const x = 1;");
    expect(nb.cells[0]!.line).toBe(2);
    expect(nb.cells[1]!.line).toBe(5);
  });

  it("makes code before the first marker a cell and skips jupytext front matter", () => {
    const py = parseNotebook(
      [
        "# ---",
        "# jupyter:",
        "#   jupytext:",
        "#     text_representation: {}",
        "# ---",
        "",
        "import os",
        "",
        "# %%",
        "print(os.name)",
      ].join("\n"),
      { path: "x.py" },
    );
    expect(py.language).toBe("python");
    expect(py.cells.map((c) => c.code)).toEqual(["import os", "print(os.name)"]);
    expect(py.cells[0]!.line).toBe(7);
  });

  it("gives unnamed cells content ids that survive edits to other cells", () => {
    const a = parseNotebook("// %%\nconst a = 1;\n// %%\nconst b = 2;\n// %%\nconst a = 1;");
    const b = parseNotebook("// %%\nconst a = 1;\n// %%\nconst b = 3;\n// %%\nconst a = 1;");
    expect(a.cells[0]!.id).toBe(b.cells[0]!.id);
    expect(a.cells[2]!.id).toBe(b.cells[2]!.id);
    expect(a.cells[0]!.id).not.toBe(a.cells[2]!.id); // same content: occurrence index differs
    expect(a.cells[1]!.id).not.toBe(b.cells[1]!.id);
  });

  it("rejects two cells with one name, naming both lines", () => {
    expect(() => parseNotebook("// %% a\nconst x = 1;\n// %% a\nconst y = 2;")).toThrow(
      expect.objectContaining({
        code: "KK_DUPLICATE_NAME",
        message: expect.stringContaining("lines 1 and 3"),
      }),
    );
  });

  it("handles an empty file, CRLF line endings and a BOM", () => {
    expect(parseNotebook("").cells).toEqual([]);
    const nb = parseNotebook("\ufeff// %% a\r\nconst x = 1;\r\n");
    expect(nb.cells[0]!.code).toBe("const x = 1;");
  });

  it("loads a notebook written by jupytext unchanged", () => {
    const text = [
      "// ---",
      "// jupyter:",
      "//   jupytext:",
      "//     formats: ts:percent",
      "//     text_representation:",
      "//       extension: .ts",
      "//       format_name: percent",
      "//       format_version: '1.3'",
      "//   kernelspec:",
      "//     display_name: TypeScript",
      "//     name: tslab",
      "// ---",
      "",
      "// %% [markdown]",
      "// # A report",
      "",
      "// %%",
      "const n: number = 3;",
      "",
      '// %% tags=["parameters"]',
      "n * 2",
      "",
    ].join("\n");
    const nb = parseNotebook(text, { path: "r.ts" });
    expect(nb.cells.map((c) => c.type)).toEqual(["markdown", "code", "code"]);
    expect(nb.cells[2]!.metadata).toEqual({ tags: ["parameters"] });
  });

  it("knows notebook kinds by extension", () => {
    expect(notebookKind("a.mts")).toEqual({ language: "javascript", typescript: true, lineComment: "//" });
    expect(notebookKind("a.mjs")).toEqual({ language: "javascript", typescript: false, lineComment: "//" });
    expect(notebookKind("a.py")?.language).toBe("python");
    expect(notebookKind("a.txt")).toBeNull();
  });
});
