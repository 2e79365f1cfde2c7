// Scale (PERFORMANCE.md): re-running one cell with 10 descendants in a 100k-cell notebook vs a
// 1k-cell one (same cells, alternated), and building the dataflow graph of 100k cells vs 10k.
import { createKernel, DataflowGraph, processInterrupts, silentLogger } from "@kernelkit/core";
import { DefaultExecutor } from "@kernelkit/executor-default";
import { alternate, log, ms, now, row, standalone, summarize, us, x } from "./lib/measure.mjs";

const DESCENDANTS = 10;

const noopObserver = { status() {}, stdout() {}, stderr() {}, display() {}, result() {}, error() {} };

/**
 * A notebook of `n` cells: `root` and a chain of 10 cells reading it, then filler cells in
 * chains of 5 (each reads the previous one), like a notebook of many small analyses.
 */
export function notebookCells(n) {
  const cells = [{ id: "root", code: "const root = 1;" }];
  for (let i = 1; i <= DESCENDANTS; i++)
    cells.push({ id: `d${i}`, code: `const d${i} = ${i === 1 ? "root" : `d${i - 1}`} + 1;` });
  for (let i = cells.length; i < n; i++) {
    const prev = i % 5 === 0 ? "" : `f${i - 1} + `;
    cells.push({ id: `f${i}`, code: `const f${i} = ${prev}${i};` });
  }
  return cells;
}

async function kernelOf(n) {
  const executor = new DefaultExecutor({ cwd: process.cwd() });
  const kernel = await createKernel({ executor, interrupts: processInterrupts(), logger: silentLogger });
  const t0 = now();
  await kernel.setCells(notebookCells(n));
  log(`scale: ${n} cells loaded in ${ms(now() - t0)}`);
  return { kernel, executor };
}

/** The graph alone: cells with their analysed names, as the kernel would upsert them. */
function graphInputs(n) {
  return notebookCells(n).map((c) => {
    const m = /^const (\w+) = (?:(\w+) \+ )?/.exec(c.code);
    return { id: c.id, defs: [m[1]], refs: m[2] && m[2] !== "root" ? [m[2]] : m[2] ? ["root"] : [] };
  });
}

function buildGraph(inputs) {
  globalThis.gc?.();
  const t0 = now();
  const g = new DataflowGraph();
  for (const c of inputs) g.upsert(c);
  // What a run of everything needs: the whole order, and every cell's static errors.
  const order = g.topologicalOrder(g.ids());
  for (const id of order) g.errorsOf(id);
  return now() - t0;
}

export async function run({ quick = false } = {}) {
  const rounds = quick ? 40 : 200;
  // The graph first, while the heap is small (the 100k-cell kernel below weighs on GC).
  const graphRounds = quick ? 5 : 15;
  const g10 = graphInputs(10_000);
  const g100 = graphInputs(100_000);
  log(`scale: graph build 100k vs 10k, ${graphRounds} rounds`);
  const g = await alternate(
    { g10k: () => buildGraph(g10), g100k: () => buildGraph(g100) },
    { warmup: 1, rounds: graphRounds },
  );
  const gs = summarize(g.g10k);
  const gb = summarize(g.g100k);
  const graphRatio = gb.median / gs.median;
  const small = await kernelOf(1_000);
  const big = await kernelOf(100_000);
  const rerun = (k) => async () => {
    const t0 = now();
    const summary = await k.kernel.runCells(["root"], null, noopObserver);
    const t = now() - t0;
    const ran = Object.keys(summary.cells).length;
    if (!summary.ok || ran !== DESCENDANTS + 1)
      throw new Error(`re-run covered ${ran} cells, ok=${summary.ok}`);
    return t;
  };
  log(`scale: re-run root + ${DESCENDANTS} descendants, ${rounds} rounds`);
  const s = await alternate({ small: rerun(small), big: rerun(big) }, { warmup: 5, rounds });
  small.executor.dispose();
  big.executor.dispose();
  const ss = summarize(s.small);
  const sb = summarize(s.big);
  const rerunRatio = sb.median / ss.median;

  const data = {
    rerun: { small: ss, big: sb, ratio: rerunRatio },
    graph: { g10k: gs, g100k: gb, ratio: graphRatio },
  };
  return {
    name: "scale",
    rows: [
      row({
        row: "scale: re-run 1 + 10 cells",
        floor: `1k-cell notebook ${us(ss.median)} (p99 ${us(ss.p99)})`,
        kernelkit: `100k-cell notebook ${us(sb.median)} (p99 ${us(sb.p99)})`,
        ratio: x(rerunRatio),
        target: "≤ 1.3×",
        met: rerunRatio <= 1.3,
        data: data.rerun,
      }),
      row({
        row: "scale: graph build",
        floor: `10k cells ${ms(gs.median)}`,
        kernelkit: `100k cells ${ms(gb.median)}`,
        ratio: x(graphRatio, 1),
        target: "≤ 10×",
        met: graphRatio <= 10,
        data: data.graph,
      }),
    ],
    data,
  };
}

await standalone(import.meta.url, run);
