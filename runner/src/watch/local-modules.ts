// The local modules a cell imports (docs/watch.md "Module reload"): which files to watch, and
// how to make the cell load a fresh copy of one after it changed.
import { existsSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** One local import in a cell: the specifier as written and the file it resolves to. */
export interface LocalImport {
  specifier: string;
  file: string;
  /** `require` has a cache we can delete from; `import`/`import()` need a new URL instead. */
  via: "import" | "require";
}

// Relative specifiers only: bare names are packages, which a save of the notebook does not change.
const JS_IMPORT =
  /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(["'])(\.{1,2}\/[^"'\n?#]+)((?:\?[^"'\n]*)?)\2/g;
const JS_EXTENSIONS = ["", ".js", ".mjs", ".cjs", ".json", "/index.js", "/index.mjs", "/index.cjs"];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Resolves a relative specifier the way Node does for the extensions a notebook can load. */
function resolveJs(dir: string, specifier: string): string {
  const base = resolve(dir, specifier);
  for (const ext of JS_EXTENSIONS) if (isFile(base + ext)) return base + ext;
  // Not there (yet): watch the path as written, so creating it later counts as a change.
  return base;
}

export function jsLocalImports(code: string, dir: string): LocalImport[] {
  const out: LocalImport[] = [];
  for (const m of code.matchAll(JS_IMPORT)) {
    const specifier = m[3]!;
    out.push({
      specifier,
      file: resolveJs(dir, specifier),
      via: m[1]!.startsWith("require") ? "require" : "import",
    });
  }
  return out;
}

const PY_IMPORT =
  /^[ \t]*import[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*)/gm;
const PY_FROM = /^[ \t]*from[ \t]+([\w.]+)[ \t]+import\b/gm;

/** The file of a top-level Python module in `dir`: `name.py`, or a package's `__init__.py`. */
function pythonModuleFile(dir: string, dotted: string): string | null {
  const parts = dotted.split(".");
  const asFile = `${join(dir, ...parts)}.py`;
  if (isFile(asFile)) return asFile;
  const asPackage = join(dir, ...parts, "__init__.py");
  if (isFile(asPackage)) return asPackage;
  return null;
}

export function pythonLocalImports(code: string, dir: string): LocalImport[] {
  const names: string[] = [];
  for (const m of code.matchAll(PY_IMPORT)) {
    for (const part of m[1]!.split(",")) names.push(part.trim().split(/\s+/)[0]!);
  }
  for (const m of code.matchAll(PY_FROM)) if (!m[1]!.startsWith(".")) names.push(m[1]!);
  const out: LocalImport[] = [];
  for (const name of names) {
    // `import pkg.sub` loads pkg too: a change to either re-runs the cell.
    const parts = name.split(".");
    for (let i = 1; i <= parts.length; i++) {
      const dotted = parts.slice(0, i).join(".");
      const file = pythonModuleFile(dir, dotted);
      if (file) out.push({ specifier: dotted, file, via: "import" });
    }
  }
  return out;
}

/**
 * JS: the code with every relative ESM specifier of a reloaded module given a new URL
 * (`./m.mjs?kk_reload=3`), since Node's ESM cache cannot be emptied. `version` maps a
 * module's file to its reload count; unchanged modules keep their specifier.
 */
export function bustJsImports(code: string, dir: string, version: (file: string) => number): string {
  return code.replace(JS_IMPORT, (whole, lead: string, quote: string, specifier: string) => {
    if (lead.startsWith("require")) return whole;
    const v = version(resolveJs(dir, specifier));
    return v > 0 ? `${lead}${quote}${specifier}?kk_reload=${v}${quote}` : whole;
  });
}

/** CommonJS: drop the module from the process's require cache, so the next require reads it again. */
export function evictRequireCache(cache: Record<string, unknown>, file: string): void {
  delete cache[file];
}

/**
 * Python: the code that drops a module (and its submodules) from `sys.modules`. It is one
 * expression binding no name, so it leaves nothing behind in the notebook's scope.
 */
export function pythonEvictCode(dotted: string): string {
  const name = JSON.stringify(dotted);
  return `[__import__("sys").modules.pop(_k, None) for _k in list(__import__("sys").modules) if _k == ${name} or _k.startswith(${name} + ".")] and None`;
}

/**
 * Python compares a cached .pyc by the source's mtime (seconds) and size: an edit within the
 * same second that keeps the size would load the old bytecode. Removing the cache is safe.
 */
export function removePythonBytecode(file: string): void {
  const cacheDir = join(dirname(file), "__pycache__");
  if (!existsSync(cacheDir)) return;
  const stem = file.endsWith("__init__.py") ? "__init__." : `${file.split("/").pop()!.slice(0, -3)}.`;
  try {
    for (const entry of readdirSync(cacheDir)) {
      if (entry.startsWith(stem) && entry.endsWith(".pyc")) unlinkSync(join(cacheDir, entry));
    }
  } catch {
    // Best effort: a read-only cache folder only means Python may use bytecode it still trusts.
  }
}
