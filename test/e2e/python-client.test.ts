// A Python kernel driven over the wire: KernelClient starts `kernelkit serve` on a .py notebook.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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

/** The pids of `pid`'s direct children (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may contain spaces and parentheses; the ppid follows the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

describe("a Python kernel started by KernelClient survives its Python process dying", () => {
  // Started as users start it (KernelClient, no NODE_PATH): the warning the kernel logs when
  // Python dies used to load pino after the transport's fstat of a pipe, which crashed the
  // kernel with "Cannot find module 'pino-std-serializers'" (nodejs/node#51142).
  it("answers the next execute from a new Python after os._exit and after SIGKILL", async () => {
    const d = tempDir();
    const nb = join(d, "nb.py");
    writeFileSync(nb, "# %% a\nx = 1\n");
    const k = await KernelClient.start({ cwd: d, notebook: nb, onOutput: () => {} });
    try {
      const pidOf = async () => {
        const chunks: string[] = [];
        const r = await k.execute("import os\nprint(os.getpid())", { onChunk: (t) => chunks.push(t) });
        expect(r.status).toBe("ok");
        return Number(chunks.join("").trim());
      };
      expect((await k.execute("kept = 'before'")).status).toBe("ok");
      const first = await pidOf();

      const exited = await k.execute("import os\nos._exit(3)");
      expect(exited.status).toBe("error");
      expect(exited.error?.code).toBe("KK_PYTHON_EXITED");
      expect(exited.error?.value).toContain("exit code 3");
      expect(exited.error?.value).toContain("every name the old one held is lost");

      const second = await pidOf();
      expect(second).not.toBe(first);
      const lost = await k.execute("kept");
      expect(lost.error?.name).toBe("NameError");

      // SIGKILL of the Python child while a cell sleeps in it (the OOM killer, say).
      const sleeping = k.execute("import time\ntime.sleep(60)");
      const python = childrenOf(k.pid!).filter((p) => p === second);
      expect(python).toEqual([second]);
      await new Promise((r) => setTimeout(r, 300));
      process.kill(second, "SIGKILL");
      const killed = await sleeping;
      expect(killed.status).toBe("error");
      expect(killed.error?.code).toBe("KK_PYTHON_EXITED");
      expect(killed.error?.value).toContain("signal SIGKILL");

      const third = await pidOf();
      expect([first, second]).not.toContain(third);
      const again = await k.execute("x = 2\nx * 21", { onDisplay: () => {} });
      expect(again.status).toBe("ok");
    } finally {
      await k.shutdown();
    }
  });
});
