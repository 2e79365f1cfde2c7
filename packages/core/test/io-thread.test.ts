// core's transport helper: startIoThread (main thread) and ioThread() (the transport's worker),
// driven through a worker that plays scripted steps instead of reading a wire. Interrupt of a
// synchronous loop through it, end to end, is in test/e2e/third-party-transport.test.ts.
import { type IoThreadHandle, type IoThreadOptions, startIoThread } from "@kernelkit/core";
import { afterEach, describe, expect, it } from "vitest";

const WORKER = new URL("./fixtures/script-io-thread.js", import.meta.url);

type Seen = [string, ...unknown[]];

function start(data: Record<string, unknown>, extra: Partial<IoThreadOptions> = {}) {
  const seen: Seen[] = [];
  const io = startIoThread(WORKER, {
    data,
    // Nothing in a test process handles SIGINT.
    forwardInterrupts: false,
    onRequest: (request, connection, outdated) => seen.push(["request", request, connection, outdated]),
    onEvent: (event) => seen.push(["event", event]),
    onEnd: (connection, reason) => seen.push(["end", connection, reason]),
    onExit: (error) => seen.push(["exit", error?.message ?? null]),
    ...extra,
  });
  started.push(io);
  return { io, seen };
}

const started: IoThreadHandle[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((io) => io.close()));
});

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("startIoThread / ioThread", () => {
  it("passes the transport's data, resolves ready with the thread's info, and delivers requests, events and ends in order", async () => {
    const { io, seen } = start({ name: "sock" });
    expect(await io.ready).toEqual({ listening: "sock", forwards: false });
    io.post([
      { event: { open: 1 } },
      { request: { type: "execute", id: "a", code: "1" }, connection: 1 },
      { request: { type: "interrupt", id: "b" }, connection: 1 },
      { request: "raw text", connection: 2 },
      { end: 1, reason: null },
      { end: 2, reason: "ECONNRESET" },
    ]);
    await until(() => seen.length === 6);
    expect(seen).toEqual([
      ["event", { open: 1 }],
      ["request", { type: "execute", id: "a", code: "1" }, 1, false],
      ["request", { type: "interrupt", id: "b" }, 1, false],
      ["request", "raw text", 2, false],
      ["end", 1, null],
      ["end", 2, "ECONNRESET"],
    ]);
    expect(io.running).toBe(true);
  });

  it("an interrupt read before another execution started arrives marked outdated", async () => {
    const { io, seen } = start({ name: "x" }, { forwardInterrupts: true });
    await io.ready;
    io.post([
      { request: { type: "interrupt", id: "i1" } },
      // The thread counts the execution itself, so the relay stops forwarding i1 before its
      // first signal.
      { executionStarted: true },
      { request: { type: "interrupt", id: "i2" }, quiet: true },
      { request: { type: "execute", id: "e" } },
    ]);
    // What makes i1 outdated is an execution started before the main thread takes it: keep the
    // main thread busy (it cannot take a message while this loop runs) until the thread has
    // counted the execution, as a main thread busy with a cell would be.
    const deadline = Date.now() + 10_000;
    while (io.relay.executions() === 0 && Date.now() < deadline) {}
    await until(() => seen.length === 3);
    expect(seen.map(([, r, , outdated]) => [(r as { id: string }).id, outdated])).toEqual([
      ["i1", true],
      ["i2", false],
      ["e", false],
    ]);
    // Both interrupts were forwarded (got tickets), and both were taken.
    expect(io.relay.issued()).toBe(2);
    expect(io.relay.outstanding()).toBe(false);
  });

  it("a thread that fails rejects ready with its reason and is ended, without an exit report", async () => {
    const { io, seen } = start({ fail: { code: "KK_X", message: "port in use" } });
    await expect(io.ready).rejects.toEqual({ code: "KK_X", message: "port in use" });
    await until(() => !io.running);
    await io.close();
    expect(seen).toEqual([]);
  });

  it("close() runs the thread's onClose first, once, and ends the thread", async () => {
    const { io, seen } = start({ name: "y" });
    await io.ready;
    await Promise.all([io.close(), io.close()]);
    expect(seen).toEqual([["event", { closing: 1 }]]);
    expect(io.running).toBe(false);
    io.post([{ event: "dropped" }]);
  });

  it("a thread that throws is reported once through onExit, with the error", async () => {
    const { io, seen } = start({ name: "z" });
    await io.ready;
    io.post([{ throw: "boom" }]);
    await until(() => seen.length > 0 && !io.running);
    expect(seen).toEqual([["exit", "boom"]]);
  });

  it("ready rejects when the thread dies before it is ready (a worker file that is not there)", async () => {
    const exits: (Error | null)[] = [];
    const missing = startIoThread(new URL("./fixtures/missing-io-thread.js", import.meta.url), {
      onRequest() {},
      onExit: (error) => exits.push(error),
    });
    started.push(missing);
    await expect(missing.ready).rejects.toThrow(/missing-io-thread/);
    await until(() => exits.length === 1);
    expect(missing.running).toBe(false);
  });
});
