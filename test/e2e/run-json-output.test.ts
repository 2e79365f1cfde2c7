// `run --json` streams a long stdout/stderr out in batches; the printed text must be exactly
// what JSON.stringify of the same object prints, whatever the text holds.
import { describe, expect, it } from "vitest";
import { runJson } from "../helpers/cli.ts";

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
