// The notebook as one TypeScript program: errors across cells land on the reading cell's own
// notebook line, and the reactive rules (private names, redefinitions) hold for types too.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseNotebook } from "@kernelkit/core";
import { describe, expect, it } from "vitest";
import { checkNotebookTypes, loadCompiler, NotebookProgram, type TypeCheckOptions } from "../src/index.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

function check(source: string, options: TypeCheckOptions & { file?: string; dir?: string } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "kk-types-"));
  const path = join(dir, options.file ?? "nb.ts");
  writeFileSync(path, source);
  const notebook = parseNotebook(source, { path });
  const result = checkNotebookTypes(notebook, options);
  const all = [...result.cells.values()].flat();
  return { ...result, all, notebook };
}

const CALL = `// %% define
function total(rows: number[]): number {
  return rows.reduce((a, b) => a + b, 0);
}

// %% use
const sum = total("1, 2");
`;

describe("check types across cells", () => {
  it("reports an argument of the wrong type at the calling cell's notebook line, with TS2345", () => {
    const { cells, all } = check(CALL);
    expect(all).toHaveLength(1);
    expect(cells.get("use")).toEqual([expect.objectContaining({ code: "TS2345", line: 7, column: 19 })]);
    expect(cells.get("define")).toEqual([]);
  });

  it("fixing the defining cell's signature (not the caller) clears it", () => {
    const fixed = CALL.replace(
      "rows: number[]): number {\n  return rows.reduce((a, b) => a + b, 0);",
      'rows: string): number {\n  return rows.split(",").length;',
    );
    expect(fixed).not.toBe(CALL);
    expect(check(fixed).all).toEqual([]);
  });

  it("a private _name stays in its cell: another cell cannot see it", () => {
    const { cells } = check(
      `// %% a\nconst _secret = 1;\nconst open = _secret + 1;\n\n// %% b\nconst x: number = _secret;\n`,
    );
    expect(cells.get("a")).toEqual([]);
    expect(cells.get("b")).toEqual([expect.objectContaining({ code: "TS2304", line: 6 })]);
  });

  it("two cells may each have their own _name of different types", () => {
    const { all } = check(`// %% a\nconst _t = 1;\n\n// %% b\nconst _t = "s";\nconst n: string = _t;\n`);
    expect(all).toEqual([]);
  });

  it("a name two cells define adds no type errors of its own (the graph reports KK_MULTIPLE_DEFINITION)", () => {
    const { all } = check(
      `// %% a\nconst x = 1;\n\n// %% b\nconst x = "s";\n\n// %% c\nconst y: boolean = x;\n`,
    );
    expect(all).toEqual([]);
  });

  it("in sequential mode a ref takes the type of the nearest definition above", () => {
    const nb = `// %% a\nlet x = 1;\n\n// %% b\nconst x2: number = x;\n\n// %% c\nconst x = "s";\n\n// %% d\nconst y: number = x;\n`;
    const { cells } = check(nb, { mode: "sequential" });
    expect(cells.get("b")).toEqual([]);
    expect(cells.get("d")).toEqual([expect.objectContaining({ code: "TS2322", line: 11 })]);
  });

  it("assigning to another cell's name is an error in the assigning cell", () => {
    const { cells } = check(`// %% a\nlet count = 1;\n\n// %% b\ncount = 2;\n`);
    expect(cells.get("b")?.[0]).toMatchObject({ line: 5 });
  });

  it("generics and classes flow across cells", () => {
    const nb = `// %% kit
export {};
class Box<T> {
  constructor(readonly value: T) {}
  map<U>(f: (v: T) => U): Box<U> {
    return new Box(f(this.value));
  }
}
function first<T>(xs: T[]): T | undefined {
  return xs[0];
}
interface Row { amount: number }

// %% use
const b = new Box(2).map((n) => n.toFixed(1));
const s: number = b.value;
const r: Row = { amount: "x" };
const f: string = first([1, 2]) ?? "none";
`;
    const { cells } = check(nb.replace("export {};\n", ""));
    const codes = cells.get("use")!.map((d) => [d.code, d.line]);
    expect(codes).toEqual([
      ["TS2322", 15],
      ["TS2322", 16],
      ["TS2322", 17],
    ]);
  });

  it("reads @types/node from the notebook's project", () => {
    const dir = mkdtempSync(join(tmpdir(), "kk-types-node-"));
    mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
    symlinkSync(join(REPO, "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"));
    const nb = `// %% io\nimport { readFileSync } from "node:fs";\nconst text = readFileSync("x", "utf8");\n\n// %% use\nconst n: number = text;\nconst ok: string = process.cwd();\n`;
    const { cells } = check(nb, { dir });
    expect(cells.get("io")).toEqual([]);
    expect(cells.get("use")).toEqual([expect.objectContaining({ code: "TS2322", line: 6 })]);
  });

  it("a TS syntax error is reported where it is, and other cells are still checked", () => {
    const { cells } = check(`// %% broken\nconst a = (1 + ;\n\n// %% fine\nconst z: string = 1;\n`);
    expect(cells.get("broken")![0]).toMatchObject({ code: "TS1109", line: 2 });
    expect(cells.get("fine")).toEqual([expect.objectContaining({ code: "TS2322", line: 5 })]);
  });

  it("JS cells are checked with inferred types and JSDoc", () => {
    const nb = `// %% a\n/** @param {number} n */\nfunction twice(n) { return n * 2; }\n\n// %% b\ntwice("x");\n`;
    const { cells } = check(nb, { file: "nb.js" });
    expect(cells.get("b")).toEqual([expect.objectContaining({ code: "TS2345", line: 6 })]);
  });
});

