// `npm run bench [-- --quick]`: runs every bench of PERFORMANCE.md (each in its own Node
// process, one after the other, so one bench's kernels, JIT and heap do not weigh on the next),
// prints ONE table (row, floor, peers, kernelkit, ratio, target, met) and writes everything as
// JSON to bench/results/. The ipykernel peer is measured first, when it is installed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./lib/kernel-process.mjs";
import { log, parseFlags, row, x } from "./lib/measure.mjs";
import { renderTable } from "./lib/table.mjs";
import { INSTALL_HINT } from "./peers.mjs";

/** In table order. Files written by other engineers are adapted below to the table's rows. */
const BENCHES = [
  "roundtrip",
  "python-roundtrip",
  "ws",
  "startup",
  "resolution",
  "stream",
  "pipeline",
  "scale",
  "soak",
  "interrupt",
  "reactive",
  "batch",
  "watch",
  "fuzz-live",
  "types",
  "jupyter",
];

const RESULTS = join(REPO, "bench", "results");

/** Runs `bench/<name>.mjs`'s `run({ quick })` in a child process; resolves its result object. */
function runIsolated(name, quick, peersFile) {
  const out = join(tmpdir(), `kk-bench-${process.pid}-${name}.json`);
  const url = new URL(`./${name}.mjs`, import.meta.url).href;
  const src = `
    import { writeFileSync } from "node:fs";
    const m = await import(${JSON.stringify(url)});
    const r = await m.run({ quick: ${quick} });
    writeFileSync(${JSON.stringify(out)}, JSON.stringify(r));
    // Kernels' helper threads may outlive the bench, and an executor may still hold
    // process.exit; the result is written, so leave with the real exit.
    (await import(${JSON.stringify(import.meta.resolve("@kernelkit/executor-default"))})).realExit(0);
  `;
  return new Promise((resolve) => {
    const t0 = Date.now();
    // A file, not `-e`: code compiled by node:vm runs ~10× slower under `--input-type=module -e`
    // on Node 20 (measured 24 µs against 2.2 µs per trivial cell), which no user's kernel sees.
    const driver = join(tmpdir(), `kk-bench-${process.pid}-${name}.mjs`);
    writeFileSync(driver, src);
    const child = spawn(process.execPath, ["--expose-gc", driver], {
      cwd: REPO,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, KK_BENCH_PEERS: peersFile ?? "" },
    });
    child.on("exit", (code, signal) => {
      const seconds = (Date.now() - t0) / 1000;
      rmSync(driver, { force: true });
      if (existsSync(out)) {
        const result = JSON.parse(readFileSync(out, "utf8"));
        rmSync(out);
        resolve({ ...result, seconds });
      } else resolve({ name, failed: `exited ${code ?? signal} without a result`, seconds });
    });
  });
}

const peerRtt = (peers) => (peers?.available ? peers.median.rtt_median_ms * 1000 : null);

/** Rows of a result, whatever shape its script returns. */
function rowsOf(name, r, peers) {
  if (r.failed) return [row({ row: name, met: false, note: `FAILED: ${r.failed}` })];
  if (Array.isArray(r.rows) && r.rows.length > 0) return r.rows;
  const ipy = peerRtt(peers);
  const peerCell = peers?.available
    ? `ipykernel ${(ipy / 1000).toFixed(2)} ms (p99 ${peers.median.rtt_p99_ms.toFixed(1)} ms)`
    : "ipykernel: not measured";
  if (name === "roundtrip") {
    const faster = ipy ? ipy / r.kernelkit : null;
    return [
      row({
        row: "roundtrip: JS execute via KernelClient",
        floor: `echo child ${r.floor} µs (p99 ${r.floorP99} µs)`,
        peers: peerCell,
        kernelkit: `${r.kernelkit} µs (p99 ${r.kernelkitP99} µs)`,
        ratio: `${x(r.ratio)} floor${faster ? ` · ${faster.toFixed(0)}× faster than ipykernel` : ""}`,
        target: "≤ 2× floor; p99 ≤ 1 ms; ≥ 50× ipykernel",
        met: r.ok && (faster === null || faster >= 50),
        note:
          r.busyEcho === undefined
            ? undefined
            : `the same echo child working ${r.busyEchoUs} µs per request: ${r.busyEcho} µs (${x(Math.round((r.busyEcho / r.floor) * 100) / 100)} floor)`,
        data: r,
      }),
    ];
  }
  if (name === "python-roundtrip") {
    if (r.client?.skipped)
      return [row({ row: "roundtrip: Python execute", met: null, note: r.client.skipped })];
    const faster = ipy ? ipy / r.client.python : null;
    return [
      row({
        row: "roundtrip: Python execute via KernelClient",
        floor: `JS cells ${r.client.js} µs (p99 ${r.client.jsP99} µs)`,
        peers: peerCell,
        kernelkit: `${r.client.python} µs (p99 ${r.client.pythonP99} µs)`,
        ratio: `${x(r.client.ratio)} JS${faster ? ` · ${faster.toFixed(0)}× faster than ipykernel` : ""}`,
        target: "≥ 50× ipykernel",
        met: faster === null ? null : faster >= 50,
        note: `Python kernel start ${r.pythonStartMs} ms (python3 -c pass: ${r.pythonFloorMs} ms)`,
        data: r,
      }),
    ];
  }
  if (name === "ws") {
    return [
      row({
        row: "ws: execute round trip",
        floor: `stdio ${r.stdio} µs (p99 ${r.stdioP99} µs)`,
        kernelkit: `ws ${r.ws} µs (p99 ${r.wsP99} µs)`,
        ratio: `${x(r.ratio)} stdio`,
        target: "reported (no target)",
        met: null,
        note: `execute/s: 1 client ${r.execPerSec1Client}, 10 clients ${r.execPerSec10Clients}; kernel_info/s 10 clients ${r.kernelInfoPerSec10Clients}`,
        data: r,
      }),
    ];
  }
  // Unknown shape: show what it says.
  return [row({ row: name, kernelkit: JSON.stringify(r).slice(0, 80), met: r.ok ?? null })];
}

