// Pipeline overhead (PERFORMANCE.md): the full pipeline — scheduler + evaluator + 2 lifecycles +
// hooks, built from core's pieces in-process — against calling the executor on the same
// compiled cells in a bare loop, alternated. Reported per cell.
import { createKernel, processInterrupts, silentLogger } from "@kernelkit/core";
import { DefaultExecutor } from "@kernelkit/executor-default";
import { alternate, log, now, row, standalone, summarize, us } from "./lib/measure.mjs";

const CELLS = 1000;

const noopObserver = {
  status() {},
  stdout() {},
  stderr() {},
  display() {},
  result() {},
  error() {},
};

/** Two lifecycles that do nothing but are on the path (setup and teardown each). */
const lifecycles = [
  { name: "bench-a", setup() {}, teardown() {} },
  { name: "bench-b", setup() {}, teardown() {} },
];

/** A plugin tapping the per-cell and per-run hooks. */
const hooksPlugin = {
  name: "bench-hooks",
  apply(kernel) {
    kernel.hooks.preExecution.tap("bench-hooks", () => {});
    kernel.hooks.postExecution.tap("bench-hooks", () => {});
    kernel.hooks.runFinished.tap("bench-hooks", () => {});
  },
};

export async function run({ quick = false } = {}) {
  const rounds = quick ? 30 : 150;
  const executor = new DefaultExecutor({ cwd: process.cwd() });
  const kernel = await createKernel({
    executor,
    lifecycles,
    plugins: [hooksPlugin],
    // As in the CLI: the interrupt anchor makes each guarded entry into user code ~1 µs.
    interrupts: processInterrupts(),
    logger: silentLogger,
  });
  const ids = Array.from({ length: CELLS }, (_, i) => `c${i}`);
  await kernel.setCells(ids.map((id, i) => ({ id, code: `const v${i} = ${i};` })));
  const compiled = ids.map((id) => kernel.cell(id).compiled);
  const plan = kernel.graph.topologicalOrder(ids);
  const ctx = {
    cellId: "bare",
    requestId: null,
    scope: executor.scope,
    signal: new AbortController().signal,
    stdout() {},
    stderr() {},
    display() {},
    logger: silentLogger,
  };

  const bare = async () => {
    const t0 = now();
    for (const cell of compiled) await executor.execute(cell, ctx);
    return (now() - t0) / CELLS;
  };
  const pipelineBatch = async () => {
    const t0 = now();
    const summary = await kernel.runPlan(plan, null, noopObserver);
    const t = (now() - t0) / CELLS;
    if (!summary.ok) throw new Error(`pipeline run failed: ${JSON.stringify(summary).slice(0, 300)}`);
    return t;
  };
  // One run per cell (what a set_inputs or run_cells of one cell costs): plan + run + runFinished.
  const pipelineSingle = async () => {
    const t0 = now();
    for (let i = 0; i < 200; i++) await kernel.runCells([ids[i]], null, noopObserver);
    return (now() - t0) / 200;
  };
  const bareSingle = async () => {
    const t0 = now();
    for (let i = 0; i < 200; i++) await executor.execute(compiled[i], ctx);
    return (now() - t0) / 200;
  };

  log(`pipeline: ${CELLS} cells, ${rounds} rounds`);
  const s = await alternate({ bare, pipelineBatch, bareSingle, pipelineSingle }, { warmup: 5, rounds });
  executor.dispose();
  const st = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, summarize(v)]));
  // Overhead: per round, pipeline minus the bare loop next to it; median and p99 over rounds.
  const over = (a, b) => summarize(s[a].map((v, i) => v - s[b][i]));
  const batch = over("pipelineBatch", "bare");
  const single = over("pipelineSingle", "bareSingle");
  const data = { cells: CELLS, samples: st, overheadBatchMs: batch, overheadSingleMs: single };
  return {
    name: "pipeline",
    rows: [
      row({
        row: "pipeline: per cell, 1000-cell run",
        floor: `bare executor ${us(st.bare.median)} (p99 ${us(st.bare.p99)})`,
        kernelkit: `${us(st.pipelineBatch.median)} (p99 ${us(st.pipelineBatch.p99)})`,
        ratio: `+${us(batch.median)} per cell (p99 +${us(batch.p99)})`,
        target: "≤ +5 µs per cell",
        met: batch.median * 1000 <= 5,
        data: data,
      }),
      row({
        row: "pipeline: one-cell runs",
        floor: `bare executor ${us(st.bareSingle.median)} (p99 ${us(st.bareSingle.p99)})`,
        kernelkit: `${us(st.pipelineSingle.median)} (p99 ${us(st.pipelineSingle.p99)})`,
        ratio: `+${us(single.median)} per run (p99 +${us(single.p99)})`,
        target: "≤ +5 µs per cell",
        met: single.median * 1000 <= 5,
      }),
    ],
    data,
  };
}

await standalone(import.meta.url, run);
