// Whether a JS/TS notebook's code can load a module other than Node's built-ins. A batch worker
// (batch-worker.ts) runs several notebooks in one process, and Node keeps every loaded module
// (and whatever state it holds) for the life of the process; after a notebook that may have
// loaded one, the worker retires so the next notebook sees modules as it would alone.
import { builtinModules } from "node:module";

const BUILTIN = new Set(builtinModules);

/** Every word that can load a module (`import.meta` excluded: it loads nothing). */
const LOADERS = /\b(?:import|require|createRequire|dlopen)\b(?!\s*\.)|\bexport\s*(?:\*|\{[^}]*\}\s*from)/g;
/** The forms whose specifier is a literal: static imports, `import("x")`, `require("x")`. */
const LITERAL =
  /\bimport\s+(?:type\s+)?(?:[\w$*{}\s,]+?\s+from\s*)?["']([^"'\n]+)["']|\b(?:import|require)\s*\(\s*["']([^"'\n]+)["']\s*\)/g;

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || BUILTIN.has(specifier);
}

/**
 * True unless every module-loading form in `code` names a built-in module by a literal.
 * Errs towards true: a word `import` in a string or comment counts as an import.
 */
export function mayLoadModules(code: string): boolean {
  const loaders = code.match(LOADERS)?.length ?? 0;
  if (loaders === 0) return false;
  let builtins = 0;
  for (const m of code.matchAll(LITERAL)) {
    if (!isBuiltin(m[1] ?? m[2] ?? "")) return true;
    builtins++;
  }
  return builtins < loaders;
}
