// The one function run, check and serve read notebooks through: a file caught mid-write by an
// editor is read again, and never comes back as an empty notebook (docs/reliability.md).
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.ts";
import { loadNotebook } from "../src/load-notebook.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Empties the file, waits, writes it again, waits: an editor saving in place, over and over.
const WRITER = `
const fs = require("node:fs");
const [file, text] = process.argv.slice(1);
const hold = (ms) => { const t = Date.now() + ms; while (Date.now() < t) {} };
for (;;) { fs.writeFileSync(file, ""); hold(2); fs.writeFileSync(file, text); hold(6); }
`;

describe("loadNotebook", () => {
  it("never reads a notebook being rewritten as empty: its cells, or KK_NOTEBOOK_CHANGING", async () => {
    const file = join(tempDir(), "nb.ts");
    const text = "// %% a\nconst a = 1\n// %% b\nconst b = a + 1\n";
    writeFileSync(file, text);
    const writer = spawn(process.execPath, ["-e", WRITER, file, text], { stdio: "ignore" });
    try {
      await sleep(200);
      const outcomes: (number | string)[] = [];
      for (let i = 0; i < 40; i++) {
        try {
          outcomes.push(loadNotebook(file).cells.length);
        } catch (error) {
          outcomes.push(String((error as { code?: string }).code));
        }
        await sleep(3);
      }
      expect(outcomes.filter((o) => o !== 2 && o !== "KK_NOTEBOOK_CHANGING")).toEqual([]);
      expect(outcomes).toContain(2);
    } finally {
      writer.kill("SIGKILL");
    }
  });

  it("still reads an empty file as an empty notebook, and a notebook from a pipe", () => {
    const file = join(tempDir(), "empty.ts");
    writeFileSync(file, "");
    expect(loadNotebook(file).cells).toEqual([]);
    const fifo = join(tempDir(), "piped.ts");
    execFileSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", `printf '// %%%% a\\nconst a = 1\\n' > "$1"`, "sh", fifo], {
      stdio: "ignore",
    });
    try {
      expect(loadNotebook(fifo).cells.map((c) => c.name)).toEqual(["a"]);
    } finally {
      writer.kill("SIGKILL");
    }
  });
});
