// The wire protocol over WebSocket: execute and run_cells, the same error frames as stdio,
// answers scoped per connection, large messages, the notebook_info extension.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { record, startWsKernel, type TestKernel } from "./helpers.ts";

let k: TestKernel;
beforeAll(async () => {
  k = await startWsKernel({ maxMessageBytes: 64 * 1024 });
});
afterAll(async () => {
  await k?.stop();
});

describe("ws transport: requests and frames", () => {
  it("runs an execute: started, stdout, result, done", async () => {
    const ch = await k.connect();
    const frames: Record<string, unknown>[] = [];
    const done = await ch.request({ id: "1", type: "execute", code: 'console.log("hi"); 6 * 7' }, (f) =>
      frames.push(f),
    );
    expect(frames.map((f) => f.type)).toEqual(["started", "stdout", "result", "done"]);
    expect(frames[1]).toMatchObject({ data: "hi\n" });
    expect(frames[2]).toMatchObject({ bundle: { "text/plain": "42" } });
    expect(done).toMatchObject({ id: "1", status: "ok", cancelled: false });
    await ch.close();
  });

  it("sets cells and runs them reactively with per-cell statuses", async () => {
    const ch = await k.connect();
    const graph = await ch.request({
      type: "set_cells",
      cells: [
        { id: "a", code: "const a = 20;" },
        { id: "b", code: "const b = a + 1;\nb * 2" },
      ],
    });
    expect(graph.type).toBe("graph");
    expect(graph.cells).toEqual([
      expect.objectContaining({ id: "a", defs: ["a"], refs: [] }),
      expect.objectContaining({ id: "b", defs: ["b"], refs: ["a"] }),
    ]);
    const frames: Record<string, unknown>[] = [];
    const runDone = await ch.request({ type: "run_cells", cellIds: ["a"] }, (f) => frames.push(f));
    expect(runDone).toMatchObject({ type: "run_done", ok: true, cells: { a: "success", b: "success" } });
    const statuses = frames.filter((f) => f.type === "cell_status" && f.cellId === "b").map((f) => f.status);
    expect(statuses).toEqual(["queued", "running", "idle"]);
    expect(frames.find((f) => f.type === "result")).toMatchObject({
      cellId: "b",
      bundle: { "text/plain": "42" },
    });
    await ch.close();
  });

  it("answers bad JSON with protocol_error INVALID_JSON and keeps the connection", async () => {
    const ch = await k.connect();
    const frames = record(ch);
    ch.sendText("{not json");
    const reply = await ch.request({ type: "kernel_info" });
    expect(reply.type).toBe("kernel_info_reply");
    expect(frames[0]).toMatchObject({ type: "protocol_error", id: null, error: { code: "INVALID_JSON" } });
    expect(ch.isOpen).toBe(true);
    await ch.close();
  });

  it("gives the same error_reply frames as stdio for invalid requests and unknown commands", async () => {
    const ch = await k.connect();
    const frames = record(ch);
    ch.send({ type: "execute" }); // no id
    ch.send([1, 2]);
    expect(await ch.request({ id: "u", type: "no_such_thing" })).toMatchObject({
      type: "error_reply",
      error: { code: "UNKNOWN_COMMAND" },
    });
    expect(await ch.request({ id: "v", type: "execute", code: 5 })).toMatchObject({
      type: "error_reply",
      error: { code: "INVALID_REQUEST" },
    });
    expect(frames.slice(0, 2)).toEqual([
      expect.objectContaining({
        type: "error_reply",
        id: null,
        error: expect.objectContaining({ code: "INVALID_REQUEST" }),
      }),
      expect.objectContaining({
        type: "error_reply",
        id: null,
        error: expect.objectContaining({ code: "INVALID_REQUEST" }),
      }),
    ]);
    await ch.close();
  });

  it("discards a message over the size limit with FRAME_TOO_LARGE and reads the next one", async () => {
    const ch = await k.connect();
    const frames = record(ch);
    ch.send({ id: "big", type: "execute", code: `"${"x".repeat(100 * 1024)}".length` });
    const reply = await ch.request({ type: "execute", code: "1 + 1" });
    expect(reply).toMatchObject({ type: "done", status: "ok" });
    expect(frames[0]).toMatchObject({ type: "protocol_error", id: null, error: { code: "FRAME_TOO_LARGE" } });
    expect(frames.some((f) => f.id === "big")).toBe(false);
    await ch.close();
  });

  it("answers a message far over the limit (5 MB, 80× it) with FRAME_TOO_LARGE and keeps the connection", async () => {
    const ch = await k.connect();
    const frames = record(ch);
    const closed: number[] = [];
    ch.socket.on("close", (code: number) => closed.push(code));
    ch.sendText(`{"id":"huge","type":"execute","code":"${"x".repeat(5 * 1024 * 1024)}"}`);
    const reply = await ch.request({ type: "execute", code: "1 + 1" });
    expect(reply).toMatchObject({ type: "done", status: "ok" });
    expect(frames[0]).toMatchObject({ type: "protocol_error", id: null, error: { code: "FRAME_TOO_LARGE" } });
    expect(closed).toEqual([]);
    await ch.close();
  });

  it("answers a text message that is not valid UTF-8 with INVALID_JSON and keeps the connection", async () => {
    const ch = await k.connect();
    const frames = record(ch);
    const closed: number[] = [];
    ch.socket.on("close", (code: number) => closed.push(code));
    ch.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    const reply = await ch.request({ type: "execute", code: "2 + 2" });
    expect(reply).toMatchObject({ type: "done", status: "ok" });
    expect(frames[0]).toMatchObject({ type: "protocol_error", id: null, error: { code: "INVALID_JSON" } });
    expect(closed).toEqual([]);
    await ch.close();
  });

  it("keeps JSON keys such as __proto__ off prototypes", async () => {
    const ch = await k.connect();
    const reply = await ch.request({ type: "execute", code: "({}).polluted === undefined" });
    ch.sendText('{"id":"p","type":"set_inputs","values":{"__proto__":{"polluted":1}}}');
    const after = await ch.request({ type: "execute", code: "({}).polluted === undefined" });
    expect(reply.type).toBe("done");
    expect(after).toMatchObject({ type: "done", status: "ok" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await ch.close();
  });
});

describe("ws transport: several clients on one kernel", () => {
  it("scopes ids per connection: two clients both use id '1' and each gets only its own answers", async () => {
    const a = await k.connect();
    const b = await k.connect();
    const framesA = record(a);
    const framesB = record(b);
    const [doneA, doneB] = await Promise.all([
      a.request({ id: "1", type: "execute", code: 'console.log("from A"); "A"' }),
      b.request({ id: "1", type: "execute", code: 'console.log("from B"); "B"' }),
    ]);
    expect(doneA).toMatchObject({ type: "done", id: "1", status: "ok" });
    expect(doneB).toMatchObject({ type: "done", id: "1", status: "ok" });
    const text = (fs: Record<string, unknown>[]) => JSON.stringify(fs);
    expect(text(framesA)).toContain("from A");
    expect(text(framesA)).not.toContain("from B");
    expect(text(framesB)).toContain("from B");
    expect(text(framesB)).not.toContain("from A");
    expect(framesA.filter((f) => f.type === "done")).toHaveLength(1);
    expect(framesB.filter((f) => f.type === "done")).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it("broadcasts nothing: a client that sent nothing receives nothing", async () => {
    const idle = await k.connect();
    const busy = await k.connect();
    const idleFrames = record(idle);
    await busy.request({ type: "execute", code: 'console.log("x"); 1' });
    await busy.request({ type: "run_cells", cellIds: ["a"] });
    // a round trip on the idle connection: anything sent to it earlier has arrived by now
    await idle.request({ id: "probe", type: "kernel_info" });
    expect(idleFrames.map((f) => f.id)).toEqual(["probe"]);
    await Promise.all([idle.close(), busy.close()]);
  });

  it("a client that disconnects does not end the kernel", async () => {
    const a = await k.connect();
    await a.request({ type: "kernel_info" });
    a.socket.terminate();
    await a.closed;
    const b = await k.connect();
    expect((await b.request({ type: "execute", code: "2 + 2" })).status).toBe("ok");
    await b.close();
  });

  it("rejects an id already in flight on the same connection, but not on another", async () => {
    const a = await k.connect();
    const b = await k.connect();
    const framesA = record(a);
    a.send({ id: "dup", type: "execute", code: "await new Promise((r) => setTimeout(r, 200)); 1" });
    a.send({ id: "dup", type: "kernel_info" });
    const other = await b.request({ id: "dup", type: "kernel_info" });
    expect(other.type).toBe("kernel_info_reply");
    await a.request({ id: "after", type: "execute", code: "1" });
    const dupFrames = framesA.filter((f) => f.id === "dup");
    expect(dupFrames.some((f) => f.type === "error_reply")).toBe(true);
    expect(dupFrames.some((f) => f.type === "done")).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });
});

describe("ws transport: notebook_info (extension)", () => {
  it("lists the cells with their code and the names set_inputs can bind", async () => {
    const ch = await k.connect();
    await ch.request({
      type: "set_cells",
      cells: [{ id: "reader", name: "reader", code: "const shown = threshold * 2;\nshown" }],
    });
    await ch.request({ type: "set_inputs", values: { threshold: 5 } });
    const info = await ch.request({ type: "notebook_info" });
    expect(info.type).toBe("notebook_info_reply");
    const cells = info.cells as { id: string; code: string; lastRun: string | null }[];
    expect(cells.find((c) => c.id === "reader")).toMatchObject({
      code: "const shown = threshold * 2;\nshown",
      lastRun: "success",
    });
    expect(info.inputs).toContainEqual({ name: "threshold", value: 5 });
    await ch.close();
  });
});
