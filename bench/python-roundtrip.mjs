// Python execute round trip vs JS, measured side by side in one run (PERFORMANCE.md, "round
// trip": "JS cells, and Python cells through executor-python").
//
// - in-process: core's startInProcessKernel, once with the default (JS) executor and once with
//   @kernelkit/executor-python; an `execute` request of a trivial cell through the kernel's
//   whole request path (router, evaluator, frames copied as JSON), alternated in batches.
// - KernelClient: two kernel subprocesses over stdio (`kernelkit serve`), one serving a .py
//   notebook; skipped with a note when @kernelkit/client is not installed.
//
// Also the Python kernel's startup (spawn to first answer) against `python3 -c pass`.
// Run standalone (`node bench/python-roundtrip.mjs [--quick] [--json]`) or import `run({ quick })`.
// Needs the packages built (`node scripts/build.mjs`).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p99: at(0.99), n: s.length };
}

const us = (ms) => Math.round(ms * 1000 * 10) / 10;
const round2 = (x) => Math.round(x * 100) / 100;

/** Times `a()` and `b()` (each one round trip) alternately in batches, so both see the same load. */
async function alternate(a, b, { warmup, rounds, batch = 50 }) {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const sa = [];
  const sb = [];
  for (let done = 0; done < rounds; done += batch) {
    const first = (done / batch) % 2 === 0;
    for (const [fn, out] of first
      ? [
          [a, sa],
          [b, sb],
        ]
      : [
          [b, sb],
          [a, sa],
        ]) {
      for (let i = 0; i < batch; i++) {
        const t = performance.now();
        await fn();
        out.push(performance.now() - t);
      }
    }
  }
  return [stats(sa), stats(sb)];
}

function checkDone(frame, what) {
  if (frame.type !== "done" || frame.status !== "ok") {
    throw new Error(`${what}: execute failed: ${JSON.stringify(frame)}`);
  }
}

async function inProcess({ warmup, rounds }) {
  const core = await import("@kernelkit/core");
  const { createDefaultExecutor } = await import("@kernelkit/executor-default");
  const { createPythonExecutor } = await import("@kernelkit/executor-python");
  const logger = core.silentLogger;
  const t0 = performance.now();
  const python = await createPythonExecutor({}, { cwd: ROOT, notebookPath: null, logger });
  const pythonStartMs = performance.now() - t0;
  const js = await core.startInProcessKernel({ executor: createDefaultExecutor({}, { cwd: ROOT }), logger });
  const py = await core.startInProcessKernel({ executor: python, language: "python", logger });
  let n = 0;
  const exec = (k, code, what) => async () => {
    const frame = await k.client.request({ id: `r${++n}`, type: "execute", code });
    checkDone(frame, what);
  };
  try {
    const [j, p] = await alternate(exec(js, "1 + 1", "js"), exec(py, "1 + 1", "python"), { warmup, rounds });
    return { js: j, python: p, pythonStartMs };
  } finally {
    js.client.close();
    py.client.close();
    await Promise.all([js.closed, py.closed]);
  }
}

async function throughClient({ warmup, rounds }) {
  let KernelClient;
  try {
    ({ KernelClient } = await import("@kernelkit/client"));
  } catch {
    return { skipped: "@kernelkit/client is not installed" };
  }
  const dir = mkdtempSync(join(tmpdir(), "kk-pybench-"));
  const notebook = join(dir, "bench.py");
  writeFileSync(notebook, "# %%\nbench_ready = True\n");
  let js = null;
  let py = null;
  try {
    js = await KernelClient.start({ cwd: ROOT });
    py = await KernelClient.start({ cwd: dir, notebook });
    const exec = (k, what) => async () => {
      const r = await k.execute("1 + 1");
      if (r.status !== "ok") throw new Error(`${what}: execute failed: ${JSON.stringify(r)}`);
    };
    const [j, p] = await alternate(exec(js, "js"), exec(py, "python"), { warmup, rounds });
    return { js: j, python: p };
  } catch (error) {
    return { skipped: `KernelClient run failed: ${error?.message ?? error}` };
  } finally {
    await Promise.all([js?.shutdown(), py?.shutdown()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `python3 -c pass`, the floor of any Python kernel's startup. */
function pythonFloorMs(times) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    spawnSync(process.env.KERNELKIT_PYTHON ?? "python3", ["-c", "pass"]);
    samples.push(performance.now() - t);
  }
  return stats(samples).median;
}

/** Returns {name, inProcess, client, ...}; round trips in microseconds, startup in ms. */
export async function run({ quick = false } = {}) {
  const warmup = quick ? 200 : 1000;
  const rounds = quick ? 1000 : 5000;
  const inproc = await inProcess({ warmup, rounds });
  const client = await throughClient({ warmup, rounds: quick ? 1000 : 4000 });
  const floorMs = pythonFloorMs(quick ? 3 : 7);
  const side = (r) => ({
    js: us(r.js.median),
    python: us(r.python.median),
    ratio: round2(r.python.median / r.js.median),
    jsP99: us(r.js.p99),
    pythonP99: us(r.python.p99),
    samples: r.python.n,
  });
  return {
    name: "python-roundtrip",
    unit: "µs",
    inProcess: side(inproc),
    client: client.skipped ? { skipped: client.skipped } : side(client),
    pythonStartMs: Math.round(inproc.pythonStartMs),
    pythonFloorMs: Math.round(floorMs),
    note: "execute('1 + 1'); ratio = Python median / JS median in the same run",
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run({ quick: process.argv.includes("--quick") });
  const line = (label, s) =>
    s.skipped
      ? `${label}: skipped (${s.skipped})`
      : `${label}: JS ${s.js} µs (p99 ${s.jsP99})  Python ${s.python} µs (p99 ${s.pythonP99})  Python/JS ${s.ratio}×  [${s.samples} samples each]`;
  console.log(`python-roundtrip  ${line("in-process kernel", r.inProcess)}`);
  console.log(`python-roundtrip  ${line("KernelClient (stdio)", r.client)}`);
  console.log(
    `python-roundtrip  Python kernel start ${r.pythonStartMs} ms  (python3 -c pass: ${r.pythonFloorMs} ms)`,
  );
  if (process.argv.includes("--json")) console.log(JSON.stringify(r));
}
