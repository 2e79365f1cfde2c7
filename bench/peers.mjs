// The ipykernel peer, measured by ../shared/peers/jupyter_bench.py with Debian's interpreter.
// Never installs anything: when the Debian packages are missing it says how to get them and
// the peer column reads "not measured".
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./lib/kernel-process.mjs";
import { log, standalone } from "./lib/measure.mjs";

export const PEER_SCRIPT = join(REPO, "..", "shared", "peers", "jupyter_bench.py");
const PYTHON = "/usr/bin/python3";
export const INSTALL_HINT =
  "install Debian's python3-ipykernel and python3-jupyter-client (as root: apt-get install python3-ipykernel python3-jupyter-client)";

export function peerAvailability() {
  if (!existsSync(PEER_SCRIPT)) return { ok: false, reason: `${PEER_SCRIPT} is missing` };
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} is missing; ${INSTALL_HINT}` };
  const r = spawnSync(PYTHON, ["-c", "import ipykernel, jupyter_client, zmq"], { encoding: "utf8" });
  if (r.status !== 0) return { ok: false, reason: `ipykernel not measured: ${INSTALL_HINT}` };
  return { ok: true };
}

/**
 * ipykernel through jupyter_client's BlockingKernelClient (the mode PERFORMANCE.md quotes).
 * Result: `{ available, reason?, median: {cold_start_to_kernel_info_reply_s, rtt_median_ms, rtt_p99_ms, tput_MBps, …} }`.
 */
export async function run({ quick = false } = {}) {
  const avail = peerAvailability();
  if (!avail.ok) return { name: "peers", available: false, reason: avail.reason, rows: [] };
  const dir = mkdtempSync(join(tmpdir(), "kk-peer-"));
  const out = join(dir, "ipykernel.json");
  const args = [
    PEER_SCRIPT,
    "--mode",
    "bkc",
    "--runs",
    quick ? "1" : "3",
    "--n",
    quick ? "300" : "2000",
    "--lines",
    "100000",
    "--out",
    out,
  ];
  log(`peers: ipykernel via ${PYTHON} jupyter_bench.py ${args.slice(1).join(" ")}`);
  const code = await new Promise((resolve) => {
    const child = spawn(PYTHON, args, {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, JBENCH_DIR: join(dir, "jbench") },
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), quick ? 120_000 : 600_000);
    child.on("exit", (c) => {
      clearTimeout(timer);
      if (c !== 0)
        log(`peers: jupyter_bench.py failed (${c}): ${err.trim().split("\n").slice(-3).join(" | ")}`);
      resolve(c);
    });
  });
  try {
    if (code !== 0)
      return { name: "peers", available: false, reason: `jupyter_bench.py exited ${code}`, rows: [] };
    const data = JSON.parse(readFileSync(out, "utf8"));
    return {
      name: "peers",
      available: true,
      ipykernel: data.meta.ipykernel,
      median: data.median_of_runs.bkc,
      runs: data.runs,
      meta: data.meta,
      rows: [],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The peer figures handed down by bench/run.mjs (env KK_BENCH_PEERS = a JSON file), or null. */
export function loadPeers() {
  const file = process.env.KK_BENCH_PEERS;
  if (!file || !existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/** Text for a peer cell: the figure, or why it is missing. */
export function peerText(peers, pick) {
  if (!peers) return "ipykernel: run via `npm run bench`";
  if (!peers.available) return "ipykernel: not measured";
  return `ipykernel ${pick(peers.median)}`;
}

await standalone(import.meta.url, async (opts) => {
  const r = await run(opts);
  process.stderr.write(`${JSON.stringify(r.median ?? r.reason, null, 2)}\n`);
  return r;
});
