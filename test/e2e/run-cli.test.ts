// CLI.md: exit codes, bad input, check, help, Ctrl-C, --timeout.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { project, runCli, runJson, startCli, tempDir } from "../helpers/cli.ts";

function expectOneLineCodedError(r: { code: number | null; stdout: string; stderr: string }, code: string) {
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(code);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace of ours
}

describe("kernelkit run: bad input", () => {
  it("a notebook that does not exist", () => {
    const r = runCli(["run", "no/such/notebook.ts"]);
    expectOneLineCodedError(r, "KK_NOTEBOOK_NOT_FOUND");
    const j = runCli(["run", "no/such/notebook.ts", "--json"]);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toEqual({
      schemaVersion: 1,
      ok: false,
      error: {
        code: "KK_NOTEBOOK_NOT_FOUND",
        message: expect.stringContaining("notebook.ts"),
        hint: expect.any(String),
      },
      cells: [],
    });
  });

  it("a directory", () => {
    expectOneLineCodedError(runCli(["run", tempDir()]), "KK_NOTEBOOK_IS_DIRECTORY");
  });

  it("an unreadable file", () => {
    if (process.getuid?.() === 0) return; // root reads everything; the check below would not apply
    const dir = project({ "locked.ts": "// %%\n1" });
    chmodSync(join(dir, "locked.ts"), 0);
    expectOneLineCodedError(runCli(["run", join(dir, "locked.ts")]), "KK_NOTEBOOK_UNREADABLE");
  });

  it("binary garbage", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "garbage.ts"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff, 0xfe, 0]));
    expectOneLineCodedError(runCli(["run", join(dir, "garbage.ts")]), "KK_NOTEBOOK_BINARY");
    writeFileSync(join(dir, "latin1.ts"), Buffer.from([0x63, 0x6f, 0x6e, 0x73, 0x74, 0x20, 0xe9, 0xe8]));
    expectOneLineCodedError(runCli(["run", join(dir, "latin1.ts")]), "KK_NOTEBOOK_BINARY");
  });

  it("a file kind kernelkit does not know", () => {
    const dir = project({ "notes.txt": "hello" });
    expectOneLineCodedError(runCli(["run", join(dir, "notes.txt")]), "KK_NOTEBOOK_UNSUPPORTED");
  });

  it("an empty file runs nothing and succeeds", () => {
    const r = runJson("");
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, cells: [] });
  });

  it("two cells with one name", () => {
    const dir = project({ "dup.ts": "// %% a\nconst x = 1;\n// %% a\nconst y = 2;\n" });
    expectOneLineCodedError(runCli(["run", join(dir, "dup.ts")]), "KK_DUPLICATE_NAME");
  });

  it("a 10 MB cell is analysed and run", () => {
    const big = `// %% big\nconst data = [\n${'  "0123456789012345678901234567890123456789",\n'.repeat(230_000)}];\ndata.length`;
    expect(big.length).toBeGreaterThan(10_000_000);
    const r = runJson(big);
    expect(r.code).toBe(0);
    expect(r.cell("big").output["text/plain"]).toBe("230000");
  });

  it("usage errors exit 2 (unknown option, missing argument, bad --timeout)", () => {
    expect(runCli(["run", "--bogus", "x.ts"]).code).toBe(2);
    expect(runCli(["run"]).code).toBe(2);
    const r = runCli(["run", "x.ts", "--timeout", "soon", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "KK_USAGE" }, cells: [] });
  });
});

