// Strict mode end to end (docs/semantics.md, "Strict mode"): `kernelkit run --strict` and
// `lifecycles: ["strict"]`.
import { describe, expect, it } from "vitest";
import { project, runCli, runJson } from "../helpers/cli.ts";

const ISOLATION = `// %% make
const obj = { count: 0, tags: ["a"] };
// %% bump
obj.count += 1;
obj.tags.push("b");
obj.count
// %% sibling
[obj.count, obj.tags.length]
`;

describe("strict mode", () => {
  it("mutating a copied input does not leak into a sibling", () => {
    const r = runJson(ISOLATION, { args: ["--strict"] });
    expect(r.code).toBe(0);
    expect(r.cell("bump").output["text/plain"]).toBe("1");
    expect(r.cell("sibling").output["text/plain"]).toBe("[ 0, 1 ]");
  });

  it("without strict mode the mutation is shared (the contrast)", () => {
    const r = runJson(ISOLATION);
    expect(r.code).toBe(0);
    expect(r.cell("sibling").output["text/plain"]).toBe("[ 1, 2 ]");
  });

  it('works from the config: lifecycles: ["strict"]', () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p" }),
      "kernelkit.config.json": JSON.stringify({ lifecycles: ["strict"] }),
    });
    const r = runJson(ISOLATION, { dir });
    expect(r.cell("sibling").output["text/plain"]).toBe("[ 0, 1 ]");
  });

  it("copies belong to the cells' realm; functions, classes and their transitive refs are usable", () => {
    const r = runJson(
      `// %% data
const rows = [{ n: 1 }, { n: 2 }];
const when = new Date(0);
const index = new Map([["a", new Set([1, 2])]]);
const bytes = new Uint8Array([1, 2, 3]);
class Point { constructor(x) { this.x = x; } norm() { return Math.abs(this.x); } }
const p = new Point(-3);
// %% helpers
function total() { return rows.reduce((s, r) => s + r.n, 0); }
// %% use
[rows instanceof Array, when instanceof Date, index.get("a").has(2), bytes instanceof Uint8Array,
 p instanceof Point, p.norm(), total()]
`,
      { args: ["--strict"] },
    );
    expect(r.code).toBe(0);
    expect(r.cell("use").output["text/plain"]).toBe("[\n  true, true, true,\n  true, true, 3,\n  3\n]");
  });

  it("a cell's own defs are written back; other names come back unchanged", () => {
    const r = runJson(
      `// %% a
const base = { v: 1 };
// %% b
base.v = 99;
const derived = base.v + 1;
// %% c
[base.v, derived]
`,
      { args: ["--strict"] },
    );
    expect(r.cell("c").output["text/plain"]).toBe("[ 1, 100 ]");
  });

  it("a value that cannot be copied gives a clear error suggesting zero-copy", () => {
    const r = runJson(
      `// %% make
const pending = { job: Promise.resolve(1) };
// %% use
pending
`,
      { args: ["--strict"] },
    );
    expect(r.code).toBe(1);
    const use = r.cell("use");
    expect(use.status).toBe("exception");
    expect(use.error.name).toBe("StrictExecutionError");
    expect(use.error.code).toBe("KK_STRICT");
    expect(use.error.message).toContain("cannot copy 'pending'");
    expect(use.error.message).toContain("pending.job is a Promise");
    expect(use.error.message).toContain("zeroCopy(pending)");
    expect(use.error.message).not.toContain("\n");
    const human = runCli(["run", r.file, "--strict"], { cwd: r.dir });
    expect(human.stdout).toContain("StrictExecutionError: strict mode cannot copy 'pending'");
  });

  it("a zero-copy value is passed as it is (mutations are shared on purpose)", () => {
    const r = runJson(
      `// %% make
const cache = { hits: 0, job: Promise.resolve(1) };
cache[Symbol.for("kernelkit.zeroCopy")] = true;
// %% hit
cache.hits += 1;
// %% read
cache.hits
`,
      { args: ["--strict"] },
    );
    expect(r.code).toBe(0);
    expect(r.cell("read").output["text/plain"]).toBe("1");
  });

  it("a use before the definition in the same cell says 'referenced before definition'", () => {
    const r = runJson(
      `// %% early
const y = x + 1;
const x = 2;
`,
      { args: ["--strict"] },
    );
    const early = r.cell("early");
    expect(early.status).toBe("exception");
    expect(early.error.name).toBe("StrictExecutionError");
    expect(early.error.message).toContain("name 'x' is referenced before definition");
  });

  it("modules are passed as they are", () => {
    const r = runJson(
      `// %% imports
import path from "node:path";
import * as os from "node:os";
// %% use
[typeof path.join, typeof os.platform, path.sep]
`,
      { args: ["--strict"] },
    );
    expect(r.code).toBe(0);
    expect(r.cell("use").output["text/plain"]).toBe("[ 'function', 'function', '/' ]");
  });
});
