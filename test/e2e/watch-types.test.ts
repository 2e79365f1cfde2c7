// `kernelkit watch --types`: after each save the notebook's type errors, from the kernel's warm
// language service (docs/watch.md "Type errors"). A user edits a cell on disk, sees TS2345 at the
// notebook line of the call, fixes the callee's signature, and the error is gone.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, tempDir } from "../helpers/cli.ts";
import { startWatch, type WatchProcess } from "../helpers/watch.ts";

const NOTEBOOK = `// %% total
function total(xs: number[]): number {
  return xs.length;
}

// %% use
const n = total([1, 2, 3]);
n

// %% other
const other: string = "fine";
other
`;

let watching: WatchProcess | null = null;
afterEach(async () => {
  await watching?.stop();
  watching = null;
});

describe("watch --types", () => {
  it("reports a cross-cell type error at the notebook line after a save, and clears it after the fix", async () => {
    const dir = tempDir();
    const nb = join(dir, "nb.ts");
    writeFileSync(nb, NOTEBOOK);
    watching = await startWatch(["nb.ts", "--types"], { cwd: dir });
    const w = watching;
    const initial = await w.nextOf("types", 60_000);
    expect(initial).toMatchObject({ trigger: "initial", ok: true, count: 0, cells: [] });

    // Cell `use` now passes a string where `total` wants number[].
    writeFileSync(nb, NOTEBOOK.replace("total([1, 2, 3])", 'total("abc")'));
    const broken = await w.nextOf("types");
    expect(broken).toMatchObject({ trigger: "notebook", ok: false, count: 1 });
    expect(broken.cells).toEqual([
      {
        id: "use",
        name: "use",
        typeErrors: [
          {
            code: "TS2345",
            message: expect.stringContaining("'string' is not assignable to parameter of type 'number[]'"),
            line: 7,
            column: 17,
          },
        ],
      },
    ]);
    const line = readFileSync(nb, "utf8").split("\n")[6]!;
    expect(line.slice(16)).toMatch(/^"abc"/);

    // Fix the callee (not the caller): the error in `use` goes away.
    writeFileSync(
      nb,
      NOTEBOOK.replace("total([1, 2, 3])", 'total("abc")').replace("xs: number[]", "xs: string | number[]"),
    );
    const fixed = await w.nextOf("types");
    expect(fixed).toMatchObject({ trigger: "notebook", ok: true, count: 0, cells: [] });
  }, 120_000);

  it("prints tsc-style lines in the terminal after each save", async () => {
    const dir = tempDir();
    const nb = join(dir, "nb.ts");
    writeFileSync(nb, NOTEBOOK);
    const child = spawn(process.execPath, [CLI, "watch", "nb.ts", "--types"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const waitFor = async (text: string, from = 0) => {
      const deadline = Date.now() + 60_000;
      while (!stdout.slice(from).includes(text)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no "${text}" in:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await waitFor("no type errors");
      const mark = stdout.length;
      writeFileSync(nb, NOTEBOOK.replace("total([1, 2, 3])", 'total("abc")'));
      await waitFor("Found 1 type error.", mark);
      expect(stdout.slice(mark)).toContain(
        "nb.ts:7:17 - error TS2345: Argument of type 'string' is not assignable to parameter of type 'number[]'.",
      );
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  }, 120_000);

  it("serve --watch --types sends a types frame with the save's id, before its run_done", async () => {
    const dir = tempDir();
    const nb = join(dir, "nb.ts");
    writeFileSync(nb, NOTEBOOK);
    const child = spawn(process.execPath, [CLI, "serve", "--watch", "--types", "nb.ts"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    type Frame = { type: string; id: string | null; [k: string]: any };
    const frames: Frame[] = [];
    let buf = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      for (let nl = buf.indexOf("\n"); nl !== -1; nl = buf.indexOf("\n")) {
        frames.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
    const waitFor = async (pred: (f: Frame) => boolean) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const f = frames.find(pred);
        if (f) return f;
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`timeout; frames: ${JSON.stringify(frames).slice(0, 3000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      child.stdin.write(`${JSON.stringify({ id: "1", type: "kernel_info" })}\n`);
      await waitFor((f) => f.id === "1");
      writeFileSync(nb, NOTEBOOK.replace("total([1, 2, 3])", 'total("abc")'));
      const done = await waitFor((f) => f.type === "run_done" && String(f.id).startsWith("watch:"));
      const mine = frames.filter((f) => f.id === done.id);
      const types = mine.find((f) => f.type === "types");
      expect(types).toMatchObject({ ok: false, count: 1 });
      expect(types!.cells[0].typeErrors[0]).toMatchObject({ code: "TS2345", line: 7, column: 17 });
      expect(mine.indexOf(types!)).toBeLessThan(mine.indexOf(done));
    } finally {
      child.stdin.end();
      await new Promise((r) => child.once("exit", r));
    }
  }, 120_000);
});