describe("kernelkit run: exit codes and interrupts", () => {
  it("exits 0 when every cell succeeds and 1 when one fails", () => {
    expect(runJson("// %% a\n1").code).toBe(0);
    expect(runJson("// %% a\nthrow new Error('x')").code).toBe(1);
  });

  it("--timeout interrupts a cell that runs too long (sync loop, and after an await), exit 1", () => {
    const r = runJson(
      `// %% quick
const q = 1;
// %% spin
const spun = 1;
while (true) {}
// %% spinLater
await new Promise((r) => setTimeout(r, 10));
for (;;) {}
// %% after
q + 1
// %% child
const c = spun;`,
      { args: ["--timeout", "300"] },
    );
    expect(r.code).toBe(1);
    for (const name of ["spin", "spinLater"]) {
      expect(r.cell(name)).toMatchObject({
        status: "interrupted",
        error: { name: "Interrupted", code: "KK_INTERRUPTED" },
      });
      expect(r.cell(name).error.message).toContain("300 ms");
    }
    expect(r.cell("after").status).toBe("success"); // a deadline stops one cell, not the run
    expect(r.cell("child").status).toBe("cancelled");
  });

  it("Ctrl-C (SIGINT) interrupts the running cell, cancels the rest, prints what it has and exits 130", async () => {
    const dir = project({
      "nb.ts": `// %% first
console.log("first ran");
const a = 1;
// %% spin
console.log("spinning");
await new Promise((r) => setTimeout(r, 5));
require("node:fs").writeFileSync("spinning.flag", "");
while (true) {}
// %% rest
a + 1
`,
    });
    const p = startCli(["run", join(dir, "nb.ts"), "--json"], { cwd: dir });
    // Ctrl-C once the cell spins (a fixed wait raced the kernel's start on a loaded machine).
    for (let i = 0; i < 600 && !existsSync(join(dir, "spinning.flag")); i++)
      await new Promise((r) => setTimeout(r, 50));
    p.child.kill("SIGINT");
    const r = await p.done;
    expect(r.code).toBe(130);
    const json = JSON.parse(r.stdout);
    const cell = (n: string) => json.cells.find((c: any) => c.name === n);
    expect(cell("first")).toMatchObject({ status: "success", stdout: "first ran\n" });
    expect(cell("spin")).toMatchObject({
      status: "interrupted",
      stdout: "spinning\n",
      error: { code: "KK_INTERRUPTED" },
    });
    expect(cell("rest").status).toBe("cancelled");
  });
});

describe("kernelkit run: output channels", () => {
  it("keeps stdout to the one JSON object: cell prints are captured and logs go to stderr", () => {
    const r = runJson(
      `// %% noisy
console.log("cell says hi");
process.stdout.write("raw write\\n");
const x = 1;`,
      { env: { KERNELKIT_LOG_LEVEL: "debug" } },
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(r.cell("noisy").stdout).toBe("cell says hi\nraw write\n");
  });
});

describe("kernelkit check", () => {
  it("reports defs, refs and static errors without running anything", () => {
    const dir = project({
      "nb.ts": `// %% a
const x = 1; console.log("SHOULD NOT RUN");
// %% b
const x = 2;
// %% c
const y = z +;
// %% d
const w = x * 2;
`,
    });
    const r = runCli(["check", join(dir, "nb.ts"), "--json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("SHOULD NOT RUN");
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ schemaVersion: 1, ok: false });
    expect(json.cells.map((c: any) => [c.id, c.status])).toEqual([
      ["a", "error"],
      ["b", "error"],
      ["c", "error"],
      ["d", "ok"],
    ]);
    expect(json.cells[0].error).toMatchObject({ code: "KK_MULTIPLE_DEFINITION" });
    expect(json.cells[2].error).toMatchObject({ code: "KK_SYNTAX", line: 6 });
    expect(json.cells[3]).toMatchObject({ defs: ["w"], refs: ["x"], error: null });
  });

  it("exits 0 on a clean notebook and prints a human summary", () => {
    const dir = project({ "ok.ts": "// %% a\nconst x = 1;\n// %% b\nx + 1\n" });
    const r = runCli(["check", join(dir, "ok.ts")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no errors");
  });
});

describe("kernelkit --help and --version", () => {
  it("prints help for every command and the version", () => {
    for (const args of [["--help"], ["help"], ["run", "--help"], ["check", "--help"], ["help", "run"]]) {
      const r = runCli(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toMatch(/Usage: kernelkit/);
    }
    const v = runCli(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("human output on a non-TTY is plain text with a summary", () => {
    const dir = project({ "nb.ts": "// %% a\nconsole.log('hi');\n42\n" });
    const r = runCli(["run", join(dir, "nb.ts")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("hi");
    expect(r.stdout).toContain("42");
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });
});

void mkdirSync;
