// A Python kernel driven over the wire: KernelClient starts `kernelkit serve` on a .py notebook.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KernelClient } from "@kernelkit/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.ts";

const dir = tempDir();
const notebook = join(dir, "nb.py");
writeFileSync(notebook, "# %% base\nbase = 10\n\n# %% scaled\nscaled = base * factor\nscaled\n");

let kernel: KernelClient;
beforeAll(async () => {
  kernel = await KernelClient.start({ cwd: dir, notebook });
});
afterAll(async () => {
  await kernel?.shutdown();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a Python kernel over stdio", () => {
  it("kernel_info names the python executor and language", async () => {
    const frames: any[] = [];
    await kernel.request({ type: "kernel_info" }, { onFrame: (f) => frames.push(f) });
    expect(frames.at(-1)).toMatchObject({
      type: "kernel_info_reply",
      executor: { name: "python" },
      language: "python",
    });
  });

  it("execute streams prints and returns results; a Python error comes back by name", async () => {
    const chunks: string[] = [];
    const bundles: unknown[] = [];
    const ok = await kernel.execute("print('hello from python')\n6 * 7", {
      onChunk: (t) => chunks.push(t),
      onDisplay: (b) => bundles.push(b),
    });
    expect(ok).toMatchObject({ status: "ok", cancelled: false });
    expect(chunks.join("")).toContain("hello from python\n");
    expect(bundles).toEqual([{ "text/plain": "42" }]);

    const bad = await kernel.execute("def f():\n    raise ValueError('bad value')\nf()");
    expect(bad.status).toBe("error");
    expect(bad.error).toMatchObject({ name: "ValueError", value: "bad value" });
    expect(bad.error!.traceback.join("\n")).toContain("in f");
  });

  it("set_inputs binds a value in Python and re-runs the cells that read it", async () => {
    const frames: any[] = [];
    await kernel.request({ type: "set_inputs", values: { factor: 4 } }, { onFrame: (f) => frames.push(f) });
    const result = frames.find((f) => f.type === "result" && f.cellId === "scaled");
    expect(result?.bundle).toEqual({ "text/plain": "40" });
    expect(frames.at(-1)).toMatchObject({ type: "run_done", ok: true });
    expect((await kernel.execute("scaled + factor")).status).toBe("ok");
  });

  it("interrupt() stops a busy Python loop with KeyboardInterrupt and the kernel keeps its names", async () => {
    await kernel.execute("kept_name = 'still here'");
    const flag = join(dir, "spinning");
    const running = kernel.execute(
      `import pathlib\npathlib.Path(${JSON.stringify(flag)}).write_text('x')\nwhile True:\n    pass`,
    );
    for (let i = 0; i < 400 && !existsSync(flag); i++) await sleep(25);
    await kernel.interrupt();
    const r = await running;
    expect(r).toMatchObject({ status: "error", cancelled: true, kernelKilled: false });
    expect(r.error?.code).toBe("KK_INTERRUPTED");
    const chunks: string[] = [];
    await kernel.execute("print(kept_name)", { onChunk: (t) => chunks.push(t) });
    expect(chunks.join("")).toContain("still here");
  });

  it("timeoutMs interrupts a Python cell sleeping in C (time.sleep)", async () => {
    const r = await kernel.execute("import time\ntime.sleep(60)", { timeoutMs: 300 });
    expect(r).toMatchObject({ status: "error", cancelled: true, kernelKilled: false });
    expect((await kernel.execute("1 + 1")).status).toBe("ok");
  });
});
