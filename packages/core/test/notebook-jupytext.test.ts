// Percent files read the way jupytext reads them (issue: notebooks people already have).
import { parseNotebook } from "@kernelkit/core";
import { describe, expect, it } from "vitest";

describe("percent notebooks as jupytext writes them", () => {
  it("takes metadata keys with '/' and '@' as metadata, never as the title", () => {
    const nb = parseNotebook(
      [
        "# %% [markdown] a/b=1",
        "# first",
        '# %% [markdown] @deathbeds/jupyterlab-fonts={"x": 1}',
        "# second",
        '# %% load tags=["a"] jupyter/x={"y": [1, 2]}',
        "x = 1",
      ].join("\n"),
      { path: "n.py" },
    );
    expect(nb.cells.map((c) => [c.type, c.name])).toEqual([
      ["markdown", null],
      ["markdown", null],
      ["code", "load"],
    ]);
    expect(nb.cells[0]!.metadata).toEqual({ "a/b": 1 });
    expect(nb.cells[1]!.metadata).toEqual({ "@deathbeds/jupyterlab-fonts": { x: 1 } });
    expect(nb.cells[2]!.metadata).toEqual({ tags: ["a"], "jupyter/x": { y: [1, 2] } });
  });

  it("reads a markdown cell written as one triple-quoted string without its quotes", () => {
    const nb = parseNotebook(
      [
        "# %% [markdown]",
        '"""',
        "# Title",
        "Some *text*",
        '"""',
        "# %% [markdown]",
        "r'''",
        "raw \\d string",
        "'''",
        "# %% [markdown]",
        "'''one line'''",
      ].join("\n"),
      { path: "n.py" },
    );
    expect(nb.cells.map((c) => c.code)).toEqual(["# Title\nSome *text*", "raw \\d string", "one line"]);
  });

  it("keeps a leading YAML block that is not only `jupyter:` as a raw cell", () => {
    const nb = parseNotebook(
      ["# ---", "# title: Report", "# author: me", "# ---", "", "# %%", "x = 1"].join("\n"),
      {
        path: "n.py",
      },
    );
    expect(nb.cells.map((c) => [c.type, c.code])).toEqual([
      ["raw", "---\ntitle: Report\nauthor: me\n---"],
      ["code", "x = 1"],
    ]);
    expect(nb.frontMatter ?? null).toBeNull();
  });

  it("keeps a `jupyter:`-only YAML block as the notebook's front matter, not a cell", () => {
    const nb = parseNotebook(
      ["// ---", "// jupyter:", "//   kernelspec:", "//     name: tslab", "// ---", "// %%", "1"].join("\n"),
      { path: "n.ts" },
    );
    expect(nb.cells.map((c) => c.type)).toEqual(["code"]);
    expect(nb.frontMatter).toBe("jupyter:\n  kernelspec:\n    name: tslab");
  });

  it("strips comment markers from raw cells and keeps markdown indentation", () => {
    const nb = parseNotebook(
      ["# %% [raw]", "# raw *text*", "# %% [markdown]", "#     indented code"].join("\n"),
      {
        path: "n.py",
      },
    );
    expect(nb.cells.map((c) => c.code)).toEqual(["raw *text*", "    indented code"]);
  });

  it("takes a cell's name from a name= tag or a name key when there is no title", () => {
    const nb = parseNotebook(
      ['// %% tags=["name=load"]', "const x = 1;", '// %% name="sum"', "x + 1"].join("\n"),
      {
        path: "n.ts",
      },
    );
    expect(nb.cells.map((c) => [c.id, c.name])).toEqual([
      ["load", "load"],
      ["sum", "sum"],
    ]);
    expect(nb.cells[1]!.metadata).toEqual({});
  });

  it("reads the line comment it is given (plugin languages)", () => {
    const nb = parseNotebook(["-- %% first", "select 1;", "-- %% [markdown]", "-- text"].join("\n"), {
      language: "sql",
      lineComment: "--",
    });
    expect(nb.cells.map((c) => [c.name, c.type, c.code])).toEqual([
      ["first", "code", "select 1;"],
      [null, "markdown", "text"],
    ]);
  });
});
