// Types across cells (PERFORMANCE.md "completion" and "type check"), docs/types.md:
// - first `complete` after kernel start, on a 200-cell TS notebook (≤ 1.5 s);
// - warm `complete` p95 on that notebook (≤ 30 ms), each request on another cell;
// - `kernelkit check --types` of a 100-cell TS notebook, cold process (≤ 3 s);
// - from a save that edits one cell to the notebook's type errors on `kernelkit watch --types
//   --json` (≤ 100 ms), on the 100-cell notebook, the edited cell moving through it (each cell
//   reads the one before, so an edit is re-checked in every cell after it);
// - `execute` round trip in a kernel wired with the language service but never asked, against
//   the same kernel without one, alternated in one process (unchanged: within ±5%).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, serveAvailable, startKernel } from "./lib/kernel-process.mjs";
import {
  alternate,
  log,
  ms,
  notMeasured,
  now,
  percentile,
  row,
  standalone,
  summarize,
  us,
  x,
} from "./lib/measure.mjs";

/** A TS notebook where every cell reads the previous cell's names. */
function notebook(cells) {
  let text = "";
  for (let i = 0; i < cells; i++) {
    text += `// %% c${i}\n`;
    text += `interface Row${i} { id: number; label: string; score${i}: number }\n`;
    text += `/** Rows of step ${i}. */\n`;
    text += `const rows${i}: Row${i}[] = [{ id: ${i}, label: "r${i}", score${i}: ${i} }];\n`;
    text +=
      i === 0
        ? `function step${i}(x: number): number {\n  return x + rows${i}.length;\n}\n\n`
        : `function step${i}(x: number): number {\n  return step${i - 1}(x) + rows${i}.length + rows${i - 1}[0].id;\n}\n\n`;
  }
  return text;
}

async function completion(quick) {
  const dir = mkdtempSync(join(tmpdir(), "kk-bench-types-"));
  writeFileSync(join(dir, "nb.ts"), notebook(200));
  const t0 = now();
  const k = startKernel({ args: ["nb.ts"], cwd: dir });
  await k.request({ type: "kernel_info" });
  const ready = now() - t0;
  const q = (i) => ({
    type: "complete",
    code: `rows${i - 1}.fi`,
    cursorPos: `rows${i - 1}.fi`.length,
    cellId: `c${i}`,
  });
  const problems = [];
  const t1 = now();
  const first = await k.request(q(199));
  const firstMs = now() - t1;
  if (!first.matches?.some((m) => m.text === "find"))
    problems.push(`first: ${JSON.stringify(first).slice(0, 200)}`);
  const samples = [];
  const rounds = quick ? 100 : 400;
  for (let r = 0; r < rounds; r++) {
    const i = 1 + ((r * 37) % 199);
    const t = now();
    const reply = await k.request(q(i));
    samples.push(now() - t);
    if (!reply.matches?.some((m) => m.text === "filter"))
      problems.push(`c${i}: ${JSON.stringify(reply).slice(0, 200)}`);
  }
  await k.close();
  return { ready, firstMs, warm: { ...summarize(samples), p95: percentile(samples, 95) }, problems };
}

function checkCold() {
  const dir = mkdtempSync(join(tmpdir(), "kk-bench-types-"));
  writeFileSync(join(dir, "nb.ts"), notebook(100));
  const runs = [];
  let out = null;
  for (let i = 0; i < 3; i++) {
    const t = now();
    const r = spawnSync(process.execPath, [CLI, "check", "nb.ts", "--types", "--json"], {
      cwd: dir,
      encoding: "utf8",
    });
    runs.push(now() - t);
    out = r;
  }
  const json = JSON.parse(out.stdout);
  const errors = json.cells.reduce((n, c) => n + c.typeErrors.length, 0);
  return { runs: summarize(runs), errors, code: out.status };
}

/** `kernelkit watch --types --json`: save → the `types` event that reflects the save. */
async function watchTypes(quick) {
  const dir = mkdtempSync(join(tmpdir(), "kk-bench-types-"));
  const path = join(dir, "nb.ts");
  const base = notebook(100);
  writeFileSync(path, base);
  const child = spawn(process.execPath, [CLI, "watch", "nb.ts", "--types", "--json"], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events = [];
  let waiter = null;
  let buffered = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
  child.stdout.setEncoding("utf8").on("data", (d) => {
    buffered += d;
    let nl = buffered.indexOf("\n");
    while (nl !== -1) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) events.push({ at: now(), ...JSON.parse(line) });
      nl = buffered.indexOf("\n");
    }
    waiter?.();
  });
  const until = (pred, what) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`watch --types: no ${what}; stderr: ${stderr}`)),
        60_000,
      );
      const look = () => {
        const i = events.findIndex(pred);
        if (i === -1) return;
        const [e] = events.splice(i, 1);
        waiter = null;
        clearTimeout(timer);
        resolve(e);
      };
      waiter = look;
      look();
    });
  const problems = [];
  const samples = [];
  try {
    await until((e) => e.event === "types" && e.trigger === "initial", "initial types event");
    await until((e) => e.event === "run" && e.trigger === "initial", "initial run");
    const rounds = quick ? 20 : 60;
    for (let r = 0; r < rounds + 3; r++) {
      // Odd rounds pass a string to step(i) (TS2345 in that cell); even ones take it back.
      const i = 1 + ((r * 37) % 98);
      const broken = r % 2 === 0;
      const text = broken ? base.replace(`return step${i - 1}(x)`, `return step${i - 1}("x")`) : base;
      events.length = 0;
      const t = now();
      writeFileSync(path, text);
      const e = await until((e) => e.event === "types" && e.trigger === "notebook", "types event");
      await until((e) => e.event === "run", "run event");
      if (r >= 3) samples.push(e.at - t);
      if (e.count !== (broken ? 1 : 0) || (broken && e.cells[0]?.typeErrors[0]?.code !== "TS2345"))
        problems.push(`round ${r}: ${JSON.stringify(e).slice(0, 200)}`);
      // Let the watcher's 70 ms re-check pass so the next save is a save of its own.
      await new Promise((res) => setTimeout(res, 90));
    }
  } finally {
    child.kill("SIGTERM");
  }
  return { ...summarize(samples), p95: percentile(samples, 95), problems };
}

