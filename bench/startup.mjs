// Cold start (PERFORMANCE.md): `kernelkit run hello.ts` and `serve` ready (first
// kernel_info_reply), each against `node -e 0` measured alternately in the same run. The CLI
// is started as `node runner/dist/cli.js`, never through a package manager's shell shim.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { CLI, REPO, serveAvailable, startKernel } from "./lib/kernel-process.mjs";
import { alternate, log, ms, notMeasured, now, row, standalone, summarize } from "./lib/measure.mjs";
import { loadPeers, peerText } from "./peers.mjs";

const HELLO = join(REPO, "bench", "fixtures", "hello.ts");

/** Milliseconds from spawn to exit of `node ...args`; rejects on a non-zero exit. */
function timeProcess(args) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      const t = now() - t0;
      if (code === 0) resolve(t);
      else reject(new Error(`node ${args.join(" ")} exited ${code}: ${err.slice(-500)}`));
    });
  });
}

/** Milliseconds from spawning `serve --transport stdio` to its first kernel_info_reply. */
async function timeServeReady() {
  const t0 = now();
  const k = startKernel();
  const reply = await k.request({ type: "kernel_info" });
  const t = now() - t0;
  if (reply.type !== "kernel_info_reply") throw new Error(`kernel_info answered ${reply.type}`);
  await k.close();
  return t;
}

export async function run({ quick = false } = {}) {
  const rounds = quick ? 8 : 30;
  const peers = loadPeers();
  const rows = [];
  const data = {};

  log(`startup: run hello.ts vs node -e 0, ${rounds} rounds`);
  const runSamples = await alternate(
    { floor: () => timeProcess(["-e", "0"]), kernelkit: () => timeProcess([CLI, "run", HELLO]) },
    { warmup: 2, rounds },
  );
  const f = summarize(runSamples.floor);
  const k = summarize(runSamples.kernelkit);
  const above = k.median - f.median;
  data.run = { floor: f, kernelkit: k, aboveFloorMs: above };
  rows.push(
    row({
      row: "startup: run hello.ts",
      floor: `node -e 0 ${ms(f.median)} (p99 ${ms(f.p99)})`,
      peers: "—",
      kernelkit: `${ms(k.median)} (p99 ${ms(k.p99)})`,
      ratio: `+${ms(above)} above floor`,
      target: "≤ +250 ms",
      met: above <= 250,
      data: data.run,
    }),
  );

  const serve = await serveAvailable();
  if (!serve.ok) {
    rows.push(notMeasured("startup: serve ready", "≤ +150 ms", serve.reason));
  } else {
    log(`startup: serve ready vs node -e 0, ${rounds} rounds`);
    const s = await alternate(
      { floor: () => timeProcess(["-e", "0"]), kernelkit: timeServeReady },
      { warmup: 2, rounds },
    );
    const sf = summarize(s.floor);
    const sk = summarize(s.kernelkit);
    const sAbove = sk.median - sf.median;
    data.serve = { floor: sf, kernelkit: sk, aboveFloorMs: sAbove };
    rows.push(
      row({
        row: "startup: serve ready",
        floor: `node -e 0 ${ms(sf.median)} (p99 ${ms(sf.p99)})`,
        peers: peerText(peers, (m) => `${ms(m.cold_start_to_kernel_info_reply_s * 1000)}`),
        kernelkit: `${ms(sk.median)} (p99 ${ms(sk.p99)})`,
        ratio: `+${ms(sAbove)} above floor`,
        target: "≤ +150 ms",
        met: sAbove <= 150,
        data: data.serve,
      }),
    );
  }
  return { name: "startup", rows, data };
}

await standalone(import.meta.url, run);
