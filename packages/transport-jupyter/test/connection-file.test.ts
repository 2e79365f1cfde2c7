// Connection files: what a launcher writes, and the coded errors for what it should not.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codePointsToUtf16, endpoint, History, readConnectionFile, utf16ToCodePoints } from "../src/index.ts";

const GOOD = {
  ip: "127.0.0.1",
  transport: "tcp",
  key: "k",
  signature_scheme: "hmac-sha256",
  shell_port: 5001,
  iopub_port: 5002,
  stdin_port: 5003,
  control_port: 5004,
  hb_port: 5005,
};

function file(content: string): string {
  const p = join(mkdtempSync(join(tmpdir(), "kk-cf-")), "kernel.json");
  writeFileSync(p, content);
  return p;
}

describe("connection files", () => {
  it("reads the five ports, the key and the scheme", () => {
    const info = readConnectionFile(file(JSON.stringify(GOOD)));
    expect(info.ports).toEqual({ shell: 5001, iopub: 5002, stdin: 5003, control: 5004, hb: 5005 });
    expect(endpoint(info, "hb")).toBe("tcp://127.0.0.1:5005");
  });

  it("missing, not JSON, a port missing, an unknown scheme: KK_JUPYTER_CONNECTION_FILE with a hint", () => {
    const bad = [
      "/nonexistent/kernel-1.json",
      file("{not json"),
      file(JSON.stringify({ ...GOOD, hb_port: undefined })),
      file(JSON.stringify({ ...GOOD, shell_port: "x" })),
      file(JSON.stringify({ ...GOOD, signature_scheme: "hmac-md5" })),
      file("[]"),
    ];
    for (const p of bad) {
      let caught: unknown;
      try {
        readConnectionFile(p);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: "KK_JUPYTER_CONNECTION_FILE" });
      expect((caught as { hint?: string }).hint).toBeTruthy();
    }
  });
});

describe("cursor positions", () => {
  it("converts Jupyter's code points to UTF-16 and back across astral characters", () => {
    const code = "const 🎉 = 1; 🎉.";
    const cp = [...code].length;
    expect(codePointsToUtf16(code, cp)).toBe(code.length);
    expect(utf16ToCodePoints(code, code.length)).toBe(cp);
    expect(codePointsToUtf16(code, 7)).toBe(8);
  });
});

describe("history", () => {
  it("answers tail, range and search (glob, unique) over the kernel's inputs", () => {
    const h = new History();
    for (const [i, c] of ["a = 1", "print(a)", "a = 1", "b = 2"].entries()) h.add(i + 1, c);
    expect(h.request({ hist_access_type: "tail", n: 2 })).toEqual([
      [1, 3, "a = 1"],
      [1, 4, "b = 2"],
    ]);
    expect(h.request({ hist_access_type: "range", session: 0, start: 2, stop: 4 }).map((e) => e[1])).toEqual([
      2, 3,
    ]);
    expect(h.request({ hist_access_type: "search", pattern: "a*" }).length).toBe(2);
    expect(h.request({ hist_access_type: "search", pattern: "a*", unique: true })).toEqual([[1, 3, "a = 1"]]);
    expect(h.request({ hist_access_type: "tail", n: 1, output: true })).toEqual([[1, 4, ["b = 2", null]]]);
  });
});
