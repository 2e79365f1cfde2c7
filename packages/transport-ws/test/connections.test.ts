// Connection management: a client that stops reading is cut off with a bounded buffer, dead
// peers are dropped by ping/pong, shutdown closes every connection with a close code, and
// the dial-out side serves a kernel over a connection it opened itself.
import type { Socket } from "node:net";
import { createKernel, listenMessages, silentLogger, teardownKernel } from "@kernelkit/core";
import { DefaultExecutor } from "@kernelkit/executor-default";
import { CLOSE_SHUTDOWN, WsClientTransport } from "@kernelkit/transport-ws";
import { describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { record, startWsKernel } from "./helpers.ts";

const MiB = 1024 * 1024;

describe("ws transport: backpressure", () => {
  it("cuts off a client that stops reading, with a reason, and the kernel's memory stays bounded", async () => {
    const k = await startWsKernel({ maxBufferedBytes: 2 * MiB, closeTimeoutMs: 60_000 });
    try {
      const slow = await k.connect();
      const tcp = (slow.socket as unknown as { _socket: Socket })._socket;
      tcp.pause(); // the client stops reading
      const peakBefore = process.resourceUsage().maxRSS * 1024;
      // 400 MiB of output for a client that reads nothing
      slow.send({
        id: "flood",
        type: "execute",
        code: 'const _s = "x".repeat(1 << 20); for (let i = 0; i < 400; i++) console.log(_s); "flooded"',
      });
      // FIFO: this answer comes after the flood ran to its end
      const other = await k.connect();
      const reply = await other.request({ type: "execute", code: "40 + 2" }, () => {});
      expect(reply).toMatchObject({ type: "done", status: "ok" });
      const peakGrowth = process.resourceUsage().maxRSS * 1024 - peakBefore;
      console.info(
        `ws backpressure: peak RSS grew ${(peakGrowth / MiB).toFixed(1)} MiB for 400 MiB of unread output`,
      );
      // Unbounded buffering would hold the 400 MiB; the bound is 2 MiB plus one 1 MiB frame per hop.
      expect(peakGrowth).toBeLessThan(150 * MiB);

      tcp.resume(); // reads what was buffered, then the close frame
      const closed = await slow.closed;
      expect(closed.code).toBe(1008);
      expect(closed.reason).toContain("KK_WS_SLOW_CLIENT");
      expect(k.transport.connectionCount).toBe(1);
      // the kernel is fine and still serves the other client
      expect(await other.request({ type: "execute", code: "1" })).toMatchObject({ status: "ok" });
    } finally {
      await k.stop();
    }
  });

  it("does not cut off a client that reads, however much output there is", async () => {
    // (The client shares this thread with the kernel, so the cell yields to let it read; a
    // synchronous flood read by another process is covered in test/e2e/ws-serve.test.ts.)
    const k = await startWsKernel({ maxBufferedBytes: 2 * MiB });
    try {
      const ch = await k.connect();
      let bytes = 0;
      const done = await ch.request(
        {
          type: "execute",
          code: 'const _s = "y".repeat(1 << 16); for (let i = 0; i < 1024; i++) { console.log(_s); if (i % 16 === 0) await new Promise((r) => setTimeout(r, 1)); }',
        },
        (f) => {
          if (f.type === "stdout") bytes += (f.data as string).length;
        },
      );
      expect(done).toMatchObject({ type: "done", status: "ok" });
      expect(bytes).toBe(1024 * ((1 << 16) + 1));
      expect(ch.isOpen).toBe(true);
    } finally {
      await k.stop();
    }
  });
});

describe("ws transport: liveness and shutdown", () => {
  it("drops a peer that does not answer pings, and keeps one that does", async () => {
    const k = await startWsKernel({ pingIntervalMs: 100 });
    try {
      const alive = await k.connect();
      const dead = await k.connect({ autoPong: false });
      const closed = await dead.closed;
      expect(closed.code).toBe(1006); // terminated: no close handshake with a dead peer
      expect(alive.isOpen).toBe(true);
      expect((await alive.request({ type: "kernel_info" })).type).toBe("kernel_info_reply");
    } finally {
      await k.stop();
    }
  });

  it("shutdown answers, then closes every connection with code 1001 and a reason", async () => {
    const k = await startWsKernel();
    const a = await k.connect();
    const b = await k.connect();
    const framesB = record(b);
    const reply = await a.request({ type: "shutdown" });
    expect(reply.type).toBe("shutdown_reply");
    const [ca, cb] = await Promise.all([a.closed, b.closed]);
    expect(ca.code).toBe(CLOSE_SHUTDOWN);
    expect(cb.code).toBe(CLOSE_SHUTDOWN);
    expect(ca.reason).toMatch(/shutting down/);
    expect(framesB).toEqual([]);
    await k.closed;
    // nothing listens any more
    await expect(k.connect()).rejects.toMatchObject({ code: "KK_WS_CONNECT" });
  });

  it("`exit` from a client ends the kernel the same way, with no frame", async () => {
    const k = await startWsKernel();
    const a = await k.connect();
    const frames = record(a);
    a.send({ type: "exit" });
    expect((await a.closed).code).toBe(CLOSE_SHUTDOWN);
    expect(frames).toEqual([]);
    await k.closed;
  });

  it("a request still queued at shutdown gets its one terminal frame before the close", async () => {
    const k = await startWsKernel();
    const a = await k.connect();
    const b = await k.connect();
    const framesB = record(b);
    a.send({ id: "slow", type: "execute", code: "await new Promise((r) => setTimeout(r, 300)); 1" });
    b.send({ id: "queued", type: "execute", code: "2" });
    await new Promise((r) => setTimeout(r, 50));
    a.send({ id: "bye", type: "shutdown" });
    await b.closed;
    const terminal = framesB.filter(
      (f) => f.id === "queued" && (f.type === "done" || f.type === "error_reply"),
    );
    expect(terminal).toHaveLength(1);
    await k.closed;
  });
});

describe("ws transport: dial-out (client side)", () => {
  it("connects to a server with its token and serves requests on that connection", async () => {
    const token = "dial-out-token-0123456789abcdef";
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => wss.once("listening", r));
    const port = (wss.address() as { port: number }).port;
    const seenAuth: string[] = [];
    const peer = new Promise<import("ws").WebSocket>((resolve) =>
      wss.on("connection", (ws, req) => {
        seenAuth.push(String(req.headers.authorization));
        resolve(ws);
      }),
    );
    const kernel = await createKernel({
      executor: new DefaultExecutor({ cwd: process.cwd(), notebookPath: null }),
      logger: silentLogger,
      interrupts: null,
    });
    const transport = new WsClientTransport(`ws://127.0.0.1:${port}/`, {
      token,
      signalInterrupts: false,
      logger: silentLogger,
    });
    const served = listenMessages(kernel, transport).then(() => teardownKernel(kernel));
    const ws = await peer;
    expect(seenAuth).toEqual([`Bearer ${token}`]);
    const frames: Record<string, unknown>[] = [];
    const done = new Promise<void>((resolve) =>
      ws.on("message", (d) => {
        const f = JSON.parse(String(d));
        frames.push(f);
        if (f.type === "done") resolve();
      }),
    );
    ws.send(JSON.stringify({ id: "1", type: "execute", code: "3 * 7" }));
    await done;
    expect(frames.map((f) => f.type)).toEqual(["started", "result", "done"]);
    expect(frames[1]).toMatchObject({ bundle: { "text/plain": "21" } });
    // the server going away is the end of the kernel's input
    ws.close();
    await served;
    await new Promise((r) => wss.close(r));
  });
});
