// The reactive kernel driven through the protocol in-process (memory transport).

import { type Frame, type InProcessKernel, startInProcessKernel } from "@kernelkit/core";
import { DefaultExecutor } from "@kernelkit/executor-default";
import { afterEach, describe, expect, it } from "vitest";

let open: InProcessKernel[] = [];
afterEach(async () => {
  for (const k of open) {
    k.client.close();
    await k.closed;
  }
  open = [];
});

async function kernel(options: { autorun?: boolean } = {}) {
  const k = await startInProcessKernel({ executor: new DefaultExecutor({ typescript: true }), ...options });
  open.push(k);
  let n = 0;
  const req = async (r: Record<string, unknown>) => {
    const frames: Frame[] = [];
    const terminal = await k.client.request({ id: `r${++n}`, ...r }, (f) => frames.push(f));
    return { terminal, frames };
  };
  return { ...k, req };
}

const statuses = (frames: Frame[]) =>
  frames.filter((f) => f.type === "cell_status" && f.status === "idle").map((f) => [f.cellId, f.runResult]);
const results = (frames: Frame[]) =>
  Object.fromEntries(
    frames.filter((f) => f.type === "result").map((f) => [f.cellId, (f.bundle as any)["text/plain"]]),
  );

describe("kernel: reactive runs over the protocol", () => {
  it("set_cells with run, then editing a cell re-runs it and its descendants only", async () => {
    const k = await kernel();
    const first = await k.req({
      type: "set_cells",
      run: true,
      cells: [
        { id: "a", code: "const a = 1;" },
        { id: "b", code: "const b = a * 10;\nb" },
        { id: "c", code: "const c = 5;\nc" },
      ],
    });
    expect(first.frames[0]!.type).toBe("graph");
    expect(first.terminal).toMatchObject({
      type: "run_done",
      ok: true,
      interrupted: false,
      cells: { a: "success", b: "success", c: "success" },
    });
    const second = await k.req({ type: "set_cells", run: true, cells: [{ id: "a", code: "const a = 2;" }] });
    expect(statuses(second.frames)).toEqual([
      ["a", "success"],
      ["b", "success"],
    ]);
    expect(results(second.frames)).toEqual({ b: "20" });
  });

  it("each cell goes queued → running → idle once per run", async () => {
    const k = await kernel();
    await k.req({
      type: "set_cells",
      cells: [
        { id: "x", code: "1" },
        { id: "y", code: "2" },
      ],
    });
    const r = await k.req({ type: "run_cells", cellIds: ["x", "y"] });
    const seq = (id: string) =>
      r.frames.filter((f) => f.type === "cell_status" && f.cellId === id).map((f) => f.status);
    expect(seq("x")).toEqual(["queued", "running", "idle"]);
    expect(seq("y")).toEqual(["queued", "running", "idle"]);
    await k.req({
      type: "set_cells",
      cells: [
        { id: "bad", code: "const b = null.x;" },
        { id: "kid", code: "b" },
      ],
    });
    const failed = await k.req({ type: "run_cells", cellIds: ["bad"] });
    const seqOf = (id: string) =>
      failed.frames.filter((f) => f.type === "cell_status" && f.cellId === id).map((f) => f.status);
    expect(seqOf("kid")).toEqual(["queued", "running", "idle"]);
    expect(failed.terminal.cells).toEqual({ bad: "exception", kid: "cancelled" });
  });

  it("running a cell runs its stale ancestors first", async () => {
    const k = await kernel();
    await k.req({
      type: "set_cells",
      cells: [
        { id: "base", code: "const base = 3;" },
        { id: "use", code: "base + 1" },
      ],
    });
    const r = await k.req({ type: "run_cells", cellIds: ["use"] });
    expect(statuses(r.frames)).toEqual([
      ["base", "success"],
      ["use", "success"],
    ]);
    const again = await k.req({ type: "run_cells", cellIds: ["use"] });
    expect(statuses(again.frames)).toEqual([["use", "success"]]);
  });

  it("a removed definition disappears from the scope", async () => {
    const k = await kernel();
    await k.req({
      type: "set_cells",
      run: true,
      cells: [{ id: "a", code: "const old = 1;\nconst keep = 2;" }],
    });
    await k.req({ type: "set_cells", run: true, cells: [{ id: "a", code: "const keep = 2;" }] });
    const r = await k.req({ type: "execute", code: "typeof old" });
    expect(r.frames.find((f) => f.type === "result")!.bundle).toEqual({ "text/plain": "'undefined'" });
  });

  it("delete_cells removes defs and re-runs descendants, which then fail naming the missing ref", async () => {
    const k = await kernel();
    await k.req({
      type: "set_cells",
      run: true,
      cells: [
        { id: "def", code: "const v = 1;" },
        { id: "use", code: "v + 1" },
      ],
    });
    const r = await k.req({ type: "delete_cells", cellIds: ["def"] });
    expect(r.frames[0]!.type).toBe("graph");
    expect(r.terminal).toMatchObject({ type: "run_done", ok: false, cells: { use: "exception" } });
    const err = r.frames.find((f) => f.type === "error")!;
    expect(err).toMatchObject({ cellId: "use", ename: "ReferenceError" });
  });

  it("a missing ref defined by a cell that did not run names that cell", async () => {
    const k = await kernel({ autorun: false });
    await k.req({
      type: "set_cells",
      cells: [
        { id: "maker", code: "const made = 1;" },
        { id: "user", code: "made + 1" },
      ],
    });
    await k.req({ type: "run_cells", cellIds: ["maker"] });
    await k.req({ type: "set_cells", cells: [{ id: "maker", code: "const made = boom();" }] });
    const r = await k.req({ type: "run_cells", cellIds: ["user"] });
    const errors = r.frames.filter((f) => f.type === "error");
    expect(errors.map((e) => e.cellId)).toEqual(["maker", "user"]);
    expect(r.terminal.cells).toEqual({ maker: "exception", user: "cancelled" });
    expect(errors[1]!.evalue).toContain("'maker'");
  });

  it("autorun false marks descendants stale instead of running them", async () => {
    const k = await kernel({ autorun: false });
    await k.req({
      type: "set_cells",
      cells: [
        { id: "a", code: "const a = 1;" },
        { id: "b", code: "a + 1" },
      ],
    });
    const r = await k.req({ type: "run_cells", cellIds: ["a"] });
    expect(statuses(r.frames)).toEqual([["a", "success"]]);
    const later = await k.req({ type: "run_cells", cellIds: ["b"] });
    expect(results(later.frames)).toEqual({ b: "2" });
  });

  it("enabling a disabled cell runs it and its stale descendants", async () => {
    const k = await kernel();
    const first = await k.req({
      type: "set_cells",
      run: true,
      cells: [
        { id: "src", code: "const s = 4;", config: { disabled: true } },
        { id: "dst", code: "s * 2" },
      ],
    });
    expect(first.terminal.cells).toEqual({ src: "disabled", dst: "disabled" });
    const second = await k.req({
      type: "set_cells",
      run: true,
      cells: [{ id: "src", code: "const s = 4;", config: { disabled: false } }],
    });
    expect(results(second.frames)).toEqual({ dst: "8" });
  });

  it("set_inputs binds names and re-runs the cells that read them", async () => {
    const k = await kernel();
    await k.req({
      type: "set_cells",
      cells: [
        { id: "view", code: "greeting + ', ' + who + '!'" },
        { id: "other", code: "1" },
      ],
    });
    const r = await k.req({ type: "set_inputs", values: { greeting: "Hello", who: "world" } });
    expect(results(r.frames)).toEqual({ view: "'Hello, world!'" });
    const r2 = await k.req({ type: "set_inputs", values: { who: "kernelkit" } });
    expect(results(r2.frames)).toEqual({ view: "'Hello, kernelkit!'" });
  });

  it("set_inputs keys like __proto__ never reach prototypes", async () => {
    const k = await kernel();
    k.client.send(
      JSON.parse('{"id":"p","type":"set_inputs","values":{"__proto__":{"polluted":true},"ok":1}}'),
    );
    const r = await k.req({ type: "execute", code: "[({}).polluted, ok]" });
    expect(r.frames.find((f) => f.type === "result")!.bundle).toEqual({ "text/plain": "[ undefined, 1 ]" });
    expect(({} as any).polluted).toBeUndefined();
  });

  it("execute runs scratch code in the kernel's scope and counts executions", async () => {
    const k = await kernel();
    const a = await k.req({ type: "execute", code: "const shared = 21;" });
    expect(a.frames.map((f) => f.type)).toEqual(["started", "done"]);
    expect(a.terminal).toMatchObject({ status: "ok", executionCount: 1, cancelled: false });
    const b = await k.req({ type: "execute", code: "console.log('x'); shared * 2" });
    expect(b.frames.map((f) => f.type)).toEqual(["started", "stdout", "result", "done"]);
    const silent = await k.req({ type: "execute", code: "1", silent: true });
    expect(silent.terminal).toMatchObject({ executionCount: 2 });
    const bad = await k.req({ type: "execute", code: "null.x" });
    expect(bad.terminal).toMatchObject({ status: "error", executionCount: 3 });
    expect(bad.frames.find((f) => f.type === "error")).toMatchObject({ ename: "TypeError" });
  });

  it("interrupt stops an awaiting cell, cancels what is queued and keeps the scope", async () => {
    const k = await kernel();
    await k.req({ type: "execute", code: "const kept = 'still here';" });
    const pending = k.req({
      type: "set_cells",
      run: true,
      cells: [
        { id: "slow", code: "const s = 1;\nawait new Promise((r) => setTimeout(r, 60_000));" },
        { id: "next", code: "s + 1" },
      ],
    });
    await new Promise((r) => setTimeout(r, 200));
    const ack = await k.req({ type: "interrupt" });
    expect(ack.terminal.type).toBe("interrupt_reply");
    const r = await pending;
    expect(r.terminal).toMatchObject({
      interrupted: true,
      cells: { slow: "interrupted", next: "cancelled" },
    });
    expect(r.frames.find((f) => f.type === "error" && f.cellId === "slow")).toMatchObject({
      ename: "Interrupted",
      code: "KK_INTERRUPTED",
    });
    const after = await k.req({ type: "execute", code: "kept" });
    expect(after.frames.find((f) => f.type === "result")!.bundle).toEqual({ "text/plain": "'still here'" });
  });

  it("execute with timeoutMs interrupts itself", async () => {
    const k = await kernel();
    const r = await k.req({
      type: "execute",
      code: "await new Promise((r) => setTimeout(r, 60_000))",
      timeoutMs: 100,
    });
    expect(r.terminal).toMatchObject({ status: "error", cancelled: true });
    expect(r.frames.find((f) => f.type === "error")).toMatchObject({
      ename: "Interrupted",
      code: "KK_INTERRUPTED",
    });
  });

  it("answers bad requests with one coded reply and keeps going", async () => {
    const k = await kernel();
    const frames: Frame[] = [];
    k.client.onFrame((f) => frames.push(f));
    k.client.send({ type: "execute", code: "1" });
    k.client.send({ id: 7, type: "execute", code: "1" });
    k.client.send({ id: "x", type: "execute" });
    k.client.send({ id: "y", type: "nope" });
    k.client.send({ id: "z", type: "run_cells", cellIds: ["ghost"] });
    k.client.send([1, 2]);
    const ok = await k.req({ type: "kernel_info" });
    expect(ok.terminal).toMatchObject({
      type: "kernel_info_reply",
      protocolVersion: "1.1",
      executor: { name: "default" },
      language: "javascript",
    });
    const replies = frames.filter((f) => f.type === "error_reply").map((f) => [f.id, (f.error as any).code]);
    const byId = (a: any[], b: any[]) => String(a[0]).localeCompare(String(b[0]));
    expect(replies.sort(byId)).toEqual(
      [
        [null, "INVALID_REQUEST"],
        [null, "INVALID_REQUEST"],
        ["x", "INVALID_REQUEST"],
        ["y", "UNKNOWN_COMMAND"],
        [null, "INVALID_REQUEST"],
        ["z", "INVALID_REQUEST"],
      ].sort(byId),
    );
    expect((frames.find((f) => f.id === "x")!.error as any).message).toContain("'code'");
  });

  it("merges consecutive queued set_inputs: last value per name, one run, mergedInto for the others", async () => {
    const k = await kernel();
    await k.req({ type: "set_cells", cells: [{ id: "view", code: "console.log('run'); a + '-' + b" }] });
    const frames: Frame[] = [];
    k.client.onFrame((f) => frames.push(f));
    k.client.send({ id: "slow", type: "execute", code: "await new Promise((r) => setTimeout(r, 200))" });
    for (let i = 1; i <= 5; i++)
      k.client.send({ id: `s${i}`, type: "set_inputs", values: i === 1 ? { a: 1, b: 1 } : { a: i } });
    const last = await k.client.request({ id: "s6", type: "set_inputs", values: { b: 6 } });
    expect(last).toMatchObject({ type: "run_done", ok: true });
    const runDones = frames.filter((f) => f.type === "run_done");
    expect(runDones.map((f) => [f.id, f.mergedInto ?? null])).toEqual([
      ["s1", "s6"],
      ["s2", "s6"],
      ["s3", "s6"],
      ["s4", "s6"],
      ["s5", "s6"],
      ["s6", null],
    ]);
    expect(frames.filter((f) => f.type === "stdout").length).toBe(1);
    expect(frames.find((f) => f.type === "result")!.bundle).toEqual({ "text/plain": "'5-6'" });
  });

  it("a hook tap that throws is reported with the plugin's and hook's names; the run still completes", async () => {
    const k = await kernel();
    k.kernel.hooks.postExecution.tap("flaky-plugin", () => {
      throw new Error("tap exploded");
    });
    const r = await k.req({ type: "set_cells", run: true, cells: [{ id: "a", code: "1 + 1" }] });
    expect(r.terminal).toMatchObject({ ok: true, cells: { a: "success" } });
    expect(results(r.frames)).toEqual({ a: "2" });
    expect(k.kernel.warnings.map((w) => w.message)).toContain(
      "plugin 'flaky-plugin' failed in hook 'postExecution': tap exploded",
    );
  });
});
