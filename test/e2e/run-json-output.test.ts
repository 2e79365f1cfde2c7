// `run --json` streams a long stdout/stderr out in batches; the printed text must be exactly
// what JSON.stringify of the same object prints, whatever the text holds.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, project, runCli, runJson } from "../helpers/cli.ts";

describe("run --json with long output", () => {
  it("prints exactly JSON.stringify's text: escapes, non-BMP characters and pairs split across writes", () => {
    const r = runJson(
      [
        "// %% big",
        'const pad = "x".repeat(58);',
        "for (let i = 0; i < 20000; i++)",
        '  console.log(String(i).padStart(6, "0") + pad + (i % 997 === 0 ? \' "q" \\\\ \\t \\u2028 \\u0001 😀\' : ""));',
        'for (let i = 0; i < 8000; i++) console.error("err line", i);',
        "// %% pairs",
        "// a surrogate pair written in two halves, many times, so that some halves meet at a batch boundary",
        'for (let i = 0; i < 700; i++) { process.stdout.write("a".repeat(999)); process.stdout.write("\\ud83d"); process.stdout.write("\\ude00"); }',
        "// %% small",
        'console.log("small"); 1',
      ].join("\n"),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.stringify(r.json)}\n`);
    const big = r.cell("big");
    const lines = big.stdout.split("\n");
    expect(lines.length).toBe(20001);
    expect(lines[997]).toBe(`000997${"x".repeat(58)} "q" \\ \t \u2028 \u0001 😀`);
    expect(big.stderr.split("\n").length).toBe(8001);
    expect(r.cell("pairs").stdout).toBe(`${"a".repeat(999)}😀`.repeat(700));
    expect(r.cell("small").stdout).toBe("small\n");
  });
});

// Long text is kept JSON-escaped as UTF-8 bytes while the cell prints: the human report, a
// batch's JSON and a small cell's text must still be the text that was written.
const LONG_MIXED = [
  "// %% long",
  "// three writes a line, so that the halves of a pair meet at some of the collector's joins",
  "for (let i = 0; i < 12000; i++) {",
  '  process.stdout.write("é世 " + String(i).padStart(5, "0") + " \\"q\\" \\t\\\\ ");',
  '  process.stdout.write("\\ud83d");',
  '  process.stdout.write("\\ude00\\n");',
  "}",
  "// %% short",
  'console.log("short");',
].join("\n");
function longMixedText(lines = 12000): string {
  let s = "";
  for (let i = 0; i < lines; i++) s += `é世 ${String(i).padStart(5, "0")} "q" \t\\ 😀\n`;
  return s;
}

describe("long output kept escaped", () => {
  it("run --json: exactly JSON.stringify's text for a long non-ASCII stdout written in halves", () => {
    const r = runJson(LONG_MIXED);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.stringify(r.json)}\n`);
    expect(r.cell("long").stdout).toBe(longMixedText());
    expect(r.cell("short").stdout).toBe("short\n");
  });

  it("run without --json prints the long text itself", () => {
    const dir = project({ "nb.ts": LONG_MIXED });
    const r = runCli(["run", join(dir, "nb.ts")], { cwd: dir, env: { NO_COLOR: "1" } });
    expect(r.code).toBe(0);
    const want = longMixedText().split("\n");
    expect(r.stdout).toContain(want[0]);
    expect(r.stdout).toContain(want[5999]);
    expect(r.stdout).not.toContain("\\u");
  });

  it("run --jobs 2 --json: each notebook's long text whole in the batch's JSON", () => {
    const dir = project({ "a.ts": LONG_MIXED, "b.ts": LONG_MIXED.replace("12000", "11000") });
    const r = runCli(["run", join(dir, "a.ts"), join(dir, "b.ts"), "--json", "--jobs", "2"], { cwd: dir });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    const [a, b] = json.notebooks;
    expect(a.cells.find((c: { name: string }) => c.name === "long").stdout).toBe(longMixedText());
    expect(b.cells.find((c: { name: string }) => c.name === "long").stdout).toBe(longMixedText(11000));
  });
});

describe("a reader that goes away", () => {
  // `kernelkit run nb.ts --json | head -c 100`: the command used to die on an unhandled EPIPE
  // with a stack trace on stderr.
  it.each([[["--json"]], [[]]])("stops quietly when stdout closes early (args %j)", async (extra) => {
    const dir = project({
      "nb.ts":
        '// %% many\nconst pad = "x".repeat(58);\nfor (let i = 0; i < 200000; i++) console.log(String(i) + pad);\n',
    });
    const child = spawn(process.execPath, [CLI, "run", join(dir, "nb.ts"), ...extra], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    // Read one chunk, then close the pipe, as `head` does.
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\(node:/);
    expect([0, 141]).toContain(code);
  });
});
