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

/** `kernelkit` against `node -e 0`, alternated; medians, p99s and the difference. */
async function againstFloor(what, kernelkit, rounds) {
  log(`startup: ${what} vs node -e 0, ${rounds} rounds`);
  const s = await alternate({ floor: () => timeProcess(["-e", "0"]), kernelkit }, { warmup: 2, rounds });
  const floor = summarize(s.floor);
  const k = summarize(s.kernelkit);
  return {
    floor,
    kernelkit: k,
    aboveFloorMs: k.median - floor.median,
    floorText: `node -e 0 ${ms(floor.median)} (p99 ${ms(floor.p99)})`,
    text: `${ms(k.median)} (p99 ${ms(k.p99)})`,
  };
}

export async function run({ quick = false } = {}) {
  const rounds = quick ? 8 : 30;
  const peers = loadPeers();
  const rows = [];
  const data = {};

  const r = await againstFloor("run hello.ts", () => timeProcess([CLI, "run", HELLO]), rounds);
  data.run = { floor: r.floor, kernelkit: r.kernelkit, aboveFloorMs: r.aboveFloorMs };
  rows.push(
    row({
      row: "startup: run hello.ts",
      floor: r.floorText,
      peers: "—",
      kernelkit: r.text,
      ratio: `+${ms(r.aboveFloorMs)} above floor`,
      target: "≤ +250 ms",
      met: r.aboveFloorMs <= 250,
      data: data.run,
    }),
  );

  const serve = await serveAvailable();
  if (!serve.ok) {
    rows.push(notMeasured("startup: serve ready", "≤ +150 ms", serve.reason));
  } else {
    const s = await againstFloor("serve ready", timeServeReady, rounds);
    data.serve = { floor: s.floor, kernelkit: s.kernelkit, aboveFloorMs: s.aboveFloorMs };
    rows.push(
      row({
        row: "startup: serve ready",
        floor: s.floorText,
        peers: peerText(peers, (m) => `${ms(m.cold_start_to_kernel_info_reply_s * 1000)}`),
        kernelkit: s.text,
        ratio: `+${ms(s.aboveFloorMs)} above floor`,
        target: "≤ +150 ms",
        met: s.aboveFloorMs <= 150,
        data: data.serve,
      }),
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "kk-bench-check-"));
  try {
    const nb = join(dir, "big.ts");
    writeFileSync(nb, bigNotebook());
    const c = await againstFloor(
      `check of a ${BIG_CELLS}-cell TS notebook`,
      () => timeProcess([CLI, "check", nb]),
      rounds,
    );
    // The analysis alone, in this process, with a cold cache each time.
    const { analyzeJsCell, parseNotebook } = await import("@kernelkit/core");
    // A test-and-bench-only export since core's public API was trimmed (docs/architecture.md).
    const { clearAnalysisCache } = await import("@kernelkit/core/internal");
    const source = readFileSync(nb, "utf8");
    const inProcess = [];
    for (let round = 0; round < (quick ? 5 : 20); round++) {
      clearAnalysisCache();
      const t0 = now();
      const cells = parseNotebook(source, { path: nb }).cells;
      for (const cell of cells) if (cell.type === "code") analyzeJsCell(cell.code, true);
      inProcess.push(now() - t0);
    }
    const ip = summarize(inProcess);
    data.check = {
      floor: c.floor,
      kernelkit: c.kernelkit,
      aboveFloorMs: c.aboveFloorMs,
      analysisInProcess: ip,
    };
    rows.push(
      row({
        row: `startup: check ${BIG_CELLS}-cell TS notebook`,
        floor: c.floorText,
        kernelkit: `${c.text} · analysis alone ${ms(ip.median)}`,
        ratio: `+${ms(c.aboveFloorMs)} above floor`,
        target: "analysis of 1,000 cells < 500 ms",
        met: c.aboveFloorMs < 500,
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
