// `kernelkit serve --transport ws` end to end: the built CLI in a subprocess, real sockets.
import { createServer } from "node:net";
import { WsChannel } from "@kernelkit/transport-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { project, runCli } from "../helpers/cli.ts";
import { READY_LINE, startWsServer, type WsServer } from "../helpers/ws.ts";

const NOTEBOOK = `// %% base
const base = 10;
// %% scaled
const scaled = base * factor;
scaled
// %% spin
let _n = 0;
for (let i = 0; i < 1000; i++) _n += i;
`;

describe("serve --transport ws", () => {
  let s: WsServer;
  beforeAll(async () => {
    const dir = project({ "nb.ts": NOTEBOOK });
    s = await startWsServer(["nb.ts"], { cwd: dir });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("prints the ready line once on stderr: loopback, a free port, a ≥128-bit token", () => {
    const lines = s
      .stderr()
      .split("\n")
      .filter((l) => READY_LINE.test(l));
    expect(lines).toHaveLength(1);
    expect(s.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{22,}$/);
    expect(s.port).toBeGreaterThan(0);
    // the token is printed once, inside the ready URL
    expect(s.stderr().split(s.token).length - 1).toBe(1);
  });

  it("refuses a missing or wrong token with 401 and a foreign Origin with 403", async () => {
    const bare = `ws://127.0.0.1:${s.port}/`;
    await expect(WsChannel.connect(bare)).rejects.toMatchObject({ status: 401 });
    await expect(WsChannel.connect(`${bare}?token=wrong`)).rejects.toMatchObject({ status: 401 });
    await expect(WsChannel.connect(s.url, { origin: "https://evil.example" })).rejects.toMatchObject({
      status: 403,
    });
    const ok = await WsChannel.connect(bare, { token: s.token });
    expect((await ok.request({ type: "kernel_info" })).type).toBe("kernel_info_reply");
    await ok.close();
  });

  it("runs the notebook's cells and set_inputs over WebSocket", async () => {
    const ch = await s.connect();
    const first = await ch.request({ type: "run_cells", cellIds: ["base", "scaled"] });
    expect(first).toMatchObject({
      type: "run_done",
      ok: false,
      cells: { base: "success", scaled: "exception" },
    });
    const frames: Record<string, unknown>[] = [];
    const second = await ch.request({ type: "set_inputs", values: { factor: 4 } }, (f) => frames.push(f));
    expect(second).toMatchObject({ type: "run_done", ok: true, cells: { scaled: "success" } });
    expect(frames.find((f) => f.type === "result")).toMatchObject({
      cellId: "scaled",
      bundle: { "text/plain": "40" },
    });
    await ch.close();
  });

  it("the interrupt request stops a synchronous while(true) cell; the kernel stays usable", async () => {
    const ch = await s.connect();
    const frames: Record<string, unknown>[] = [];
    const started = new Promise<void>((resolve) =>
      ch.onFrame((f) => {
        if (f.id === "loop" && f.type === "started") resolve();
      }),
    );
    const loop = ch.request({ id: "loop", type: "execute", code: "while (true) {}" }, (f) => frames.push(f));
    await started;
    await new Promise((r) => setTimeout(r, 100)); // well inside the loop
    const reply = await ch.request({ type: "interrupt" });
    expect(reply.type).toBe("interrupt_reply");
    const done = await loop;
    expect(done).toMatchObject({ type: "done", status: "error", cancelled: true });
    expect(frames.find((f) => f.type === "error")).toMatchObject({
      ename: "Interrupted",
      code: "KK_INTERRUPTED",
    });
    const after = await ch.request({ type: "execute", code: "base + 1" }, () => {});
    expect(after).toMatchObject({ status: "ok", cancelled: false });
    await ch.close();
  });

  it("an interrupt hits only the running request, not the one queued behind it", async () => {
    const ch = await s.connect();
    for (let i = 0; i < 5; i++) {
      const loop = ch.request({ type: "execute", code: "while (true) {}" });
      const next = ch.request({ type: "execute", code: "await new Promise((r) => setTimeout(r, 20)); 7" });
      await new Promise((r) => setTimeout(r, 50));
      await ch.request({ type: "interrupt" });
      expect(await loop).toMatchObject({ status: "error", cancelled: true });
      expect(await next).toMatchObject({ status: "ok", cancelled: false });
    }
    await ch.close();
  });

  it("interrupting a run stops its synchronous cell and cancels what was still queued", async () => {
    const ch = await s.connect();
    await ch.request({
      type: "set_cells",
      cells: [
        { id: "stuck", code: "const stuckValue = 1;\nwhile (true) {}" },
        { id: "later", code: "const laterValue = stuckValue + 1;" },
      ],
    });
    const running = new Promise<void>((resolve) =>
      ch.onFrame((f) => {
        if (f.type === "cell_status" && f.cellId === "stuck" && f.status === "running") resolve();
      }),
    );
    const run = ch.request({ type: "run_cells", cellIds: ["stuck"] });
    await running;
    await ch.request({ type: "interrupt" });
    expect(await run).toMatchObject({
      type: "run_done",
      interrupted: true,
      cells: { stuck: "interrupted", later: "cancelled" },
    });
    await ch.close();
  });

  it("every one of many interrupts sent as soon as the cell is reported running stops it", async () => {
    // The request can arrive before the cell enters its loop; a lost signal would hang here,
    // a signal at the wrong instant would end the kernel.
    const ch = await s.connect();
    await ch.request({
      type: "set_cells",
      cells: [{ id: "spin2", code: "const spinValue = 1;\nwhile (true) {}" }],
    });
    for (let i = 0; i < 40; i++) {
      let onRunning!: () => void;
      const running = new Promise<void>((r) => (onRunning = r));
      const off = ch.onFrame((f) => {
        if (f.type === "cell_status" && f.cellId === "spin2" && f.status === "running") onRunning();
      });
      const run = ch.request({ type: "run_cells", cellIds: ["spin2"] });
      await running;
      off();
      await ch.request({ type: "interrupt" });
      expect(await run).toMatchObject({ interrupted: true, cells: { spin2: "interrupted" } });
    }
    expect(s.child.exitCode).toBeNull();
    await ch.close();
  });

  it("streams a synchronous flood to a client that reads, without cutting it off", async () => {
    const ch = await s.connect();
    let bytes = 0;
    const done = await ch.request(
      {
        type: "execute",
        code: 'const _s = "z".repeat(1 << 16); for (let i = 0; i < 1024; i++) console.log(_s);',
      },
      (f) => {
        if (f.type === "stdout") bytes += (f.data as string).length;
      },
    );
    expect(done).toMatchObject({ status: "ok" });
    expect(bytes).toBe(1024 * ((1 << 16) + 1));
    await ch.close();
  });

  it("a client that disconnects does not end the kernel", async () => {
    const a = await s.connect();
    await a.request({ type: "execute", code: "const keep = 5;" });
    a.socket.terminate();
    await a.closed;
    const b = await s.connect();
    expect(await b.request({ type: "execute", code: "keep * 2" }, () => {})).toMatchObject({ status: "ok" });
    expect(s.child.exitCode).toBeNull();
    await b.close();
  });
});

describe("serve --transport ws: a client that reads slower than a cell prints", () => {
  it("slows the cell down instead of being cut off", async () => {
    const s = await startWsServer();
    try {
      const slow = await s.connect();
      const tcp = (slow.socket as unknown as { _socket: import("node:net").Socket })._socket;
      // Reads in bursts, 250 ms awake then 250 ms asleep: far slower than a loop prints.
      let reading = true;
      const toggle = setInterval(() => {
        reading = !reading;
        if (reading) tcp.resume();
        else tcp.pause();
      }, 250);
      let bytes = 0;
      try {
        const done = await slow.request(
          {
            type: "execute",
            code: 'const _s = "y".repeat(1 << 20); for (let i = 0; i < 48; i++) console.log(_s);',
          },
          (f) => {
            if (f.type === "stdout") bytes += (f.data as string).length;
          },
        );
        expect(done).toMatchObject({ status: "ok" });
      } finally {
        clearInterval(toggle);
        tcp.resume();
      }
      // 48 MiB went through a 16 MiB bound: the kernel waited for the reader
      expect(bytes).toBe(48 * ((1 << 20) + 1));
      expect(s.stderr()).not.toContain("KK_WS_SLOW_CLIENT");
      await slow.close();
    } finally {
      await s.stop();
    }
  });
});

describe("serve --transport ws: a client that stops reading", () => {
  it("is cut off with a reason, and the kernel's peak memory stays bounded", async () => {
    const s = await startWsServer();
    try {
      const slow = await s.connect();
      const tcp = (slow.socket as unknown as { _socket: import("node:net").Socket })._socket;
      tcp.pause();
      const other = await s.connect();
      await other.request({ type: "execute", code: "1" });
      const before = s.peakRss();
      slow.send({
        id: "flood",
        type: "execute",
        code: 'const _s = "x".repeat(1 << 20); for (let i = 0; i < 512; i++) console.log(_s);',
      });
      // FIFO: answered once the flood is over
      expect(await other.request({ type: "execute", code: "2 + 2" })).toMatchObject({ status: "ok" });
      const growth = s.peakRss() - before;
      console.info(
        `ws e2e: kernel peak RSS grew ${(growth / 2 ** 20).toFixed(1)} MiB for 512 MiB of unread output`,
      );
      expect(growth).toBeLessThan(200 * 2 ** 20);
      tcp.resume();
      const closed = await slow.closed;
      // 1008 with the reason when the close frame got through before the socket was dropped
      expect([1006, 1008]).toContain(closed.code);
      if (closed.code === 1008) expect(closed.reason).toContain("KK_WS_SLOW_CLIENT");
      await s.waitForStderr("KK_WS_SLOW_CLIENT"); // the kernel says why it dropped the client
      expect(await other.request({ type: "kernel_info" })).toMatchObject({ type: "kernel_info_reply" });
    } finally {
      await s.stop();
    }
  });
});

describe("serve --transport ws: options and shutdown", () => {
  it("takes --token, else KERNELKIT_TOKEN", async () => {
    const a = await startWsServer(["--token", "cli-token-0123456789abcdef"]);
    try {
      expect(a.token).toBe("cli-token-0123456789abcdef");
      const ch = await a.connect();
      expect((await ch.request({ type: "kernel_info" })).type).toBe("kernel_info_reply");
    } finally {
      await a.stop();
    }
    const b = await startWsServer([], { env: { KERNELKIT_TOKEN: "env-token-0123456789abcdef" } });
    try {
      expect(b.token).toBe("env-token-0123456789abcdef");
    } finally {
      await b.stop();
    }
  });

  it("refuses a token under 16 characters (--token or KERNELKIT_TOKEN) with a coded error saying how to make one, unless --allow-weak-token", async () => {
    for (const [args, env] of [
      [["--token", "a"], {}],
      [[], { KERNELKIT_TOKEN: "short-token" }],
    ] as const) {
      const r = runCli(["serve", "--transport", "ws", "--port", "0", ...args], { env, timeoutMs: 20_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("KK_WS_WEAK_TOKEN");
      expect(r.stderr).toContain("randomBytes(24).toString('base64url')");
      expect(r.stderr).not.toContain("listening on");
    }
    const weak = await startWsServer(["--token", "a", "--allow-weak-token"]);
    try {
      expect(weak.token).toBe("a");
      const ch = await weak.connect();
      expect((await ch.request({ type: "kernel_info" })).type).toBe("kernel_info_reply");
    } finally {
      await weak.stop();
    }
  });

  it("SIGTERM closes every connection with code 1001 and exits 0", async () => {
    const s = await startWsServer();
    const a = await s.connect();
    const b = await s.connect();
    s.child.kill("SIGTERM");
    const [ca, cb] = await Promise.all([a.closed, b.closed]);
    expect(ca.code).toBe(1001);
    expect(cb.code).toBe(1001);
    expect(await s.exited).toEqual({ code: 0, signal: null });
  });

  it("shutdown answers, closes the connections with 1001 and exits 0", async () => {
    const s = await startWsServer();
    const a = await s.connect();
    const b = await s.connect();
    expect((await a.request({ type: "shutdown" })).type).toBe("shutdown_reply");
    expect((await b.closed).code).toBe(1001);
    expect(await s.exited).toEqual({ code: 0, signal: null });
  });

  it("a port in use is a startup error with a code and a hint (exit 2)", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { startCli } = await import("../helpers/cli.ts");
      const r = await startCli(["serve", "--transport", "ws", "--port", String(port)]).done;
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("KK_WS_LISTEN");
      expect(r.stderr).toMatch(/hint: .*--port/);
    } finally {
      blocker.close();
    }
  });

  it("takes transport options from the config file (allowedOrigins), flags winning over it", async () => {
    const dir = project({
      "nb.ts": "// %% a\nconst a = 1;\n",
      "kernelkit.config.json": JSON.stringify({
        transport: { use: "ws", options: { allowedOrigins: ["https://notebook.example"], port: 1 } },
      }),
    });
    const s = await startWsServer(["nb.ts"], { cwd: dir }); // --port 0 overrides the config's port
    try {
      const ch = await s.connect({ origin: "https://notebook.example" });
      expect((await ch.request({ type: "kernel_info" })).type).toBe("kernel_info_reply");
      await expect(s.connect({ origin: `http://127.0.0.1:${s.port}` })).rejects.toMatchObject({
        status: 403,
      });
    } finally {
      await s.stop();
    }
  });

  it("warns when --host is not loopback", async () => {
    const s = await startWsServer(["--host", "0.0.0.0"]);
    try {
      expect(s.stderr()).toMatch(/warning KK_WS_NOT_LOOPBACK/);
      expect(s.url).toMatch(/^ws:\/\/0\.0\.0\.0:\d+\//);
      const ch = await WsChannel.connect(`ws://127.0.0.1:${s.port}/?token=${s.token}`);
      expect((await ch.request({ type: "kernel_info" })).type).toBe("kernel_info_reply");
      await ch.close();
    } finally {
      await s.stop();
    }
  });
});
