// Imports a plugin or config module by path. TypeScript files (.ts/.mts) load through module
// hooks that strip types with oxc-transform, registered the first time one is needed — never
// the TypeScript compiler, and nothing at all for plain JavaScript.
import { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";

const HOOKS = `
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
let transformSync;
export async function initialize(data) {
  const m = await import(data.oxc);
  transformSync = m.transformSync ?? m.default?.transformSync;
}
const TS = /\\.m?ts$/;
const isTs = (url) => typeof url === "string" && url.startsWith("file:") && TS.test(new URL(url).pathname);
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    // TypeScript convention: "./x.js" names ./x.ts; "./x" may be ./x.ts too.
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || !isTs(context.parentURL) || !/^\\.{1,2}\\//.test(specifier)) throw error;
    const alt = /\\.m?js$/.test(specifier) ? specifier.replace(/js$/, "ts") : specifier + ".ts";
    return next(alt, context);
  }
}
export async function load(url, context, next) {
  if (!isTs(url) || url.endsWith(".d.ts")) return next(url, context);
  const file = fileURLToPath(url);
  const out = transformSync(file, await readFile(file, "utf8"), { lang: "ts", sourceType: "module" });
  const bad = out.errors.find((e) => e.severity === "Error");
  if (bad) throw new SyntaxError(file + ": " + bad.message);
  return { format: "module", source: out.code, shortCircuit: true };
}
`;

let registered = false;

/** Makes `import()` of .ts/.mts files work in this process (idempotent). */
export function enableTypeScriptImports(): void {
  if (registered) return;
  registered = true;
  const oxc = pathToFileURL(createRequire(import.meta.url).resolve("oxc-transform")).href;
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { oxc } });
}

export function isTypeScriptFile(file: string): boolean {
  return /\.m?ts$/.test(file);
}

/** `import()` of an absolute file path, TypeScript included. */
export async function importFile(file: string): Promise<Record<string, unknown>> {
  if (isTypeScriptFile(file)) enableTypeScriptImports();
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
