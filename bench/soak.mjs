// Memory soak (PERFORMANCE.md): 1M trivial executes through one kernel over stdio
// (`serve --transport stdio`), RSS of the kernel sampled every 10k; RSS at the end must be
// ≤ 1.2× RSS after the first 10k. Every execute must come back `done`/`ok`, in order.
import { serveAvailable, startKernel } from "./lib/kernel-process.mjs";
import { log, mb, notMeasured, now, row, standalone, x } from "./lib/measure.mjs";

const SAMPLE_EVERY = 10_000;
const WINDOW = 32; // requests in flight (pipelined on the channel)

export async function run({ quick = false, total = quick ? 100_000 : 1_000_000 } = {}) {
  const target = "end ≤ 1.2× after 10k";
  const serve = await serveAvailable();
  if (!serve.ok) return { name: "soak", rows: [notMeasured("soak: RSS", target, serve.reason)] };

  const k = startKernel();
  await k.request({ type: "kernel_info" });
  const samples = [];
  let sent = 0;
  let completed = 0;
  let bad = 0;
  let lastCount = 0;
  let outOfOrder = 0;
  const t0 = now();
  let tLast = t0;
  log(`soak: ${total} executes of "1+1", ${WINDOW} in flight, RSS every ${SAMPLE_EVERY}`);

  await new Promise((resolve, reject) => {
    const next = () => {
      if (sent >= total) return;
      sent++;
      k.request({ type: "execute", code: "1+1" }).then((done) => {
        completed++;
        if (done.type !== "done" || done.status !== "ok") bad++;
        if (done.executionCount !== lastCount + 1) outOfOrder++;
        lastCount = done.executionCount;
        if (completed % SAMPLE_EVERY === 0) {
          const t = now();
          samples.push({ executes: completed, rss: k.rss(), msPer10k: t - tLast });
          tLast = t;
          if (completed % 100_000 === 0) log(`soak: ${completed} done, RSS ${mb(k.rss())}`);
        }
        if (completed === total) resolve();
        else next();
      }, reject);
    };
    for (let i = 0; i < WINDOW; i++) next();
  });
  const elapsed = now() - t0;
  const exit = await k.close();
  const first = samples[0];
  const last = samples[samples.length - 1];
  const growth = last.rss / first.rss;
  const peak = Math.max(...samples.map((s) => s.rss));
  const data = {
    executes: total,
    completed,
    failed: bad,
    outOfOrder,
    elapsedMs: elapsed,
    perExecuteUs: (elapsed / total) * 1000,
    rssAfter10k: first.rss,
    rssEnd: last.rss,
    rssPeak: peak,
    growth,
    kernelExit: exit,
    samples,
  };
  const lost = total - completed + bad + outOfOrder;
  return {
    name: "soak",
    rows: [
      row({
        row: `soak: ${total / 1000}k executes, RSS`,
        floor: `after 10k: ${mb(first.rss)}`,
        kernelkit: `end: ${mb(last.rss)} (peak ${mb(peak)}) · ${((elapsed / total) * 1000).toFixed(0)} µs/execute`,
        ratio: x(growth),
        target,
        met: growth <= 1.2 && lost === 0,
        note:
          lost === 0
            ? `${completed} of ${total} done ok, in order; kernel exited ${exit?.code ?? exit?.signal} on end of input`
            : `LOST: ${total - completed} missing, ${bad} not ok, ${outOfOrder} out of order`,
        data,
      }),
    ],
    data,
  };
}

await standalone(import.meta.url, run);
