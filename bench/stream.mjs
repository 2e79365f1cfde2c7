// Streaming (PERFORMANCE.md): the marginal cost of a cell's 100k console.log lines of 65 bytes
// (run with 100k lines minus run with 1) through `run --json`, through KernelClient and over
// raw `serve` stdio, against plain node printing the same lines into a pipe (also 100k minus
// 1), alternated in one run. Every path is checked for lost text; frames must be coalesced.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadClient } from "./lib/client.mjs";
import { CLI, serveAvailable, startKernel } from "./lib/kernel-process.mjs";
import { alternate, log, ms, notMeasured, now, row, standalone, summarize, x } from "./lib/measure.mjs";
import { loadPeers, peerText } from "./peers.mjs";

export const LINES = 100_000;
const LINE_BYTES = 65;
const loop = (n) =>
  `const _pad = "x".repeat(58);\nfor (let _i = 0; _i < ${n}; _i++) console.log(String(_i).padStart(6, "0") + _pad);`;

/** The text every path must deliver for `n` lines. */
function expected(n) {
  const pad = "x".repeat(58);
  let s = "";
  for (let i = 0; i < n; i++) s += `${String(i).padStart(6, "0")}${pad}\n`;
  return s;
}

/** Spawns node with `args`, reads all of stdout; resolves { ms, stdout }. */
function timeNode(args, cwd) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const chunks = [];
    let err = "";
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      const t = now() - t0;
      if (code !== 0 && code !== 1)
        reject(new Error(`node ${args.join(" ")} exited ${code}: ${err.slice(-400)}`));
      else resolve({ ms: t, stdout: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

export async function run({ quick = false } = {}) {
  const rounds = quick ? 4 : 9;
  const peers = loadPeers();
  const dir = mkdtempSync(join(tmpdir(), "kk-stream-"));
  const rows = [];
  const data = { lines: LINES, lineBytes: LINE_BYTES };
  const want = expected(LINES);
  const lost = [];
  const nb = (n) => {
    const file = join(dir, `lines-${n}.ts`);
    writeFileSync(file, `// %% lines\n${loop(n)}\n`);
    return file;
  };
  const nb1 = nb(1);
  const nbN = nb(LINES);

  const tasks = {
    floor1: async () => (await timeNode(["-e", loop(1)], dir)).ms,
    floorN: async () => {
      const r = await timeNode(["-e", loop(LINES)], dir);
      if (r.stdout !== want) lost.push(`plain node printed ${r.stdout.length} of ${want.length} bytes`);
      return r.ms;
    },
    run1: async () => (await timeNode([CLI, "run", nb1, "--json"], dir)).ms,
    runN: async () => {
      const r = await timeNode([CLI, "run", nbN, "--json"], dir);
      const out = JSON.parse(r.stdout).cells[0].stdout;
      if (out !== want) lost.push(`run --json: cell stdout has ${out.length} of ${want.length} bytes`);
      return r.ms;
    },
  };

  // Over raw serve stdio: one kernel, 100k-line execute minus 1-line execute.
  const serve = await serveAvailable();
  let kernel = null;
  const serveFrames = [];
  if (serve.ok) {
    kernel = startKernel();
    await kernel.request({ type: "kernel_info" });
    const exec = async (n) => {
      let text = "";
      let frames = 0;
      const t0 = now();
      const done = await kernel.request({ type: "execute", code: loop(n) }, (f) => {
        if (f.type === "stdout") {
          text += f.data;
          frames++;
        }
      });
      const t = now() - t0;
      if (done.status !== "ok") throw new Error(`execute failed: ${JSON.stringify(done)}`);
      if (n === LINES) {
        serveFrames.push(frames);
        if (text !== want) lost.push(`serve stdio: ${text.length} of ${want.length} bytes`);
      }
      return t;
    };
    tasks.serve1 = () => exec(1);
    tasks.serveN = () => exec(LINES);
  }

  // Through KernelClient.
  const client = await loadClient();
  let kc = null;
  const clientChunks = [];
  if (client.ok) {
    kc = await client.KernelClient.start({ cwd: dir });
    const exec = async (n) => {
      const parts = [];
      const t0 = now();
      const r = await kc.execute(loop(n), { onChunk: (t) => parts.push(t) });
      const t = now() - t0;
      if (r.status !== "ok") throw new Error(`KernelClient execute failed: ${JSON.stringify(r)}`);
      if (n === LINES) {
        clientChunks.push(parts.length);
        const text = parts.join("");
        if (text !== want) lost.push(`KernelClient: ${text.length} of ${want.length} bytes`);
      }
      return t;
    };
    tasks.client1 = () => exec(1);
    tasks.clientN = () => exec(LINES);
  }

  log(`stream: ${LINES} lines × ${LINE_BYTES} B, ${rounds} rounds (${Object.keys(tasks).join(", ")})`);
  let s;
  try {
    s = await alternate(tasks, { warmup: 1, rounds });
  } finally {
    await kernel?.close();
    await kc?.shutdown({ timeoutMs: 2000 }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
  const st = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, summarize(v)]));
  data.samples = st;
  // Marginal cost: per round, the 100k-line run minus the 1-line run next to it (pairs share
  // the round's machine state), then the median over rounds.
  const marginal = (one, many) => summarize(s[many].map((v, i) => v - s[one][i]));
  const floorMarginal = marginal("floor1", "floorN").median;
  data.floorMarginalMs = floorMarginal;
  const floorText = `node→pipe ${ms(floorMarginal)} marginal (${ms(st.floorN.median)} − ${ms(st.floor1.median)})`;
  const mbps = (t) => (LINES * LINE_BYTES) / (t / 1000) / 1e6;
  const peerMBps = peers?.available ? peers.median.tput_MBps : null;
  const lossNote = lost.length > 0 ? `LOST OUTPUT: ${[...new Set(lost)].join("; ")}` : null;

  const marginalRow = (name, n1, nN, extra) => {
    const m = marginal(n1, nN).median;
    const ratio = m / floorMarginal;
    // MB/s as ipykernel's is measured (one execute on a running kernel); for `run --json`,
    // whose every run starts a process, the marginal time stands for that.
    const speed = mbps(name === "run --json" ? m : st[nN].median);
    const fastEnough = peerMBps === null ? true : speed >= 3 * peerMBps;
    data[name] = { marginalMs: m, ratio, MBps: speed, ...extra };
    return row({
      row: `stream: ${name}`,
      floor: floorText,
      peers: peerText(peers, (p) => `${p.tput_MBps.toFixed(1)} MB/s`),
      kernelkit: `${ms(m)} marginal · ${speed.toFixed(1)} MB/s${extra?.frames !== undefined ? ` · ${extra.frames} frames` : ""}`,
      ratio: `${x(ratio)} floor${peerMBps ? ` · ${x(speed / peerMBps, 1)} ipykernel` : ""}`,
      target: "≤ 0.5× floor; ≥ 3× ipykernel MB/s; nothing lost; coalesced",
      met: ratio <= 0.5 && fastEnough && lossNote === null && (extra?.coalesced ?? true),
      note: lossNote,
      data: data[name],
    });
  };

  rows.push(marginalRow("run --json", "run1", "runN"));
  if (client.ok) {
    const chunks = Math.max(...clientChunks);
    rows.push(
      marginalRow("KernelClient", "client1", "clientN", { frames: chunks, coalesced: chunks <= LINES / 100 }),
    );
  } else rows.push(notMeasured("stream: KernelClient", "≤ 0.5× floor", client.reason));
  if (serve.ok) {
    const frames = Math.max(...serveFrames);
    rows.push(
      marginalRow("serve stdio (raw NDJSON)", "serve1", "serveN", {
        frames,
        coalesced: frames <= LINES / 100,
      }),
    );
  } else rows.push(notMeasured("stream: serve stdio", "≤ 0.5× floor", serve.reason));
  return { name: "stream", rows, data };
}

await standalone(import.meta.url, run);
