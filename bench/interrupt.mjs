// Interrupt latency (PERFORMANCE.md): from the `interrupt` request, and from SIGINT to the
// kernel's pid, to the `done` of a cell stuck in a synchronous `while (true) {}`, over stdio.
import { serveAvailable, startKernel } from "./lib/kernel-process.mjs";
import { alternate, log, ms, notMeasured, now, row, standalone, summarize } from "./lib/measure.mjs";

const LOOP = "while (true) {}";
const sleep = (t) => new Promise((r) => setTimeout(r, t));

export async function run({ quick = false } = {}) {
  const target = "p99 ≤ 50 ms";
  const serve = await serveAvailable();
  if (!serve.ok) {
    return {
      name: "interrupt",
      rows: [
        notMeasured("interrupt: request", target, serve.reason),
        notMeasured("interrupt: SIGINT", target, serve.reason),
      ],
    };
  }
  const rounds = quick ? 15 : 60;
  const k = startKernel();
  await k.request({ type: "kernel_info" });
  const problems = [];

  const once = (how) => async () => {
    let started;
    const isStarted = new Promise((r) => (started = r));
    const done = k.request({ type: "execute", code: LOOP }, (f) => f.type === "started" && started());
    await isStarted;
    await sleep(15); // the loop is spinning by now
    const t0 = now();
    const fire = () =>
      how === "request" ? void k.request({ type: "interrupt" }) : process.kill(k.pid, "SIGINT");
    fire();
    // An interrupt that is lost would leave the loop spinning: count it, and interrupt again.
    let again = 0;
    const retry = setInterval(() => {
      again++;
      fire();
    }, 2000);
    const d = await done.finally(() => clearInterval(retry));
    const t = now() - t0;
    if (again > 0) problems.push(`${how}: an interrupt was lost (needed ${again} more)`);
    if (d.type !== "done" || d.status !== "error" || d.cancelled !== true)
      problems.push(`${how}: ${JSON.stringify(d)}`);
    return t;
  };
  log(`interrupt: while (true) {} stopped by request and by SIGINT, ${rounds} rounds`);
  const s = await alternate({ request: once("request"), signal: once("signal") }, { warmup: 2, rounds });
  // The kernel must still work afterwards.
  const after = await k.request({ type: "execute", code: "40 + 2" });
  if (after.status !== "ok") problems.push(`execute after interrupts: ${JSON.stringify(after)}`);
  await k.close();
  const rq = summarize(s.request);
  const sg = summarize(s.signal);
  const note = problems.length ? `PROBLEMS: ${problems.slice(0, 3).join("; ")}` : null;
  return {
    name: "interrupt",
    rows: [
      row({
        row: "interrupt: request → done",
        kernelkit: `median ${ms(rq.median)} · p99 ${ms(rq.p99)} (n ${rq.n})`,
        ratio: "—",
        target,
        met: rq.p99 <= 50 && !note,
        note,
        data: rq,
      }),
      row({
        row: "interrupt: SIGINT → done",
        kernelkit: `median ${ms(sg.median)} · p99 ${ms(sg.p99)} (n ${sg.n})`,
        target,
        met: sg.p99 <= 50 && !note,
        data: sg,
      }),
    ],
    data: { request: rq, signal: sg },
  };
}

await standalone(import.meta.url, run);