describe("check types: bad input gives coded messages", () => {
  it("unbalanced braces are a syntax diagnostic of that cell", () => {
    const { cells } = check(`// %% open\nfunction f() {\n  return 1;\n\n// %% next\nconst y = 2;\n`);
    expect(cells.get("open")![0]!.code).toMatch(/^TS1\d{3}$/);
  });

  it("a 10 MB cell is skipped with KK_TYPES_CELL_TOO_LARGE and its names are any", () => {
    const big = `const blob = "${"x".repeat(10 * 1024 * 1024)}";`;
    const { cells } = check(`// %% big\n${big}\n\n// %% use\nconst n: number = blob.length;\n`);
    expect(cells.get("big")).toEqual([expect.objectContaining({ code: "KK_TYPES_CELL_TOO_LARGE", line: 2 })]);
    expect(cells.get("use")).toEqual([]);
  });

  it("a tsconfig whose extends is missing is KK_TYPES_TSCONFIG, and checking goes on", () => {
    const dir = mkdtempSync(join(tmpdir(), "kk-types-cfg-"));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: "./nope.json" }));
    const { problems, cells } = check(`// %% a\nconst z: string = 1;\n`, { dir });
    expect(problems).toEqual([expect.objectContaining({ code: "KK_TYPES_TSCONFIG" })]);
    expect(problems[0]!.message).toContain("nope.json");
    expect(cells.get("a")).toEqual([expect.objectContaining({ code: "TS2322" })]);
  });

  it("an unknown lib is KK_TYPES_LIB", () => {
    const { problems } = check(`// %% a\nconst z = 1;\n`, { config: { lib: ["es2099-nope"] } });
    expect(problems).toEqual([expect.objectContaining({ code: "KK_TYPES_LIB" })]);
  });

  it("the project's tsconfig options apply (strict off)", () => {
    const dir = mkdtempSync(join(tmpdir(), "kk-types-cfg-"));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: false } }));
    const nb = `// %% a\nfunction f(x) { return x; }\n`;
    expect(check(nb, { dir }).all).toEqual([]);
    expect(check(nb).all).toEqual([expect.objectContaining({ code: "TS7006" })]);
    expect(check(nb, { dir, config: { strict: true } }).all).toEqual([
      expect.objectContaining({ code: "TS7006" }),
    ]);
  });
});

