// Reactive latency (PERFORMANCE.md): from `set_inputs` to the dependent cell's `result` frame
// (one trivial dependent cell), against the trivial execute round trip (`execute` → `done`)
// measured alternately on the same stdio kernel.
import { serveAvailable, startKernel } from "./lib/kernel-process.mjs";
import { alternate, log, notMeasured, now, row, standalone, summarize, us, x } from "./lib/measure.mjs";

export async function run({ quick = false } = {}) {
  const target = "median ≤ 2× execute round trip";
  const serve = await serveAvailable();
  if (!serve.ok)
    return { name: "reactive", rows: [notMeasured("reactive: set_inputs → result", target, serve.reason)] };
  const rounds = quick ? 500 : 3000;
  const k = startKernel();
  await k.request({ type: "kernel_info" });
  await k.request({ type: "set_cells", cells: [{ id: "dep", code: "x + 1" }] });
  const problems = [];
  let value = 0;

  const reactive = async () => {
    const v = ++value;
    let resultAt = null;
    let text = null;
    const t0 = now();
    const end = await k.request({ type: "set_inputs", values: { x: v } }, (f) => {
      if (f.type === "result" && f.cellId === "dep" && resultAt === null) {
        resultAt = now();
        text = f.bundle?.["text/plain"];
      }
    });
    if (end.type !== "run_done" || !end.ok || text !== String(v + 1)) {
      problems.push(`set_inputs ${v}: result ${text}, ${JSON.stringify(end)}`);
      return now() - t0;
    }
    return resultAt - t0;
  };
  const execute = async () => {
    const t0 = now();
    const d = await k.request({ type: "execute", code: "1 + 1" });
    const t = now() - t0;
    if (d.status !== "ok") problems.push(`execute: ${JSON.stringify(d)}`);
    return t;
  };
  log(`reactive: set_inputs → result vs execute round trip, ${rounds} rounds`);
  const s = await alternate({ execute, reactive }, { warmup: 100, rounds });
  await k.close();
  const e = summarize(s.execute);
  const r = summarize(s.reactive);
  const ratio = r.median / e.median;
  const note = problems.length ? `PROBLEMS: ${problems.slice(0, 3).join("; ")}` : null;
  return {
    name: "reactive",
    rows: [
      row({
        row: "reactive: set_inputs → result",
        floor: `execute round trip ${us(e.median)} (p99 ${us(e.p99)})`,
        kernelkit: `${us(r.median)} (p99 ${us(r.p99)})`,
        ratio: x(ratio),
        target,
        met: ratio <= 2 && !note,
        note,
        data: { execute: e, reactive: r, ratio },
      }),
    ],
    data: { execute: e, reactive: r, ratio },
  };
}

await standalone(import.meta.url, run);
