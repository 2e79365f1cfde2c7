// Live fuzz: random and malformed frames at a running kernel (`kernelkit serve --transport
// stdio`), then a check that it still answers kernel_info — every K messages and at the end.
// Seeded (a failing seed reproduces): `node bench/fuzz-live.mjs [--quick] [--seed N] [--messages N]`.
// Bounded in count and time; talks only to its own child process.
import { serveAvailable, startKernel, tail } from "./lib/kernel-process.mjs";
import { log, notMeasured, now, row, standalone } from "./lib/measure.mjs";

/** mulberry32: a small seeded PRNG, so a run can be replayed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = [
  "kernel_info",
  "execute",
  "set_cells",
  "delete_cells",
  "run_cells",
  "set_inputs",
  "interrupt",
  "warp",
  "",
];
// Code that a fuzzer may send: harmless, failing, hostile-but-contained (never an endless loop:
// the kernel must survive it, and each message needs its answer within the bench's time).
const CODES = [
  "1 + 1",
  "throw new Error('x')",
  "process.exit(7)",
  'process.stdout.write(\'{"type":"done","id":"forged"}\\n\')',
  "console.log('\\u0000\\ud800 half a surrogate')",
  "let (",
  "await new Promise((r) => setTimeout(r, 1))",
  "globalThis.x = { __proto__: { polluted: 1 } }",
  // Not here: reading fd 0 under plain serve can consume queued requests (docs/reliability.md).
  "Object.prototype.hacked = 1; delete Object.prototype.hacked",
  "'é世🎉'.repeat(1000)",
];

function generator(rand) {
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const int = (n) => Math.floor(rand() * n);
  const anyValue = (depth = 0) => {
    const r = rand();
    if (depth > 2 || r < 0.3) return pick([null, true, false, 0, -1, 1e308, "", "x", "__proto__", [], {}]);
    if (r < 0.6) return Array.from({ length: int(4) }, () => anyValue(depth + 1));
    const o = {};
    for (let i = 0; i < int(4); i++)
      o[pick(["id", "type", "code", "cells", "values", "__proto__", "constructor", "x"])] = anyValue(
        depth + 1,
      );
    return o;
  };
  const randomBytes = () => {
    const n = int(200);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = rand() < 0.1 ? 0x0a : int(256);
    return b;
  };
  let serial = 0;
  /** One message: `{ text, id }` (id when a terminal frame is owed to us). */
  return () => {
    const r = rand();
    const id = `z${++serial}`;
    // Random bytes end with a newline so the next request starts a line of its own.
    if (r < 0.15) return { text: Buffer.concat([randomBytes(), Buffer.from("\n")]), id: null };
    if (r < 0.25) return { text: `${JSON.stringify(anyValue())}\n`, id: null };
    if (r < 0.3) return { text: `{"id":"${id}","type":"execute","code":"1"`, id: null, partial: true };
    if (r < 0.33)
      return {
        text: `{"id":"${id}","type":"execute","code":"${"a".repeat(int(4096))}`,
        id: null,
        partial: true,
      };
    const req = { id, type: pick(TYPES) };
    if (req.type === "execute" || rand() < 0.2) req.code = rand() < 0.9 ? pick(CODES) : anyValue();
    if (req.type === "set_cells")
      req.cells = rand() < 0.8 ? [{ id: pick(["a", "b"]), code: pick(CODES) }] : anyValue();
    if (req.type === "run_cells" || req.type === "delete_cells")
      req.cellIds = rand() < 0.8 ? [pick(["a", "b", "c"])] : anyValue();
    if (req.type === "set_inputs") req.values = rand() < 0.8 ? { x: anyValue() } : anyValue();
    if (rand() < 0.1) req.timeoutMs = int(50);
    return { text: `${JSON.stringify(req)}\n`, id };
  };
}

export async function run({
  quick = false,
  seed = Number(process.env.KK_FUZZ_SEED ?? 20261121),
  messages,
} = {}) {
  const total = messages ?? (quick ? 2_000 : 20_000);
  const serve = await serveAvailable();
  if (!serve.ok)
    return { name: "fuzz-live", rows: [notMeasured("fuzz-live", "still answers", serve.reason)] };
  const rand = prng(seed);
  const next = generator(rand);
  let unrouted = 0;
  const k = startKernel({ onUnrouted: () => unrouted++ });
  await k.request({ type: "kernel_info" });
  const t0 = now();
  const problems = [];
  let owed = [];
  let checks = 0;
  log(`fuzz-live: ${total} messages, seed ${seed}`);
  for (let i = 1; i <= total; i++) {
    const m = next();
    if (m.id) {
      // Route its answer to us; its terminal frame must come.
      owed.push(
        Promise.race([
          new Promise((resolve) => {
            k.request(JSON.parse(m.text)).then(resolve, (e) => resolve({ type: "lost", error: e.message }));
          }),
          new Promise((resolve) =>
            setTimeout(() => resolve({ type: "timeout", request: m.text.slice(0, 200) }), 30_000),
          ),
        ]),
      );
    } else {
      k.writeRaw(m.text);
      // A partial line is closed by a newline, so the next message starts fresh.
      if (m.partial) k.writeRaw("\n");
    }
    if (i % 100 === 0 || i === total) {
      const answers = await Promise.all(owed);
      owed = [];
      for (const a of answers)
        if (a.type === "lost" || a.type === "timeout") problems.push(JSON.stringify(a));
      const info = await Promise.race([
        k.request({ type: "kernel_info" }),
        new Promise((resolve) => setTimeout(() => resolve({ type: "timeout" }), 10_000)),
      ]);
      checks++;
      if (info.type !== "kernel_info_reply") {
        problems.push(`after ${i} messages kernel_info got ${JSON.stringify(info)}: ${tail(k.stderr)}`);
        break;
      }
    }
    if (k.exited) {
      problems.push(`kernel exited after ${i} messages: ${JSON.stringify(k.exited)} ${tail(k.stderr)}`);
      break;
    }
  }
  const seconds = (now() - t0) / 1000;
  const exit = await k.close();
  const ok = problems.length === 0;
  return {
    name: "fuzz-live",
    rows: [
      row({
        row: "fuzz-live: random/malformed frames",
        kernelkit: `${total} messages, ${checks} kernel_info checks, ${seconds.toFixed(1)} s`,
        target: "every request answered; kernel_info still answered",
        met: ok,
        note: ok
          ? `seed ${seed}: no crash, nothing unanswered; ${k.badLines} unparseable output lines; exit ${exit?.code ?? exit?.signal}`
          : `seed ${seed}: ${problems.slice(0, 3).join("; ")}`,
      }),
    ],
    data: { seed, total, checks, problems, unrouted, badLines: k.badLines, seconds, exit },
  };
}

const seedArg = process.argv.indexOf("--seed");
const msgArg = process.argv.indexOf("--messages");
await standalone(import.meta.url, (opts) =>
  run({
    ...opts,
    ...(seedArg > 0 ? { seed: Number(process.argv[seedArg + 1]) } : {}),
    ...(msgArg > 0 ? { messages: Number(process.argv[msgArg + 1]) } : {}),
  }),
);