async function executeUnchanged(quick) {
  const core = await import(import.meta.resolve("@kernelkit/core"));
  const { createDefaultExecutor } = await import(import.meta.resolve("@kernelkit/executor-default"));
  const { createTypesService } = await import(
    new URL("../packages/types/dist/service.js", import.meta.url).href
  );
  const wired = createTypesService();
  const a = await core.startInProcessKernel({
    executor: createDefaultExecutor(),
    languageService: wired,
    interrupts: null,
  });
  const b = await core.startInProcessKernel({ executor: createDefaultExecutor(), interrupts: null });
  const exec = (k) => async () => {
    const t = now();
    await k.client.request({ type: "execute", code: "1 + 1" });
    return now() - t;
  };
  const rounds = quick ? 3000 : 20000;
  const s = await alternate({ wired: exec(a), plain: exec(b) }, { warmup: 500, rounds });
  const started = wired.startedWorkers;
  a.client.close();
  b.client.close();
  await Promise.all([a.closed, b.closed]);
  return { wired: summarize(s.wired), plain: summarize(s.plain), startedWorkers: started };
}

export async function run({ quick = false } = {}) {
  const serve = await serveAvailable();
  const rows = [];
  if (!serve.ok) {
    rows.push(notMeasured("completion: first after start", "≤ 1.5 s", serve.reason));
    return { name: "types", rows };
  }
  log("types: first and warm completion on a 200-cell TS notebook");
  const c = await completion(quick);
  const note = c.problems.length ? `PROBLEMS: ${c.problems.slice(0, 2).join("; ")}` : null;
  rows.push(
    row({
      row: "completion: first after start (200 TS cells)",
      floor: `kernel ready in ${ms(c.ready)}`,
      kernelkit: ms(c.firstMs),
      target: "≤ 1.5 s",
      met: c.firstMs <= 1500 && !note,
      note,
      data: c,
    }),
    row({
      row: "completion: warm p95 (200 TS cells)",
      kernelkit: `p95 ${ms(c.warm.p95)} · median ${ms(c.warm.median)}`,
      target: "p95 ≤ 30 ms",
      met: c.warm.p95 <= 30 && !note,
      note,
      data: c.warm,
    }),
  );
  log("types: check --types of a 100-cell TS notebook, cold");
  const k = checkCold();
  rows.push(
    row({
      row: "type check: check --types, 100 TS cells, cold",
      kernelkit: `${ms(k.runs.median)} (best ${ms(k.runs.min)})`,
      target: "≤ 3 s",
      met: k.runs.median <= 3000 && k.errors === 0 && k.code === 0,
      note: k.errors || k.code ? `unexpected: ${k.errors} type errors, exit ${k.code}` : null,
      data: k,
    }),
  );
  log("types: save → type errors on watch --types (100 TS cells)");
  const w = await watchTypes(quick);
  const wNote = w.problems.length ? `PROBLEMS: ${w.problems.slice(0, 2).join("; ")}` : null;
  rows.push(
    row({
      row: "type check: save → type errors, watch --types (100 TS cells)",
      kernelkit: `median ${ms(w.median)} · p95 ${ms(w.p95)}`,
      ratio: x(w.median / 100, 2),
      target: "≤ 100 ms",
      met: w.median <= 100 && !wNote,
      note: wNote ?? `p95/target ${x(w.p95 / 100, 2)}`,
      data: w,
    }),
  );
  log("types: execute round trip, language service wired but never asked vs none");
  const e = await executeUnchanged(quick);
  const ratio = e.wired.median / e.plain.median;
  rows.push(
    row({
      row: "completion: execute round trip, service never asked",
      floor: `no service ${us(e.plain.median)}`,
      kernelkit: `${us(e.wired.median)} (p99 ${us(e.wired.p99)})`,
      ratio: x(ratio, 3),
      target: "within ±5%",
      met: Math.abs(ratio - 1) <= 0.05 && e.startedWorkers === 0,
      note: e.startedWorkers ? "a worker was started without a request" : null,
      data: e,
    }),
  );
  return { name: "types", rows };
}

await standalone(import.meta.url, run);
