// Measuring on a noisy 2-core machine: warm-up, then baseline and subject alternated
// (ABBA, so slow drift hits both), summarised as median and p99; results as table rows.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

/** Nearest-rank percentile (the same rule as ../shared/peers/jupyter_bench.py). */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const k = Math.max(0, Math.min(s.length - 1, Math.round((p / 100) * s.length + 0.5) - 1));
  return s[k];
}

export function summarize(values) {
  const n = values.length;
  if (n === 0)
    return { n: 0, median: Number.NaN, p99: Number.NaN, mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  let sum = 0;
  for (const v of values) sum += v;
  return {
    n,
    median: percentile(values, 50),
    p99: percentile(values, 99),
    mean: sum / n,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/**
 * Runs every named task `warmup` times, then `rounds` rounds in ABBA order; each call
 * returns one sample (a number) or an array of samples. Returns samples per name.
 */
export async function alternate(tasks, { warmup = 2, rounds = 10 } = {}) {
  const names = Object.keys(tasks);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < warmup; i++) for (const n of names) await tasks[n]();
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const n of order) {
      const v = await tasks[n]();
      if (Array.isArray(v)) samples[n].push(...v);
      else samples[n].push(v);
    }
  }
  return samples;
}

/** Milliseconds an async function takes. */
export async function timeIt(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export const now = () => performance.now();

// ---- formatting ----

export function ms(v, digits) {
  if (!Number.isFinite(v)) return "—";
  if (digits === undefined) digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ms`;
}

export function us(vMs) {
  if (!Number.isFinite(vMs)) return "—";
  const v = vMs * 1000;
  return `${v.toFixed(Math.abs(v) >= 100 ? 0 : 1)} µs`;
}

export function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export const x = (v, digits = 2) => (Number.isFinite(v) ? `${v.toFixed(digits)}×` : "—");

/** "median m · p99 p" in a unit formatter. */
export const mp = (s, unit = ms) => `${unit(s.median)} · p99 ${unit(s.p99)}`;

/**
 * One row of the table. `met`: true, false, or null when not measured. Figures are strings,
 * already formatted; `data` keeps the raw numbers for the JSON file.
 */
export function row({
  row,
  floor = "—",
  peers = "—",
  kernelkit = "—",
  ratio = "—",
  target,
  met,
  note,
  data,
}) {
  return {
    row,
    floor,
    peers,
    kernelkit,
    ratio,
    target,
    met: met ?? null,
    note: note ?? null,
    data: data ?? null,
  };
}

/** A row that could not be measured, with the reason. */
export function notMeasured(rowName, target, reason) {
  return row({ row: rowName, target, met: null, note: reason });
}

// ---- CLI ----

/** True when `metaUrl` is the script node was started with. */
export function isMain(metaUrl) {
  return process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === metaUrl;
}

export function parseFlags(argv = process.argv.slice(2)) {
  return { quick: argv.includes("--quick"), json: argv.includes("--json") };
}

/** Progress goes to stderr (stdout is for the table / JSON). */
export function log(...parts) {
  process.stderr.write(`${parts.join(" ")}\n`);
}

/** Prints one bench's rows when it runs standalone. */
export async function standalone(metaUrl, run) {
  if (!isMain(metaUrl)) return;
  const flags = parseFlags();
  const { renderTable } = await import("./table.mjs");
  const result = await run({ quick: flags.quick });
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${renderTable(result.rows ?? [])}\n`);
  // Benches may leave kernels' worker threads behind (and an executor may hold process.exit).
  const { realExit } = await import("@kernelkit/executor-default");
  realExit(0);
}