describe("the warm program behind completion", () => {
  it("answers on a cell's edited code, then checks the notebook's own code again", () => {
    const dir = mkdtempSync(join(tmpdir(), "kk-types-warm-"));
    const program = new NotebookProgram(loadCompiler(), {
      path: join(dir, "nb.ts"),
      cwd: dir,
      typescript: true,
    });
    program.setCells([
      { id: "a", name: "a", code: "const rows = [{ amount: 1 }];", line: 2 },
      { id: "b", name: "b", code: "const bad: string = rows.length;", line: 5 },
    ]);
    const reply = program.completions("rows[0].am", 10, "b");
    expect(reply?.matches.map((m) => m.text)).toEqual(["amount"]);
    expect(program.inspect("rows", 2, "b")?.bundle["text/plain"]).toContain(
      "const rows: {\n    amount: number;\n}[]",
    );
    expect(program.check().get("b")).toEqual([expect.objectContaining({ code: "TS2322", line: 5 })]);
    program.setCells([
      { id: "a", name: "a", code: "const rows = ['x'];", line: 2 },
      { id: "b", name: "b", code: "const bad: string = rows[0];", line: 5 },
    ]);
    expect(program.check().get("b")).toEqual([]);
  });

  it("after an edit, checks again the cells that read the edited one, keeps the others, and moves their lines", () => {
    const dir = mkdtempSync(join(tmpdir(), "kk-types-incremental-"));
    const program = new NotebookProgram(loadCompiler(), {
      path: join(dir, "nb.ts"),
      cwd: dir,
      typescript: true,
    });
    const cells = (sig: string, shift: number) => [
      { id: "f", name: "f", code: `function f(x: ${sig}): number {\n  return 1;\n}`, line: 2 },
      { id: "g", name: "g", code: "const g = f;", line: 7 + shift },
      { id: "use", name: "use", code: 'const y = g("s");', line: 10 + shift },
      { id: "alone", name: "alone", code: "const z: number = 'no';", line: 13 + shift },
    ];
    program.setCells(cells("number", 0));
    const first = program.check();
    expect(first.get("use")).toEqual([expect.objectContaining({ code: "TS2345", line: 10 })]);
    expect(first.get("alone")).toEqual([expect.objectContaining({ code: "TS2322", line: 13 })]);
    // Fixing f (which `use` reads through g) clears `use`; `alone` keeps its error, two lines down.
    program.setCells(cells("string", 2));
    const second = program.check();
    expect(second.get("use")).toEqual([]);
    expect(second.get("alone")).toEqual([expect.objectContaining({ code: "TS2322", line: 15 })]);
    // And back: the same answers a fresh program gives.
    program.setCells(cells("number", 0));
    const fresh = new NotebookProgram(loadCompiler(), {
      path: join(dir, "nb.ts"),
      cwd: dir,
      typescript: true,
    });
    fresh.setCells(cells("number", 0));
    expect(program.check()).toEqual(fresh.check());
  });

  it("a query that rewrites one cell leaves the others as the notebook has them", () => {
    const dir = mkdtempSync(join(tmpdir(), "kk-types-overlay-"));
    const program = new NotebookProgram(loadCompiler(), {
      path: join(dir, "nb.ts"),
      cwd: dir,
      typescript: true,
    });
    const cells = [
      { id: "a", name: "a", code: "const rows = [{ amount: 1 }];", line: 2 },
      { id: "b", name: "b", code: "const first = rows[0];", line: 5 },
      { id: "c", name: "c", code: "const bad: string = first.amount;", line: 8 },
    ];
    program.setCells(cells);
    const before = program.check();
    // Typing in `a` removes the definition of rows for a moment.
    expect(program.completions("const xs = 1;\nxs", 16, "a")?.matches.map((m) => m.text)).toContain("xs");
    // Queries on the other cells see a's notebook code again.
    expect(program.completions("rows[0].am", 10, "b")?.matches.map((m) => m.text)).toEqual(["amount"]);
    expect(program.completions("first.am", 8, "c")?.matches.map((m) => m.text)).toEqual(["amount"]);
    expect(program.completions("first.am", 8, "c")?.matches.map((m) => m.text)).toEqual(["amount"]);
    expect(program.check()).toEqual(before);
    expect(before.get("c")).toEqual([expect.objectContaining({ code: "TS2322", line: 8 })]);
  });
});
