// The WebSocket transport (issue 5): the round trip of a trivial execute over WebSocket on
// loopback against the same round trip over stdio, measured alternately in one run, and
// requests per second with 10 concurrent WebSocket clients on one kernel.
// Both kernels are `kernelkit serve` subprocesses driven by minimal clients (raw NDJSON on
// stdio, WsChannel on WebSocket), so the figures are the transports'.
// Standalone: `node bench/ws.mjs [--quick] [--json]`; or import `run({ quick })`.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CLI, REPO, startKernel } from "./lib/kernel-process.mjs";
import { summarize } from "./lib/measure.mjs";

const us = (ms) => Math.round(ms * 1000 * 10) / 10;

/** `kernelkit serve --transport ws --port 0`; resolves with its ready URL. */
async function startWsKernel() {
  const child = spawn(process.execPath, [CLI, "serve", "--transport", "ws", "--port", "0"], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const url = await new Promise((resolve, reject) => {
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
      const m = /kernelkit: listening on (ws:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`serve --transport ws exited (${code}): ${stderr}`)));
  });
  const exited = new Promise((r) => child.on("exit", r));
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** `clients` connections each sending `request` back to back for `ms`; completed requests per second. */
async function throughput(WsChannel, url, clients, request, ms) {
  const channels = await Promise.all(Array.from({ length: clients }, () => WsChannel.connect(url)));
  for (const ch of channels) for (let i = 0; i < 50; i++) await ch.request(request);
  let stop = false;
  let count = 0;
  const t0 = performance.now();
  const timer = setTimeout(() => {
    stop = true;
  }, ms);
  await Promise.all(
    channels.map(async (ch) => {
      while (!stop) {
        const f = await ch.request(request);
        if (f.type === "error_reply") throw new Error(`request failed: ${JSON.stringify(f)}`);
        count++;
      }
    }),
  );
  clearTimeout(timer);
  const elapsed = performance.now() - t0;
  await Promise.all(channels.map((ch) => ch.close()));
  return Math.round((count / elapsed) * 1000);
}

export async function run({ quick = false } = {}) {
  const { WsChannel } = await import("@kernelkit/transport-ws");
  const warmup = quick ? 300 : 2000;
  const rounds = quick ? 1000 : 6000;
  const duration = quick ? 1000 : 3000;
  const EXEC = { type: "execute", code: "1 + 1" };
  const stdio = startKernel();
  const server = await startWsKernel();
  try {
    await stdio.request({ type: "kernel_info" });
    const ws = await WsChannel.connect(server.url);
    for (let i = 0; i < warmup; i++) {
      await stdio.request(EXEC);
      await ws.request(EXEC);
    }
    const s = [];
    const w = [];
    const batch = 50;
    for (let done = 0; done < rounds; done += batch) {
      for (let i = 0; i < batch; i++) {
        const t = performance.now();
        await stdio.request(EXEC);
        s.push(performance.now() - t);
      }
      for (let i = 0; i < batch; i++) {
        const t = performance.now();
        const f = await ws.request(EXEC);
        w.push(performance.now() - t);
        if (f.status !== "ok") throw new Error(`execute over ws failed: ${JSON.stringify(f)}`);
      }
    }
    // Interrupt latency over WebSocket: the request to the `done` of a synchronous loop.
    const lat = [];
    for (let i = 0; i < (quick ? 20 : 100); i++) {
      let onStarted;
      const started = new Promise((r) => (onStarted = r));
      const off = ws.onFrame((f) => f.type === "started" && onStarted());
      const loop = ws.request({ type: "execute", code: "while (true) {}" });
      await started;
      off();
      await new Promise((r) => setTimeout(r, 20));
      const t = performance.now();
      ws.send({ id: `int${i}`, type: "interrupt" });
      const done = await loop;
      lat.push(performance.now() - t);
      if (!done.cancelled) throw new Error(`interrupt did not stop the loop: ${JSON.stringify(done)}`);
    }
    await ws.close();
    const it = summarize(lat);
    const st = summarize(s);
    const wt = summarize(w);
    const exec1 = await throughput(WsChannel, server.url, 1, EXEC, duration);
    const exec10 = await throughput(WsChannel, server.url, 10, EXEC, duration);
    const info10 = await throughput(WsChannel, server.url, 10, { type: "kernel_info" }, duration);
    return {
      name: "ws",
      unit: "µs",
      stdio: us(st.median),
      stdioP99: us(st.p99),
      ws: us(wt.median),
      wsP99: us(wt.p99),
      ratio: Math.round((wt.median / st.median) * 100) / 100,
      samples: wt.n,
      execPerSec1Client: exec1,
      execPerSec10Clients: exec10,
      kernelInfoPerSec10Clients: info10,
      interruptMedianMs: Math.round(it.median * 10) / 10,
      interruptP99Ms: Math.round(it.p99 * 10) / 10,
      target: "reported (issue 5): ws round trip beside stdio's; requests/s with 10 clients",
      ok: true,
    };
  } finally {
    await stdio.close();
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run({ quick: process.argv.includes("--quick") });
  console.log(
    `ws  execute round trip: stdio ${r.stdio} µs (p99 ${r.stdioP99})  ws ${r.ws} µs (p99 ${r.wsP99})  ws/stdio ${r.ratio}×  (${r.samples} samples each)`,
  );
  console.log(
    `ws  requests/s: execute 1 client ${r.execPerSec1Client}, 10 clients ${r.execPerSec10Clients}; kernel_info 10 clients ${r.kernelInfoPerSec10Clients}`,
  );
  console.log(
    `ws  interrupt of while(true) over ws: median ${r.interruptMedianMs} ms, p99 ${r.interruptP99Ms} ms`,
  );
  if (process.argv.includes("--json")) console.log(JSON.stringify(r));
}
