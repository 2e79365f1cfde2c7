// Loads a large CommonJS file through V8's code cache (kept in the OS temp folder), so the
// compiler's 9 MB of JavaScript is not parsed afresh by every kernel: the first load after an
// upgrade writes the cache, later ones start about twice as fast (docs/types.md). Any problem
// falls back to a plain require.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFile } from "node:fs";
import Module, { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import vm from "node:vm";

type Internal = typeof Module & {
  wrap(source: string): string;
  _nodeModulePaths(dir: string): string[];
  _cache: Record<string, unknown>;
};

/** Requires `file` (an absolute path) using a code cache; returns its exports. */
export function requireCached(file: string): unknown {
  const M = Module as Internal;
  const cached = M._cache[file] as { exports: unknown } | undefined;
  if (cached) return cached.exports;
  try {
    const { size, mtimeMs } = statSync(file);
    const key = createHash("sha256").update(`${file}\0${size}\0${mtimeMs}\0${process.version}`).digest("hex");
    // Per user, private: a cache another user could write would be code we run.
    const uid = process.getuid?.() ?? 0;
    const folder = join(tmpdir(), `kernelkit-code-cache-${uid}`);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const owner = statSync(folder);
    if (owner.uid !== uid || (owner.mode & 0o022) !== 0) throw new Error("code cache folder is not private");
    const cacheFile = join(folder, `${key.slice(0, 24)}.bin`);
    let data: Buffer | undefined;
    try {
      data = readFileSync(cacheFile);
    } catch {}
    const script = new vm.Script(M.wrap(readFileSync(file, "utf8")), {
      filename: file,
      ...(data ? { cachedData: data } : {}),
    });
    const fn = script.runInThisContext() as (...args: unknown[]) => void;
    const mod = new Module(file) as Module & { filename: string; paths: string[]; loaded: boolean };
    mod.filename = file;
    mod.paths = M._nodeModulePaths(dirname(file));
    M._cache[file] = mod;
    try {
      fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
    } catch (error) {
      delete M._cache[file];
      throw error;
    }
    mod.loaded = true;
    if (!data || script.cachedDataRejected) {
      const fresh = script.createCachedData();
      // Written in the background: the caller does not wait for the disk.
      writeFile(cacheFile, fresh, () => {});
    }
    return mod.exports;
  } catch {
    delete M._cache[file];
    return createRequire(file)(file);
  }
}