async function main() {
  const { quick } = parseFlags();
  const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const names = only.length > 0 ? BENCHES.filter((b) => only.includes(b)) : BENCHES;
  mkdirSync(RESULTS, { recursive: true });
  // The benches run the built CLI and packages (dist/): build first, as `npm test` does (~0.3 s).
  const build = spawnSync(process.execPath, [join(REPO, "scripts", "build.mjs")], {
    cwd: REPO,
    encoding: "utf8",
  });
  if (build.status !== 0) {
    process.stderr.write(`bench: the build failed, nothing measured:\n${build.stdout}${build.stderr}`);
    process.exit(1);
  }
  const started = Date.now();
  log(`bench: ${quick ? "quick" : "full"} pass on node ${process.version}, ${names.join(", ")}`);

  const { run: runPeers } = await import("./peers.mjs");
  const peers = await runPeers({ quick });
  const peersFile = join(RESULTS, "peers.json");
  writeFileSync(peersFile, JSON.stringify(peers, null, 2));
  if (!peers.available) log(`bench: ipykernel column not measured — ${peers.reason ?? INSTALL_HINT}`);

  const results = {};
  const rows = [];
  for (const name of names) {
    if (!existsSync(join(REPO, "bench", `${name}.mjs`))) {
      rows.push(row({ row: name, met: null, note: `bench/${name}.mjs does not exist yet` }));
      continue;
    }
    log(`bench: ${name} …`);
    const r = await runIsolated(name, quick, peersFile);
    results[name] = r;
    rows.push(...rowsOf(name, r, peers));
    log(`bench: ${name} done in ${r.seconds.toFixed(1)} s`);
  }
  if (!peers.available) {
    rows.push(
      row({ row: "peers: ipykernel", met: null, note: `not measured: ${peers.reason ?? INSTALL_HINT}` }),
    );
  }

  const table = renderTable(rows);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = join(RESULTS, `bench-${quick ? "quick" : "full"}-${stamp}.json`);
  const doc = {
    when: new Date().toISOString(),
    quick,
    node: process.version,
    seconds: (Date.now() - started) / 1000,
    peers,
    rows,
    results,
  };
  writeFileSync(file, JSON.stringify(doc, null, 2));
  writeFileSync(join(RESULTS, `latest-${quick ? "quick" : "full"}.json`), JSON.stringify(doc, null, 2));
  process.stdout.write(`${table}\n\n`);
  const met = rows.filter((r) => r.met === true).length;
  const missed = rows.filter((r) => r.met === false).length;
  const unmeasured = rows.filter((r) => r.met === null).length;
  process.stdout.write(
    `${met} met, ${missed} not met, ${unmeasured} reported without a target or not measured · ${doc.seconds.toFixed(0)} s · ${file.replace(`${REPO}/`, "")}\n`,
  );
  // Benchmarks report; they do not fail the build on a missed target.
  process.exit(0);
}

await main();
