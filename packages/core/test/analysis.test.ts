import { analyzeJsCell } from "@kernelkit/core";
import { describe, expect, it } from "vitest";

const js = (code: string) => analyzeJsCell(code, false);
const ts = (code: string) => analyzeJsCell(code, true);

describe("analyzeJsCell: names", () => {
  it("finds top-level defs of every kind, in order", () => {
    const a = js(`
      import fs, { readFile as rf } from "node:fs";
      import * as path from "node:path";
      const a = 1, { b, c: [d, ...e] } = obj;
      let f; var g = 2;
      function h() {}
      class K {}
      if (true) { var hoisted = 1; let blockOnly = 2; }
      for (const loopVar of []) {}
    `);
    expect(a.defs).toEqual(["fs", "rf", "path", "a", "b", "d", "e", "f", "g", "h", "K", "hoisted"]);
    expect(a.refs).toEqual(["obj"]);
  });

  it("reports free names as refs, excluding globals, locals, params, properties and labels", () => {
    const a = js(`
      const out = data.map((row, i) => ({ ...row, i, total: row.qty * price }));
      function f(p = defaultP) { const local = p + other; return local; }
      outer: for (const k in table) { if (k) break outer; }
      console.log(Math.max(1, 2), JSON.stringify(obj.key), new Map());
      try { risky(); } catch ({ message }) { message.length; }
      class C extends Base { m() { return this.x + arguments.length + helper; } static s = staticDep; }
    `);
    expect(a.refs).toEqual([
      "data",
      "price",
      "defaultP",
      "other",
      "table",
      "obj",
      "risky",
      "Base",
      "helper",
      "staticDep",
    ]);
    expect(a.globalRefs).toEqual(expect.arrayContaining(["console", "Math", "JSON", "Map"]));
  });

  it("respects hoisting: a function used before its declaration is not a ref", () => {
    expect(js("const r = later(); function later() { return 1 }").refs).toEqual([]);
  });

  it("keeps _private names out of defs and refs", () => {
    const a = js("const _tmp = 5; const shown = _tmp + 1; _other + 1;");
    expect(a.defs).toEqual(["shown"]);
    expect(a.refs).toEqual([]);
  });

  it("records assignments to free names (the KK_REASSIGN check)", () => {
    const a = js("x = 5; y += 1; z++; [p, q] = [q, p]; obj.prop = 1; let own; own = 2;");
    expect(a.writes).toEqual(["x", "y", "z", "p", "q"]);
    expect(a.refs).toEqual(expect.arrayContaining(["x", "y", "z", "p", "q", "obj"]));
    expect(a.defs).toEqual(["own"]);
  });

  it("detects the last expression statement as output", () => {
    expect(js("const a = 1;\na + 1").hasOutput).toBe(true);
    expect(js("const a = 1;").hasOutput).toBe(false);
    expect(js("a + 1;\nconst b = 2;").hasOutput).toBe(false);
    expect(js('"use strict"').hasOutput).toBe(false);
    expect(js('"a lone string"').hasOutput).toBe(true);
  });

  it("allows top-level await", () => {
    const a = js("const v = await fetchIt();\nv");
    expect(a.error).toBeNull();
    expect(a.refs).toEqual(["fetchIt"]);
  });
});

describe("analyzeJsCell: TypeScript", () => {
  it("strips types, keeps imports only used by other cells, and finds names", () => {
    const a = ts(`import { readFile } from "node:fs/promises";
import type { Stats } from "node:fs";
interface Row { qty: number }
type Id = string;
enum Color { Red, Green }
const rows: Row[] = input as Row[];
function total(r: Row[]): number { return r.reduce((s, x) => s + x.qty, 0) }
`);
    expect(a.error).toBeNull();
    expect(a.defs).toEqual(["readFile", "Color", "rows", "total"]);
    expect(a.refs).toEqual(["input"]);
    expect(a.compiled!.source).toContain('await import("node:fs/promises")');
    expect(a.compiled!.source).not.toContain("interface");
  });

  it("reports syntax errors with the cell's line and column", () => {
    const a = ts("const ok = 1;\nconst bad: = 2;");
    expect(a.error).toMatchObject({ name: "SyntaxError", code: "KK_SYNTAX", line: 2, column: 12 });
    const b = js("let x = 1;\n\nfunction (");
    expect(b.error).toMatchObject({ line: 3 });
  });

  it("rejects export statements other than declarations, with a coded error", () => {
    expect(js("export default 5").error?.message).toMatch(/export is not supported/);
    expect(js("export const kept = 5").defs).toEqual(["kept"]);
  });
});

describe("analyzeJsCell: cache and speed", () => {
  it("returns the cached analysis for identical code", () => {
    const code = `const cached${Math.random().toString(36).slice(2)} = 1`;
    expect(analyzeJsCell(code, true)).toBe(analyzeJsCell(code, true));
  });

  it("keeps the rewrite on the cell's lines (line 1 is the wrapper prefix)", () => {
    const a = js("const a = 1;\nconst b = 2;\nthrow new Error('x')");
    const lines = a.compiled!.source.split("\n");
    expect(lines[3]).toBe("throw new Error('x')");
    expect(a.compiled!.bodyLines).toBe(3);
  });
});
