// The bespoke kernel of this folder, used the way its README says: its config composes the
// worker executor (found through its package's entry point), profiling, the local caching
// lifecycle and the local `cache_stats` command; a second run skips the unchanged cells.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KernelClient } from "@kernelkit/client";
import { describeLifecycleConformance } from "@kernelkit/conformance";
import { createWorkerExecutor } from "kernelkit-executor-worker";
import { describe, expect, it } from "vitest";
import { CacheLifecycle } from "../src/cache-lifecycle.ts";

const HERE = join(dirname(fileURLToPath(import.meta.url)), "..");
/** What `npx kernelkit` runs in this folder. */
const BIN = join(
  dirname(createRequire(join(HERE, "package.json")).resolve("kernelkit/package.json")),
  "bin",
  "kernelkit.js",
);
const cacheDir = () => mkdtempSync(join(tmpdir(), "kk-bespoke-cache-"));

function runJson(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, "run", "notebook.ts", "--json"], {
    cwd: HERE,
    env: { ...process.env, NO_COLOR: "1", ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0)
    throw new Error(`run failed (${r.status}): ${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`);
  const json = JSON.parse(r.stdout);
  const cell = (name: string) => json.cells.find((c: any) => c.name === name);
  return { json, cell };
}

const CACHED = "cached: code and inputs unchanged, the cell was skipped";

describe("examples/bespoke-kernel", () => {
  it("a second `kernelkit run` skips every unchanged cell and gives the same outputs", () => {
    const env = { KERNELKIT_CACHE_DIR: cacheDir() };
    const first = runJson(env);
    expect(first.json.executor).toBe("worker");
    expect(first.json.warnings).toEqual([]);
    expect(first.cell("primes").stdout).toContain("sieving up to 3,000,000");
    for (const c of first.json.cells.filter((c: any) => c.status)) expect(c.stderr).not.toContain(CACHED);

    const second = runJson(env);
    for (const name of ["limit", "primes", "gaps", "units"]) {
      const c = second.cell(name);
      expect(c.status, name).toBe("success");
      expect(c.stderr, name).toContain(CACHED);
      expect(c.output, name).toEqual(first.cell(name).output);
    }
    // The body did not run: its print is gone, its value came from the cache.
    expect(second.cell("primes").stdout).toBe("");
    expect(second.cell("primes").output["text/plain"]).toBe("216816");
    expect(existsSync(join(HERE, "trace.json"))).toBe(true);
  });

  it("served over WebSocket: cached re-runs, a changed input re-runs its dependents, cache_stats answers", async () => {
    const child = spawn(process.execPath, [BIN, "serve", "--transport", "ws", "--port", "0", "notebook.ts"], {
      cwd: HERE,
      env: { ...process.env, NO_COLOR: "1", KERNELKIT_CACHE_DIR: cacheDir() },
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = "";
        child.stderr!.setEncoding("utf8").on("data", (d: string) => {
          err += d;
          const m = /listening on (ws:\/\/\S+)/.exec(err);
          if (m) resolve(m[1]!);
        });
        child.on("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
      });
      const kernel = await KernelClient.connect(url);
      const ids = ["limit", "primes", "gaps", "units"];
      const run = async (request: Record<string, unknown>) => {
        const cached: string[] = [];
        const done = await kernel.request(request, {
          onFrame: (f) => {
            if (f.type === "stderr" && String(f.data).startsWith("cached:")) cached.push(String(f.cellId));
          },
        });
        return { done, cached };
      };
      const first = await run({ type: "run_cells", cellIds: ids });
      expect(first.done).toMatchObject({ type: "run_done", ok: true });
      expect(first.cached).toEqual([]);
      const second = await run({ type: "run_cells", cellIds: ids });
      expect(second.cached.sort()).toEqual([...ids].sort());
      const changed = await run({
        type: "set_cells",
        run: true,
        cells: [{ id: "limit", code: "const limit = 1_000_000;" }],
      });
      expect(Object.keys(changed.done.cells as object).sort()).toEqual(["gaps", "limit", "primes"]);
      expect(changed.cached).toEqual([]);
      const stats = await kernel.request({ type: "cache_stats" });
      expect(stats).toMatchObject({
        type: "cache_stats_reply",
        hits: 4,
        misses: 7,
        uncacheable: 0,
        entries: 7,
      });
      const { confirmed } = await kernel.shutdown();
      expect(confirmed).toBe(true);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describeLifecycleConformance("cache (memory)", () => new CacheLifecycle({ dir: null }));
describeLifecycleConformance(
  "cache (on disk, worker executor)",
  () => new CacheLifecycle({ dir: cacheDir() }),
  {
    executor: (ctx) => createWorkerExecutor({}, ctx),
  },
);
