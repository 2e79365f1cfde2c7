// KernelClient.connect(url): the CLIENT.md API over WebSocket against `serve --transport ws`.
import { KernelClient } from "@kernelkit/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { project } from "../helpers/cli.ts";
import { startWsServer, type WsServer } from "../helpers/ws.ts";

describe("KernelClient.connect (WebSocket)", () => {
  let s: WsServer;
  let kernel: KernelClient;
  beforeAll(async () => {
    const dir = project({
      "nb.ts": "// %% base\nconst base = 2;\n// %% twice\nconst twice = base * 2;\ntwice\n",
    });
    s = await startWsServer(["nb.ts"], { cwd: dir });
    kernel = await KernelClient.connect(s.url);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("handshakes with kernel_info and has no pid", () => {
    expect(kernel.info).toMatchObject({ type: "kernel_info_reply", protocolVersion: "1.1" });
    expect(kernel.pid).toBeNull();
    expect(kernel.isAlive()).toBe(true);
  });

  it("executes with onChunk and onDisplay, and reports errors as results", async () => {
    const chunks: string[] = [];
    const bundles: [unknown, string][] = [];
    const r = await kernel.execute('console.log("out"); ({ a: 1 })', {
      onChunk: (t) => chunks.push(t),
      onDisplay: (b, kind) => bundles.push([b, kind]),
    });
    expect(r).toMatchObject({ status: "ok", cancelled: false, timedOut: false, kernelKilled: false });
    expect(chunks[0]).toBe("out\n");
    expect(bundles).toHaveLength(1);
    expect(bundles[0]![1]).toBe("result");
    const e = await kernel.execute("null.x");
    expect(e.status).toBe("error");
    expect(e.error).toMatchObject({ name: "TypeError" });
  });

  it("sends any protocol request with request()", async () => {
    const frames: string[] = [];
    const done = await kernel.request(
      { type: "run_cells", cellIds: ["base"] },
      { onFrame: (f) => frames.push(f.type) },
    );
    expect(done).toMatchObject({ type: "run_done", ok: true, cells: { base: "success", twice: "success" } });
    expect(frames).toContain("result");
  });

  it("a timeout interrupts a synchronous loop through the interrupt request; the kernel survives", async () => {
    const r = await kernel.execute("while (true) {}", { timeoutMs: 200 });
    expect(r).toMatchObject({ status: "error", cancelled: true, timedOut: true, kernelKilled: false });
    expect(r.error?.code).toBe("KK_INTERRUPTED");
    expect(await kernel.execute("base + 1")).toMatchObject({ status: "ok" });
  });

  it("interrupt() stops the running execution", async () => {
    const running = kernel.execute("while (true) {}");
    await new Promise((r) => setTimeout(r, 150));
    await kernel.interrupt();
    expect(await running).toMatchObject({ status: "error", cancelled: true, kernelKilled: false });
  });

  it("an aborted signal interrupts a cell that awaits forever", async () => {
    const controller = new AbortController();
    const pending = kernel.execute("await new Promise(() => {})", { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    expect(await pending).toMatchObject({ status: "error", cancelled: true, kernelKilled: false });
    expect(await kernel.execute("1 + 1")).toMatchObject({ status: "ok" });
  });

  it("refuses a wrong token with a coded error", async () => {
    const url = s.url.replace(/token=[^&]+/, "token=wrong");
    await expect(KernelClient.connect(url)).rejects.toMatchObject({
      code: "KK_WS_UNAUTHORIZED",
      status: 401,
    });
    const bare = `ws://127.0.0.1:${s.port}/`;
    const viaOption = await KernelClient.connect(bare, { token: s.token });
    expect(viaOption.isAlive()).toBe(true);
    await (viaOption as unknown as { channel: { close(): Promise<void> } }).channel.close();
  });

  it("shutdown() ends the kernel, confirmed; the server process exits 0", async () => {
    const other = await KernelClient.connect(s.url);
    const { confirmed } = await kernel.shutdown();
    expect(confirmed).toBe(true);
    expect(kernel.isAlive()).toBe(false);
    expect(await s.exited).toEqual({ code: 0, signal: null });
    // another client's executions now settle as killed, with a notice
    const chunks: string[] = [];
    await expect(other.execute("1", { onChunk: (t) => chunks.push(t) })).rejects.toMatchObject({
      code: "KK_KERNEL_NOT_RUNNING",
    });
  });
});

describe("KernelClient.connect: the kernel goes away mid-execution", () => {
  it("SIGTERM: the running execution is interrupted and answered before the connection closes", async () => {
    const s = await startWsServer();
    try {
      const kernel = await KernelClient.connect(s.url);
      const pending = kernel.execute("await new Promise(() => {})");
      await new Promise((r) => setTimeout(r, 100));
      s.child.kill("SIGTERM");
      expect(await pending).toMatchObject({ status: "error", cancelled: true, kernelKilled: false });
      expect(await s.exited).toEqual({ code: 0, signal: null });
    } finally {
      await s.stop();
    }
  });

  it("a killed server: the pending execution settles with kernelKilled and a notice", async () => {
    const s = await startWsServer();
    try {
      const kernel = await KernelClient.connect(s.url);
      const chunks: string[] = [];
      const pending = kernel.execute("await new Promise(() => {})", { onChunk: (t) => chunks.push(t) });
      await new Promise((r) => setTimeout(r, 100));
      s.child.kill("SIGKILL");
      expect(await pending).toMatchObject({ status: "error", cancelled: true, kernelKilled: true });
      expect(chunks.join("")).toMatch(/connection to the kernel closed \(code 1006/);
      expect(kernel.isAlive()).toBe(false);
    } finally {
      await s.stop();
    }
  });
});
