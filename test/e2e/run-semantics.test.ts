// docs/semantics.md through `kernelkit run --json` on real notebook files.
import { describe, expect, it } from "vitest";
import { project, runJson } from "../helpers/cli.ts";

describe("kernelkit run --json: reactive semantics", () => {
  it("runs cells in dependency order, not file order, and lists them in notebook order", () => {
    const r = runJson(`// %% report
console.log("report sees", total);
const shown = total * 2;
// %% total
console.log("total");
const total = base + 1;
// %% base
console.log("base");
const base = 41;
`);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ schemaVersion: 1, ok: true, executor: "default", warnings: [] });
    expect(r.json.cells.map((c: any) => c.name)).toEqual(["report", "total", "base"]);
    expect(r.cell("report").stdout).toBe("report sees 42\n");
    expect(r.cell("report")).toMatchObject({ status: "success", defs: ["shown"], refs: ["total"] });
    expect(r.cell("total")).toMatchObject({ defs: ["total"], refs: ["base"] });
  });

  it("gives both definers of a name a MultipleDefinitionError and runs neither; unrelated cells run", () => {
    const r = runJson(`// %% one
const x = 1;
// %% two
const x = 2;
// %% other
const y = 3;
y`);
    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    for (const [name, other] of [
      ["one", "two"],
      ["two", "one"],
    ]) {
      expect(r.cell(name!)).toMatchObject({
        status: "error",
        error: { name: "MultipleDefinitionError", code: "KK_MULTIPLE_DEFINITION" },
      });
      expect(r.cell(name!).error.message).toContain(`'${other}'`);
    }
    expect(r.cell("other")).toMatchObject({ status: "success", output: { "text/plain": "3" } });
  });

  it("gives every cell on a cycle a CycleError listing edges and names", () => {
    const r = runJson(`// %% p
const a = c + 1;
// %% q
const b = a + 1;
// %% r
const c = b + 1;
// %% fine
const ok = 1;`);
    for (const name of ["p", "q", "r"]) {
      expect(r.cell(name)).toMatchObject({
        status: "error",
        error: { name: "CycleError", code: "KK_CYCLE" },
      });
      expect(r.cell(name).error.message).toContain("'p' -> 'q' (a)");
    }
    expect(r.cell("fine").status).toBe("success");
  });

  it("an exception cancels only its descendants, each naming the ancestor that raised", () => {
    const r = runJson(`// %% src
const rows = [1, 2, 3];
// %% bad
const parsed = rows.map((r) => { if (r === 2) throw new RangeError("row " + r + " is bad"); return r; });
// %% child
const doubled = parsed.map((x) => x * 2);
// %% grandchild
const total = doubled.length;
// %% sibling
const count = rows.length;
count`);
    expect(r.code).toBe(1);
    expect(r.cell("bad")).toMatchObject({
      status: "exception",
      error: { name: "RangeError", message: "row 2 is bad", code: null },
    });
    for (const name of ["child", "grandchild"]) {
      expect(r.cell(name).status).toBe("cancelled");
      expect(r.cell(name).error.message).toContain("'bad'");
    }
    expect(r.cell("sibling")).toMatchObject({ status: "success", output: { "text/plain": "3" } });
  });

  it("tracebacks show the user's frames at notebook lines and no kernel frames (JS and TS)", () => {
    for (const name of ["nb.js", "nb.ts"]) {
      const r = runJson(
        `// %% helpers
function inner(n${name.endsWith(".ts") ? ": number" : ""}) {
  throw new TypeError("inner failed " + n);
}

// %% caller
const value = 3;
inner(value);`,
        { name },
      );
      const err = r.cell("caller").error;
      expect(err.name).toBe("TypeError");
      const tb = err.traceback.join("\n");
      expect(tb).toContain(`${name}:3:`);
      expect(tb).toContain(`${name}:8:`);
      expect(tb).not.toMatch(
        /node:internal|node:vm|runner\/dist|packages\/|executor-default|kernelkit\/dist|__kk_/,
      );
    }
  });

  it("supports top-level await, async reads of local files with fs/promises, and imports across cells", () => {
    const r = runJson(`// %% load
import { readFile } from "node:fs/promises";
import { join } from "node:path";
const text = await readFile(join(__dirname, "nb.ts"), "utf8");
// %% use
const firstLine = text.split("\\n")[0];
firstLine
// %% later
await new Promise((r) => setTimeout(r, 20));
join("a", "b")`);
    expect(r.code).toBe(0);
    expect(r.cell("use").output["text/plain"]).toBe("'// %% load'");
    expect(r.cell("later").output["text/plain"]).toBe("'a/b'");
  });

  it("captures stdout and stderr per cell, including process.stdout.write and console.error", () => {
    const r = runJson(`// %% a
console.log("from a");
process.stdout.write("raw a\\n");
// %% b
console.error("warn b");
process.stderr.write("raw err b\\n");
console.log({ nested: { v: 1 } });`);
    expect(r.cell("a")).toMatchObject({ stdout: "from a\nraw a\n", stderr: "" });
    expect(r.cell("b")).toMatchObject({ stdout: "{ nested: { v: 1 } }\n", stderr: "warn b\nraw err b\n" });
  });

  it("reports a syntax error with its notebook line and column, and cancels the cell's dependents", () => {
    const r = runJson(`// %% ok
const a = 1;
// %% broken
const b = a +;
// %% uses
const c = b;`);
    expect(r.cell("broken")).toMatchObject({
      status: "error",
      error: { name: "SyntaxError", code: "KK_SYNTAX" },
    });
    expect(r.cell("broken").error.message).toMatch(/line 4, column \d+/);
    expect(r.cell("ok").status).toBe("success");
  });

  it("does not run disabled cells nor their descendants", () => {
    const r = runJson(`// %% off [disabled]
const x = 1;
// %% child
const y = x + 1;
// %% flagged disabled=true
const z = 1;
// %% free
1 + 1`);
    expect(r.code).toBe(0);
    expect(r.cell("off").status).toBe("disabled");
    expect(r.cell("child").status).toBe("disabled");
    expect(r.cell("flagged").status).toBe("disabled");
    expect(r.cell("free").status).toBe("success");
  });

  it("keeps _private names to their cell: no conflicts, not shared", () => {
    const r = runJson(`// %% a
const _tmp = 10;
const fromA = _tmp + 1;
// %% b
const _tmp = 20;
const fromB = _tmp + fromA;
fromB
// %% c
typeof _tmp`);
    expect(r.code).toBe(0);
    expect(r.cell("a").defs).toEqual(["fromA"]);
    expect(r.cell("b").output["text/plain"]).toBe("31");
    expect(r.cell("c").output["text/plain"]).toBe("'undefined'");
  });

  it("fails a cell whose ref no cell defines with a ReferenceError naming the ref", () => {
    const r = runJson(`// %% lonely
const v = nowhere + 1;`);
    expect(r.cell("lonely")).toMatchObject({ status: "exception", error: { name: "ReferenceError" } });
    expect(r.cell("lonely").error.message).toContain("nowhere");
  });

  it("reports assignment to another cell's name as KK_REASSIGN naming that cell", () => {
    const r = runJson(`// %% owner
let counter = 0;
// %% thief
counter = 5;`);
    expect(r.cell("thief")).toMatchObject({ status: "error", error: { code: "KK_REASSIGN" } });
    expect(r.cell("thief").error.message).toContain("'owner'");
  });

  it("shares functions, classes and imported modules across cells", () => {
    const r = runJson(
      `// %% lib
import * as path from "node:path";
class Point { constructor(x, y) { this.x = x; this.y = y } norm() { return Math.hypot(this.x, this.y) } }
function make(x, y) { return new Point(x, y) }
// %% use
const p = make(3, 4);
[p.norm(), p instanceof Point, path.basename("/a/b.txt")]`,
      { name: "nb.js" },
    );
    expect(r.code).toBe(0);
    expect(r.cell("use").output["text/plain"]).toBe("[ 5, true, 'b.txt' ]");
  });

  it("strips TypeScript types (interfaces, generics, enums, satisfies) and runs the cells", () => {
    const r = runJson(`// %% types
interface Row { name: string; qty: number }
enum Level { Low = 1, High = 10 }
function pick<T extends Row>(rows: T[], min: Level): T[] { return rows.filter((r) => r.qty >= min) }
// %% use
const rows: Row[] = [{ name: "a", qty: 3 }, { name: "b", qty: 12 }];
const picked = pick(rows, Level.High) satisfies Row[];
picked.map((r) => r.name)`);
    expect(r.code).toBe(0);
    expect(r.cell("use").output["text/plain"]).toBe("[ 'b' ]");
  });

  it("contains process.exit(): the cell fails, the kernel runs the rest", () => {
    const r = runJson(`// %% quitter
console.log("before");
process.exit(3);
// %% after
"still here"`);
    expect(r.code).toBe(1);
    expect(r.cell("quitter")).toMatchObject({
      status: "exception",
      stdout: "before\n",
      error: { code: "KK_PROCESS_EXIT" },
    });
    expect(r.cell("after").output["text/plain"]).toBe("'still here'");
  });

  it("delivers 20k lines of output whole and in order", () => {
    const r = runJson(`// %% loud
for (let i = 0; i < 20000; i++) console.log("line " + i);`);
    const lines = r.cell("loud").stdout.split("\n");
    expect(lines.length).toBe(20001);
    for (let i = 0; i < 20000; i++) if (lines[i] !== `line ${i}`) throw new Error(`line ${i} is ${lines[i]}`);
  });

  it("outputs rich bundles from Symbol.for('kernelkit.display') and display() helpers", () => {
    const r = runJson(`// %% rich
display.html("<b>bold</b>");
display({ a: 1 });
({ [Symbol.for("kernelkit.display")]: () => ({ "text/html": "<i>hi</i>", "application/json": { v: 1 } }) })
// %% undef
undefined
// %% nothing
const z = 1;
// %% nul
null`);
    expect(r.cell("rich").output).toMatchObject({ "text/html": "<i>hi</i>", "application/json": { v: 1 } });
    expect(typeof r.cell("rich").output["text/plain"]).toBe("string");
    expect(r.cell("rich").displays).toEqual([
      { "text/html": "<b>bold</b>", "text/plain": "bold" },
      { "text/plain": "{ a: 1 }" },
    ]);
    expect(r.cell("undef").output).toBeNull();
    expect(r.cell("nothing").output).toBeNull();
    expect(r.cell("nul").output).toEqual({ "text/plain": "null" });
  });

  it("shows markdown cells as text/markdown and resolves relative imports from the notebook's folder", () => {
    const dir = project({ "lib/helper.mjs": "export default (n) => n * 21;\n", "data.json": '{"n": 2}' });
    const r = runJson(
      `// %% [markdown]
// # Title
// Some *text*.
// %% imp
import helper from "./lib/helper.mjs";
import { readFileSync } from "node:fs";
const n = JSON.parse(readFileSync("data.json", "utf8")).n;
helper(n)`,
      { dir },
    );
    expect(r.code).toBe(0);
    expect(r.json.cells[0]).toMatchObject({
      status: "success",
      output: { "text/markdown": "# Title\nSome *text*." },
    });
    expect(r.cell("imp").output["text/plain"]).toBe("42");
  });
});
