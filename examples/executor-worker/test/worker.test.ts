// What the worker executor adds over the built-in one: a memory cap that fails the cell, not the
// kernel; interrupts that terminate a stuck worker and restore the notebook's data; process.exit
// contained. Driven through a real kernel over the protocol (in-process transport).
import { type Frame, startInProcessKernel } from "@kernelkit/core";
import { createWorkerExecutor } from "kernelkit-executor-worker";
import { afterEach, describe, expect, it } from "vitest";

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const k of open.splice(0)) await k.close();
});

async function kernel(memoryMb = 64) {
  const k = await startInProcessKernel({ executor: createWorkerExecutor({ memoryMb }), interrupts: null });
  open.push({
    close: async () => {
      k.client.close();
      await k.closed;
    },
  });
  let n = 0;
  const req = async (r: Record<string, unknown>) => {
    const frames: Frame[] = [];
    const terminal = await k.client.request({ id: `r${++n}`, ...r }, (f) => frames.push(f));
    return { terminal, frames, text: (type: string) => frames.filter((f) => f.type === type) };
  };
  return { ...k, req };
}

const result = (frames: Frame[]) => (frames.find((f) => f.type === "result")?.bundle as any)?.["text/plain"];

describe("kernelkit-executor-worker in a kernel", () => {
  it("runs reactive cells; outputs, prints and defs flow through the worker", async () => {
    const k = await kernel();
    const r = await k.req({
      type: "set_cells",
      run: true,
      cells: [
        { id: "a", code: "const rows = [3, 4, 5];\nconsole.log('loaded', rows.length);" },
        { id: "b", code: "const total = rows.reduce((s, x) => s + x, 0);\ntotal" },
      ],
    });
    expect(r.terminal).toMatchObject({ type: "run_done", ok: true, cells: { a: "success", b: "success" } });
    expect(r.frames.find((f) => f.type === "stdout")?.data).toBe("loaded 3\n");
    expect(r.frames.find((f) => f.type === "result" && f.cellId === "b")?.bundle).toMatchObject({
      "text/plain": "12",
    });
    const again = await k.req({ type: "set_inputs", values: { rows: [10, 20] } });
    expect(again.terminal).toMatchObject({ ok: true });
  });

  it("a cell over the memory cap fails with a coded error; the kernel and its data live on", async () => {
    const k = await kernel(48);
    await k.req({ type: "execute", code: "const kept = { n: 41 };" });
    const big = await k.req({
      type: "execute",
      code: "const hog = [];\nwhile (true) hog.push(new Array(1e5).fill(Math.random()));",
    });
    expect(big.terminal).toMatchObject({ type: "done", status: "error", cancelled: false });
    const err = big.frames.find((f) => f.type === "error")!;
    expect(err).toMatchObject({ ename: "MemoryLimitError", code: "KK_WORKER_MEMORY" });
    expect(String(err.evalue)).toContain("48 MiB");
    const after = await k.req({ type: "execute", code: "kept.n + 1" });
    expect(result(after.frames)).toBe("42");
  });

  it("interrupting a synchronous loop terminates the worker and restores plain data, naming what was lost", async () => {
    const k = await kernel();
    await k.req({ type: "execute", code: "const data = [1, 2, 3];\nfunction double(x) { return x * 2; }" });
    const loop = k.req({ type: "execute", code: "console.log('spinning');\nwhile (true) {}" });
    // Interrupt once the loop runs (its print arrived).
    await new Promise<void>((resolve) => {
      const off = k.client.onFrame((f) => {
        if (f.type === "stdout" && String(f.data).includes("spinning")) {
          off();
          resolve();
        }
      });
    });
    const reply = await k.client.request({ id: "int", type: "interrupt" });
    expect(reply.type).toBe("interrupt_reply");
    const stopped = await loop;
    expect(stopped.terminal).toMatchObject({ status: "error", cancelled: true });
    const err = stopped.frames.find((f) => f.type === "error")!;
    expect(err.code).toBe("KK_INTERRUPTED");
    const notice = stopped.frames
      .filter((f) => f.type === "stderr")
      .map((f) => f.data)
      .join("");
    expect(notice).toContain("these names could not be kept: double");
    expect(result((await k.req({ type: "execute", code: "data.length" })).frames)).toBe("3");
    const gone = await k.req({ type: "execute", code: "typeof double" });
    expect(result(gone.frames)).toBe("'undefined'");
  });

  it("process.exit() in a cell ends the cell, not the kernel", async () => {
    const k = await kernel();
    await k.req({ type: "execute", code: "const x = 7;" });
    const exit = await k.req({ type: "execute", code: "process.exit(3)" });
    expect(exit.frames.find((f) => f.type === "error")).toMatchObject({ code: "KK_PROCESS_EXIT" });
    expect(result((await k.req({ type: "execute", code: "x * 6" })).frames)).toBe("42");
  });
});
