// Round trip of a trivial execute over stdio (PERFORMANCE.md "round trip"): `execute("1 + 1")`
// through KernelClient against the floor, a bare Node child echoing one NDJSON line, measured
// alternately in the same run. Run standalone (`node bench/roundtrip.mjs [--quick]`) or import
// `run({ quick })`. Targets: median ≤ 2× the floor, p99 ≤ 1 ms.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

const ECHO_CHILD = `
let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf("\\n")) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const req = JSON.parse(line);
    process.stdout.write(JSON.stringify({ type: "done", id: req.id, status: "ok" }) + "\\n");
  }
});
`;

// The same echo through kernelkit's architecture and nothing else: the line is read on an I/O
// thread, posted to the main thread, and answered with a synchronous write. The difference to
// the floor is the price of reading requests off the main thread (so `interrupt` gets through
// a blocked cell).
const HOP_CHILD = `
const { Worker } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const src = \`
const { parentPort } = require("node:worker_threads");
const { Socket } = require("node:net");
const s = new Socket({ fd: 0, readable: true, writable: true, allowHalfOpen: true });
let buf = "";
s.setEncoding("utf8");
s.on("data", (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf("\\\\n")) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    parentPort.postMessage(JSON.parse(line));
  }
});
\`;
const w = new Worker(src, { eval: true });
w.on("message", (req) => writeSync(1, JSON.stringify({ type: "done", id: req.id, status: "ok" }) + "\\n"));
`;

// The floor again, with the child spending BUSY_US of CPU on each request before it answers,
// about what a kernel spends on a trivial execute. Not a target: it shows what this machine
// charges for work between wake-ups. On a VM whose idle vCPUs halt, two processes that each run
// only a few microseconds per turn share one vCPU; once a turn runs longer, each wake-up lands
// on the other, halted vCPU and costs tens of microseconds more (docs/architecture.md, "Round
// trips on a VM").
const BUSY_US = 30;
const BUSY_ECHO_CHILD = ECHO_CHILD.replace(
  "const req = JSON.parse(line);",
  `const req = JSON.parse(line);
    const until = performance.now() + ${BUSY_US} / 1000;
    while (performance.now() < until);`,
);

/** The floor: one NDJSON line to a Node child and its one-line answer back. */
async function startEcho(source = ECHO_CHILD) {
  const child = spawn(process.execPath, ["-e", source], { stdio: ["pipe", "pipe", "inherit"] });
  let buf = "";
  let waiter = null;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const frame = JSON.parse(line);
      const w = waiter;
      waiter = null;
      w?.(frame);
    }
  });
  let n = 0;
  const roundTrip = () =>
    new Promise((resolve) => {
      waiter = resolve;
      child.stdin.write(`${JSON.stringify({ id: String(++n), type: "execute", code: "1 + 1" })}\n`);
    });
  await roundTrip();
  return { roundTrip, close: () => child.kill() };
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p99: at(0.99), n: s.length };
}

const us = (ms) => Math.round(ms * 1000 * 10) / 10;

/** Returns {name, floor, kernelkit, ratio, ...}; times in microseconds. */
export async function run({ quick = false } = {}) {
  const { KernelClient } = await import("@kernelkit/client");
  const warmup = quick ? 1500 : 3000;
  const rounds = quick ? 2000 : 10000;
  const echo = await startEcho();
  const hop = await startEcho(HOP_CHILD);
  const busy = await startEcho(BUSY_ECHO_CHILD);
  const kernel = await KernelClient.start({ cwd: ROOT });
  try {
    for (let i = 0; i < warmup; i++) {
      await echo.roundTrip();
      await hop.roundTrip();
      await busy.roundTrip();
      const r = await kernel.execute("1 + 1");
      if (r.status !== "ok") throw new Error(`execute failed: ${JSON.stringify(r)}`);
    }
    const floor = [];
    const hopped = [];
    const busied = [];
    const kk = [];
    // Alternate in batches so both see the same machine load.
    const batch = 50;
    for (let done = 0; done < rounds; done += batch) {
      for (let i = 0; i < batch; i++) {
        const t = performance.now();
        await echo.roundTrip();
        floor.push(performance.now() - t);
      }
      for (let i = 0; i < batch; i++) {
        const t = performance.now();
        await hop.roundTrip();
        hopped.push(performance.now() - t);
      }
      for (let i = 0; i < batch; i++) {
        const t = performance.now();
        await busy.roundTrip();
        busied.push(performance.now() - t);
      }
      for (let i = 0; i < batch; i++) {
        const t = performance.now();
        await kernel.execute("1 + 1");
        kk.push(performance.now() - t);
      }
    }
    const f = stats(floor);
    const k = stats(kk);
    const h = stats(hopped);
    const b = stats(busied);
    const ratio = Math.round((k.median / f.median) * 100) / 100;
    return {
      name: "roundtrip",
      unit: "µs",
      floor: us(f.median),
      kernelkit: us(k.median),
      ratio,
      floorP99: us(f.p99),
      ioThreadEcho: us(h.median),
      ioThreadEchoP99: us(h.p99),
      busyEchoUs: BUSY_US,
      busyEcho: us(b.median),
      busyEchoP99: us(b.p99),
      kernelkitP99: us(k.p99),
      samples: k.n,
      target: "median ≤ 2× floor, p99 ≤ 1000 µs",
      ok: ratio <= 2 && k.p99 <= 1,
    };
  } finally {
    echo.close();
    hop.close();
    busy.close();
    await kernel.shutdown();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await run({ quick: process.argv.includes("--quick") });
  console.log(
    `roundtrip  floor ${result.floor} µs (p99 ${result.floorP99})  echo via I/O thread ${result.ioThreadEcho} µs (p99 ${result.ioThreadEchoP99})  echo after ${result.busyEchoUs} µs of work ${result.busyEcho} µs  kernelkit ${result.kernelkit} µs (p99 ${result.kernelkitP99})  ratio ${result.ratio}×  ${result.ok ? "ok" : "MISSED"} (${result.target})`,
  );
  if (process.argv.includes("--json")) console.log(JSON.stringify(result));
}
