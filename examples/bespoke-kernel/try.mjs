// Drives the bespoke kernel over WebSocket with KernelClient: runs the notebook twice (the
// second run is served from the cache), changes one cell, then asks the local `cache_stats`
// command. Usage: node try.mjs 'ws://127.0.0.1:8765/?token=…' (the URL `serve` printed).
import { KernelClient } from "@kernelkit/client";

const url = process.argv[2] ?? process.env.KERNELKIT_URL;
if (!url) {
  console.error("usage: node try.mjs 'ws://127.0.0.1:8765/?token=…'  (the URL `npm run serve` printed)");
  process.exit(2);
}

const kernel = await KernelClient.connect(url);
const info = await kernel.request({ type: "kernel_info" });
console.log(`connected: executor ${info.executor.name}, lifecycles ${info.lifecycles.join(", ")}`);

const graph = await kernel.request({ type: "set_cells", cells: [] });
const code = graph.cells.filter((c) => c.defs.length > 0 || c.refs.length > 0).map((c) => c.id);

async function run(title, request) {
  const started = performance.now();
  const cached = new Set();
  const results = {};
  const done = await kernel.request(request, {
    onFrame(f) {
      if (f.type === "stderr" && f.data.startsWith("cached:")) cached.add(f.cellId);
      if (f.type === "result") results[f.cellId] = f.bundle["text/plain"];
    },
  });
  console.log(`\n${title} (${Math.round(performance.now() - started)} ms)`);
  for (const [id, status] of Object.entries(done.cells)) {
    console.log(
      `  ${id.padEnd(7)} ${status.padEnd(8)} ${cached.has(id) ? "cached " : "ran    "} ${results[id] ?? ""}`,
    );
  }
}

await run("first run", { type: "run_cells", cellIds: code });
await run("second run: nothing changed", { type: "run_cells", cellIds: code });
await run("limit changed: primes and gaps run again (units does not depend on it)", {
  type: "set_cells",
  run: true,
  cells: [{ id: "limit", code: "const limit = 1_000_000;" }],
});
await run("limit back: everything from the cache", {
  type: "set_cells",
  run: true,
  cells: [{ id: "limit", code: "const limit = 3_000_000;" }],
});

const stats = await kernel.request({ type: "cache_stats" });
console.log(`\ncache_stats (a command the local plugin added): ${JSON.stringify(stats)}`);
process.exit(0);
