// Cold start (PERFORMANCE.md): `kernelkit run hello.ts` (two TS cells) and `serve` ready (first
// kernel_info_reply), each against `node -e 0` measured alternately in the same run. The CLI
// is started as `node runner/dist/cli.js`, never through a package manager's shell shim.
// Also `kernelkit check` of a 1,000-cell TS notebook (analysis of every cell, < 0.5 s), and
// the same analysis in-process with a cold cache.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, REPO, serveAvailable, startKernel } from "./lib/kernel-process.mjs";
import { alternate, log, ms, notMeasured, now, row, standalone, summarize } from "./lib/measure.mjs";
import { loadPeers, peerText } from "./peers.mjs";

const HELLO = join(REPO, "bench", "fixtures", "hello.ts");
const BIG_CELLS = 1000;

/** A 1,000-cell TS notebook of ~10-line cells, each reading the one before. */
function bigNotebook() {
  const cells = [];
  for (let i = 0; i < BIG_CELLS; i++) {
    const prev = i === 0 ? "0" : `total${i - 1}`;
    cells.push(
      [
        `// %% step${i}`,
        `interface Row${i} { id: number; value: number; label: string }`,
        `const rows${i}: Row${i}[] = [1, 2, 3].map((id) => ({ id, value: id * ${i}, label: \`r\${id}\` }));`,
        `function sum${i}(xs: Row${i}[]): number {`,
        "  let s = 0;",
        "  for (const x of xs) s += x.value;",
        "  return s;",
        "}",
        `const total${i}: number = sum${i}(rows${i}) + ${prev};`,
        `if (total${i} < 0) console.log("negative", rows${i}.length);`,
      ].join("\n"),
    );
  }
  return `${cells.join("\n")}\n`;
}

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
  const dir = mkdtempSync(join(tmpdir(), "kk-bench-check-"));
  try {
    const nb = join(dir, "big.ts");
    writeFileSync(nb, bigNotebook());
    log(`startup: check of a ${BIG_CELLS}-cell TS notebook vs node -e 0, ${rounds} rounds`);
    const c = await alternate(
      { floor: () => timeProcess(["-e", "0"]), kernelkit: () => timeProcess([CLI, "check", nb]) },
      { warmup: 2, rounds },
    );
    const cf = summarize(c.floor);
    const ck = summarize(c.kernelkit);
    const cAbove = ck.median - cf.median;
    // The analysis alone, in this process, with a cold cache each time.
    const { analyzeJsCell, clearAnalysisCache, parseNotebook } = await import("@kernelkit/core");
    const source = readFileSync(nb, "utf8");
    const inProcess = [];
    for (let r = 0; r < (quick ? 5 : 20); r++) {
      clearAnalysisCache();
      const t0 = now();
      const cells = parseNotebook(source, { path: nb }).cells;
      for (const cell of cells) if (cell.type === "code") analyzeJsCell(cell.code, true);
      inProcess.push(now() - t0);
    }
    const ip = summarize(inProcess);
    data.check = { floor: cf, kernelkit: ck, aboveFloorMs: cAbove, analysisInProcess: ip };
    rows.push(
      row({
        row: `startup: check ${BIG_CELLS}-cell TS notebook`,
        floor: `node -e 0 ${ms(cf.median)} (p99 ${ms(cf.p99)})`,
        kernelkit: `${ms(ck.median)} (p99 ${ms(ck.p99)}) · analysis alone ${ms(ip.median)}`,
        ratio: `+${ms(cAbove)} above floor`,
        target: "analysis of 1,000 cells < 500 ms",
        met: cAbove < 500,
        note: "analysis alone: parse the notebook, strip types and analyse every cell in-process, cold cache",
        data: data.check,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { name: "startup", rows, data };
}

await standalone(import.meta.url, run);
