// Memory soak (PERFORMANCE.md): 1M trivial executes through one kernel over stdio
// (`serve --transport stdio`), RSS of the kernel sampled every 10k; RSS at the end must be
// ≤ 1.2× RSS after the first 10k. Every execute must come back `done`/`ok`, in order.
// Measured twice: the kernel as KernelClient launches it (with KERNEL_NODE_FLAGS, the target
// row), then with V8's default flags, as `kernelkit serve` started by hand runs (reported).
import { serveAvailable, startKernel } from "./lib/kernel-process.mjs";
import { log, mb, notMeasured, now, row, standalone, x } from "./lib/measure.mjs";

const SAMPLE_EVERY = 10_000;
const WINDOW = 32; // requests in flight (pipelined on the channel)

export async function run({ quick = false, total = quick ? 100_000 : 1_000_000 } = {}) {
  const target = "end ≤ 1.2× after 10k";
  const serve = await serveAvailable();
  if (!serve.ok) return { name: "soak", rows: [notMeasured("soak: RSS", target, serve.reason)] };
  // As KernelClient launches a kernel (its V8 flags), then with V8's defaults (serve by hand).
  const { KERNEL_NODE_FLAGS } = await import("@kernelkit/client");
  const client = await soak(total, [...KERNEL_NODE_FLAGS]);
  const defaults = await soak(total, []);
  const rowOf = (r, label, withTarget) =>
    row({
      row: `soak: ${total / 1000}k executes, RSS, ${label}`,
      floor: `after 10k: ${mb(r.rssAfter10k)}`,
      kernelkit: `end: ${mb(r.rssEnd)} (peak ${mb(r.rssPeak)}) · ${r.perExecuteUs.toFixed(0)} µs/execute`,
      ratio: x(r.growth),
      target: withTarget ? target : "reported (no target)",
      met: withTarget ? r.growth <= 1.2 && r.lost === 0 : r.lost === 0 ? undefined : false,
      note:
        r.lost === 0
          ? `${r.completed} of ${total} done ok, in order; kernel exited ${r.kernelExit?.code ?? r.kernelExit?.signal} on end of input`
          : `LOST: ${total - r.completed} missing, ${r.failed} not ok, ${r.outOfOrder} out of order`,
      data: r,
    });
  return {
    name: "soak",
    rows: [
      rowOf(client, `as KernelClient launches it (${KERNEL_NODE_FLAGS.join(" ")})`, true),
      rowOf(defaults, "V8 defaults (kernelkit serve by hand)", false),
    ],
    data: { client, defaults },
  };
}

/** One kernel, `total` executes, RSS every SAMPLE_EVERY. */
async function soak(total, nodeArgs) {
  const k = startKernel({ nodeArgs });
  await k.request({ type: "kernel_info" });
  const samples = [];
  let sent = 0;
  let completed = 0;
  let bad = 0;
  let lastCount = 0;
  let outOfOrder = 0;
  const t0 = now();
  let tLast = t0;
  log(
    `soak: ${total} executes of "1+1", ${WINDOW} in flight, RSS every ${SAMPLE_EVERY}; node ${nodeArgs.join(" ")}`,
  );

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
  return {
    nodeArgs,
    executes: total,
    completed,
    failed: bad,
    outOfOrder,
    lost: total - completed + bad + outOfOrder,
    elapsedMs: elapsed,
    perExecuteUs: (elapsed / total) * 1000,
    rssAfter10k: first.rss,
    rssEnd: last.rss,
    rssPeak: Math.max(...samples.map((s) => s.rss)),
    growth: last.rss / first.rss,
    kernelExit: exit,
    samples,
  };
}

await standalone(import.meta.url, run);
