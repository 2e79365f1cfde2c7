// `kernelkit check --types` as a user runs it: tsc-like lines with the notebook's path, typeErrors
// in --json, exit 1 when any, coded warnings for a broken setup.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { project, runCli } from "../helpers/cli.ts";

const NB = `// %% define
function total(rows: number[]): number {
  return rows.reduce((a, b) => a + b, 0);
}

// %% use
const sum = total("1, 2");
`;

describe("kernelkit check --types", () => {
  it("prints tsc-style errors at the calling cell's notebook line and exits 1", () => {
    const dir = project({ "nb.ts": NB });
    const r = runCli(["check", "nb.ts", "--types"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "nb.ts:7:19 - error TS2345: Argument of type 'string' is not assignable to parameter of type 'number[]'.",
    );
    expect(r.stdout).toContain("Found 1 type error.");
  });

  it("adds typeErrors to each cell in --json", () => {
    const dir = project({ "nb.ts": NB });
    const r = runCli(["check", join(dir, "nb.ts"), "--types", "--json"], { cwd: dir });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.ok).toBe(false);
    const byName = Object.fromEntries(json.cells.map((c: { name: string }) => [c.name, c]));
    expect(byName.define.typeErrors).toEqual([]);
    expect(byName.use.typeErrors).toEqual([
      { code: "TS2345", message: expect.stringContaining("number[]"), line: 7, column: 19 },
    ]);
  });

  it("exits 0 when the defining cell's signature is fixed, and --json without --types has no typeErrors", () => {
    const fixed = NB.replace(
      "rows: number[]): number {\n  return rows.reduce((a, b) => a + b, 0);",
      "rows: string): number {\n  return rows.length;",
    );
    const dir = project({ "nb.ts": fixed });
    const r = runCli(["check", "nb.ts", "--types", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
    const plain = JSON.parse(runCli(["check", "nb.ts", "--json"], { cwd: dir }).stdout);
    expect(plain.cells[0].typeErrors).toBeUndefined();
  });

  it("honours types.strict from the kernelkit config and warns with a code about a missing tsconfig", () => {
    const dir = project({
      "nb.ts": "// %% a\nfunction f(x) {\n  return x;\n}\n",
      "kernelkit.config.json": JSON.stringify({ types: { strict: false, tsconfig: "./missing.json" } }),
    });
    const r = runCli(["check", "nb.ts", "--types", "--json"], { cwd: dir });
    expect(r.stderr).toContain("KK_TYPES_TSCONFIG");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).typeWarnings).toEqual([
      expect.objectContaining({ code: "KK_TYPES_TSCONFIG" }),
    ]);
  });
});
