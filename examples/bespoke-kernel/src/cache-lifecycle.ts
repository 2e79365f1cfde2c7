// A caching lifecycle: when a notebook cell's code and the values of its inputs (its refs) are
// the same as in an earlier successful run, the body is skipped (`Skip` with the cached result)
// and the cell's defs are put back into the scope. Results live in memory and on disk (one
// file per key, v8 serialization), so a second `kernelkit run` skips the unchanged cells too.
// Cells whose inputs, output or defs cannot be serialized (functions, handles) are never cached.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { deserialize, serialize } from "node:v8";
import {
  type CompiledCell,
  defineLifecycle,
  type ExecutionContext,
  type ExecutionLifecycle,
  isMimeBundle,
  KernelkitError,
  mimeBundle,
  type PluginContext,
  type RunResult,
  Skip,
} from "@kernelkit/core";

export interface CacheOptions {
  /** Where results are kept (default: KERNELKIT_CACHE_DIR, else .kernelkit-cache in the cwd); null: memory only. */
  dir?: string | null;
}

interface Entry {
  /** The output value (a mime bundle is re-branded when read back). */
  output: unknown;
  bundle: boolean;
  defs: Record<string, unknown>;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Cells not cacheable (an input, output or def that cannot be serialized). */
  uncacheable: number;
  entries: number;
  dir: string | null;
}

function tryBytes(value: unknown): Buffer | null {
  try {
    return serialize(value);
  } catch {
    return null;
  }
}

export class CacheLifecycle implements ExecutionLifecycle {
  readonly name = "cache";
  readonly dir: string | null;
  private readonly memory = new Map<string, Entry>();
  private readonly keys = new WeakMap<ExecutionContext, string>();
  readonly stats = { hits: 0, misses: 0, uncacheable: 0 };

  constructor(options: CacheOptions = {}, cwd = process.cwd()) {
    const dir =
      options.dir === undefined ? (process.env.KERNELKIT_CACHE_DIR ?? ".kernelkit-cache") : options.dir;
    this.dir = dir === null ? null : resolve(cwd, dir);
  }

  /** The cell's code and the serialized values of its refs; null when an input cannot be fingerprinted. */
  private key(cell: CompiledCell, ctx: ExecutionContext): string | null {
    const h = createHash("sha256").update(cell.language).update("\0").update(cell.code);
    for (const ref of [...cell.refs].sort()) {
      const bytes = ctx.scope.has(ref) ? tryBytes(ctx.scope.get(ref)) : Buffer.from("<unbound>");
      if (!bytes) return null;
      h.update("\0").update(ref).update("\0").update(bytes);
    }
    return h.digest("hex");
  }

  private read(key: string): Entry | null {
    const hit = this.memory.get(key);
    if (hit || !this.dir) return hit ?? null;
    try {
      const entry = deserialize(readFileSync(join(this.dir, `${key}.v8`))) as Entry;
      this.memory.set(key, entry);
      return entry;
    } catch {
      return null;
    }
  }

  setup(cell: CompiledCell, ctx: ExecutionContext): void | Skip {
    // Scratch executions (`execute` requests) are not notebook cells: never cached.
    if (cell.executionCount !== undefined) return;
    const key = this.key(cell, ctx);
    if (!key) {
      this.stats.uncacheable++;
      return;
    }
    const entry = this.read(key);
    if (!entry) {
      this.stats.misses++;
      this.keys.set(ctx, key);
      return;
    }
    this.stats.hits++;
    // The kernel removed the defs of the cell's last run: put back what that run defined.
    for (const [name, value] of Object.entries(entry.defs)) ctx.scope.set(name, value);
    ctx.stderr("cached: code and inputs unchanged, the cell was skipped\n");
    const output = entry.bundle ? mimeBundle(entry.output as Record<string, unknown>) : entry.output;
    return new Skip({ output, error: null });
  }

  teardown(cell: CompiledCell, ctx: ExecutionContext, result: RunResult): void {
    const key = this.keys.get(ctx);
    if (!key) return;
    this.keys.delete(ctx);
    if (result.error != null) return;
    const defs: Record<string, unknown> = {};
    for (const name of cell.defs) defs[name] = ctx.scope.get(name);
    const bundle = isMimeBundle(result.output);
    const entry: Entry = { output: bundle ? { ...(result.output as object) } : result.output, bundle, defs };
    const bytes = tryBytes(entry);
    if (!bytes) {
      this.stats.uncacheable++;
      return;
    }
    this.memory.set(key, entry);
    if (!this.dir) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(join(this.dir, `${key}.v8`), bytes);
    } catch (error) {
      throw new KernelkitError<"KK_CACHE_WRITE">(
        "KK_CACHE_WRITE",
        `cannot write the cell cache in ${this.dir}: ${(error as Error).message}`,
        {
          cause: error,
          hint: "Point the cache lifecycle's `dir` option (or KERNELKIT_CACHE_DIR) at a writable folder.",
        },
      );
    }
  }

  report(): CacheStats {
    let entries = this.memory.size;
    if (this.dir) {
      try {
        entries = readdirSync(this.dir).filter((f) => f.endsWith(".v8")).length;
      } catch {}
    }
    return { ...this.stats, entries, dir: this.dir };
  }

  /** Forgets every cached result (memory and disk); returns how many there were. */
  clear(): number {
    const n = this.report().entries;
    this.memory.clear();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    return n;
  }
}

export default defineLifecycle(
  (options: CacheOptions, ctx: PluginContext) => new CacheLifecycle(options ?? {}, ctx.cwd),
);
