// defs/refs come from Python's own ast/symtable, as the kernel's graph needs them.
import { afterAll, describe, expect, it } from "vitest";
import { PythonExecutor } from "../src/index.ts";

const executor = new PythonExecutor();
afterAll(() => executor.dispose());

const analyze = (code: string) => executor.analyze(code);

describe("python cell analysis", () => {
  it("top-level bindings of every kind are defs", async () => {
    const a = await analyze(
      [
        "import os.path as osp, json",
        "import xml.dom.minidom",
        "from math import pi",
        "def f(a):\n    return a",
        "class C:\n    pass",
        "for i, (j, k) in enumerate([]):\n    pass",
        "with open(__file__) as fh:\n    pass",
        "if (w := 3):\n    pass",
        "def setter():\n    global g\n    g = 1",
        "total: int = 0",
      ].join("\n"),
    );
    expect(a.error).toBeNull();
    expect(a.defs).toEqual(
      expect.arrayContaining([
        "osp",
        "json",
        "xml",
        "pi",
        "f",
        "C",
        "i",
        "j",
        "k",
        "fh",
        "w",
        "setter",
        "g",
        "total",
      ]),
    );
    expect(a.defs).toHaveLength(14);
    expect(a.refs).toEqual([]);
  });

  it("refs are free names, also inside functions and classes, minus builtins and the cell's own defs", async () => {
    const a = await analyze(
      [
        "y = x + 1",
        "def f(n: Ann = default):",
        "    return n + later + len([])",
        "class K(Base):",
        "    attr = helper()",
        "print(sorted(data), y)",
        "[v for v in items]",
      ].join("\n"),
    );
    expect(a.defs).toEqual(["y", "f", "K"]);
    expect(new Set(a.refs)).toEqual(
      new Set(["x", "Ann", "default", "later", "Base", "helper", "data", "items"]),
    );
    expect(a.globalRefs).toEqual(expect.arrayContaining(["len", "print", "sorted"]));
    expect(a.refs).not.toContain("v");
  });

  it("comprehension variables belong to the comprehension (also where Python 3.12+ inlines them)", async () => {
    const a = await analyze(
      "squares = [v * v for v in items]\nlookup = {k: n for k, n in pairs}\n[(last := w) for w in words]",
    );
    expect(a.defs).toEqual(["squares", "lookup", "last"]);
    expect(new Set(a.refs)).toEqual(new Set(["items", "pairs", "words"]));
    const b = await analyze("[v for v in range(3)]\nprint(v)");
    expect(b.defs).toEqual([]);
    expect(b.refs).toEqual(["v"]);
  });

  it("names starting with _ are private: neither defs nor refs", async () => {
    const a = await analyze("_tmp = secret\n_other = _tmp\nshared = _other");
    expect(a.defs).toEqual(["shared"]);
    expect(a.refs).toEqual(["secret"]);
  });

  it("display and top-level await are allowed", async () => {
    const a = await analyze("import asyncio\nawait asyncio.sleep(0)\ndisplay(1)");
    expect(a.error).toBeNull();
    expect(a.refs).toEqual([]);
  });

  it("a syntax error carries its line and column within the cell", async () => {
    const a = await analyze("x = 1\ny = (2,\nz = 3 +\n");
    expect(a.error).toMatchObject({ name: "SyntaxError", code: "KK_SYNTAX" });
    expect(a.error!.line).toBeGreaterThanOrEqual(2);
    const b = await analyze("ok = 1\n\ndef broken(:\n    pass");
    expect(b.error).toMatchObject({ line: 3, column: 12 });
    expect(b.error!.message).toMatch(/syntax/i);
  });

  it("errors the compiler finds (return outside a function) are syntax errors too", async () => {
    const a = await analyze("x = 1\nreturn x");
    expect(a.error).toMatchObject({ line: 2 });
    expect(a.error!.message).toMatch(/outside function/);
  });
});
