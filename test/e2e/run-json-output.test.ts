// `run --json` streams a long stdout/stderr out in batches; the printed text must be exactly
// what JSON.stringify of the same object prints, whatever the text holds.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, project, runJson } from "../helpers/cli.ts";

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
