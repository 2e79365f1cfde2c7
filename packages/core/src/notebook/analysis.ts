// Cell analysis for JS/TS cells: strip types (oxc-transform), parse (acorn), bind names,
// and rewrite the cell into an async function that returns its output and its defs.
// Results are cached by content; the hot path never imports the TypeScript compiler.
import { parse } from "acorn";
import { transformSync } from "oxc-transform";
import type { CellAnalysis, CellStaticError, CompiledJs } from "../contract/cell.ts";
import { isJsContextGlobal } from "./globals.ts";
import { analyzeScopes } from "./scope-analysis.ts";

export interface JsAnalysis extends CellAnalysis {
  globalRefs: string[];
  writes: string[];
  error: CellStaticError | null;
  hasOutput: boolean;
  compiled: CompiledJs | null;
}

const WRAP_PREFIX = `(async function __kk_cell(__kk_o) {"use strict"; try {\n`;
export const CELL_FUNCTION_NAME = "__kk_cell";
const EXPR_OPEN = "__kk_o.value = (";

const CACHE_LIMIT = 20_000;
const cache = new Map<string, JsAnalysis>();

/** The latest hit, which is also the most recently used entry: the same scratch code again costs a compare. */
let last: { code: string; typescript: boolean; result: JsAnalysis } | null = null;

/** Analyses a JS or TS cell; cached by content (bounded, least recently used evicted). */
export function analyzeJsCell(code: string, typescript: boolean): JsAnalysis {
  if (last !== null && last.typescript === typescript && last.code === code) return last.result;
  const result = analyzeCached(code, typescript);
  last = { code, typescript, result };
  return result;
}

function analyzeCached(code: string, typescript: boolean): JsAnalysis {
  const key = (typescript ? "t\0" : "j\0") + code;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const result = analyzeUncached(code, typescript);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, result);
  return result;
}

export function clearAnalysisCache(): void {
  last = null;
  cache.clear();
}

function staticError(message: string, line: number, column: number): JsAnalysis {
  return {
    defs: [],
    refs: [],
    globalRefs: [],
    writes: [],
    hasOutput: false,
    compiled: null,
    error: { name: "SyntaxError", code: "KK_SYNTAX", message, line, column },
  };
}

function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

function analyzeUncached(code: string, typescript: boolean): JsAnalysis {
  let js = code;
  let map: CompiledJs["map"] = null;
  if (typescript) {
    const out = transformSync("cell.ts", code, {
      lang: "ts",
      sourceType: "module",
      sourcemap: true,
      // A cell's imports are shared with other cells even when this cell never reads them.
      typescript: { onlyRemoveTypeImports: true },
    });
    const first = out.errors.find((e) => e.severity === "Error") ?? null;
    if (first) {
      const at = first.labels?.[0]?.start ?? 0;
      const { line, column } = lineColumnAt(code, at);
      return staticError(first.message, line, column);
    }
    js = out.code;
    map = out.map
      ? { mappings: out.map.mappings, names: out.map.names, sources: out.map.sources, version: 3 }
      : null;
  }

  let program: any;
  try {
    program = parse(js, {
      ecmaVersion: "latest",
      sourceType: "module",
      allowAwaitOutsideFunction: true,
      allowHashBang: true,
    });
  } catch (err) {
    const e = err as { message: string; loc?: { line: number; column: number }; pos?: number };
    const message = e.message.replace(/\s*\(\d+:\d+\)$/, "");
    let line = e.loc?.line ?? 1;
    let column = (e.loc?.column ?? 0) + 1;
    if (typescript && map) {
      // Rare: oxc accepted what acorn rejects. Report at the start of the cell's line.
      column = 1;
      line = Math.min(line, code.split("\n").length);
    }
    return staticError(message, line, column);
  }

  const scopes = analyzeScopes(program);
  const defs: string[] = [];
  for (const n of scopes.topLevel) if (!n.startsWith("_")) defs.push(n);
  const refs: string[] = [];
  const globalRefs: string[] = [];
  for (const n of scopes.free) {
    if (isJsContextGlobal(n)) globalRefs.push(n);
    else if (!n.startsWith("_")) refs.push(n);
  }
  const writes = scopes.freeWrites.filter((n) => !n.startsWith("_") && !isJsContextGlobal(n));

  // ---- rewrite ----
  type Edit = { start: number; end: number; text: string };
  const edits: Edit[] = [];
  for (const node of scopes.exports) {
    if (node.type === "ExportNamedDeclaration" && node.declaration) {
      edits.push({
        start: node.start,
        end: node.declaration.start,
        text: " ".repeat(node.declaration.start - node.start),
      });
    } else {
      const { line, column } = lineColumnAt(js, node.start);
      return staticError(
        "export is not supported in a notebook cell: top-level names are shared already",
        line,
        column,
      );
    }
  }
  for (const node of scopes.imports)
    edits.push({ start: node.start, end: node.end, text: rewriteImport(node, js) });
  for (const node of scopes.metaProperties)
    edits.push({ start: node.start, end: node.end, text: "__kk_meta" });

  const body = program.body as any[];
  const last = body[body.length - 1];
  let hasOutput = false;
  let exprInsert: CompiledJs["exprInsert"] = null;
  if (last && last.type === "ExpressionStatement" && last.directive !== "use strict") {
    hasOutput = true;
    const expr = last.expression;
    edits.push({ start: expr.start, end: expr.start, text: EXPR_OPEN });
    edits.push({ start: expr.end, end: expr.end, text: ")" });
    const pos = lineColumnAt(js, expr.start);
    exprInsert = { line: pos.line, column: pos.column - 1, length: EXPR_OPEN.length };
  }

  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let cursor = 0;
  for (const e of edits) {
    out += js.slice(cursor, e.start) + e.text;
    cursor = e.end;
  }
  out += js.slice(cursor);

  const exportsList = defs.join(", ");
  const source = `${WRAP_PREFIX}${out}\n;__kk_o.defs = { ${exportsList} }; __kk_o.done = 1; } catch (__kk_e) { __kk_o.error = __kk_e; __kk_o.done = 2; } return __kk_o;\n})(__kk_slot)`;
  return {
    defs,
    refs,
    globalRefs,
    writes,
    hasOutput,
    error: null,
    compiled: { source, map, exprInsert, bodyLines: out.split("\n").length },
  };
}

/** `import a, {b as c} from "m"` → `const { default: a, b: c } = await import("m");`, same line count. */
function rewriteImport(node: any, js: string): string {
  const original = js.slice(node.start, node.end);
  const newlines = original.split("\n").length - 1;
  const src = js.slice(node.source.start, node.source.end);
  const attrs =
    node.attributes && node.attributes.length > 0
      ? `, { with: { ${node.attributes
          .map((a: any) => `${js.slice(a.key.start, a.key.end)}: ${js.slice(a.value.start, a.value.end)}`)
          .join(", ")} } }`
      : "";
  const load = `await import(${src}${attrs})`;
  let text: string;
  const specs = node.specifiers as any[];
  const ns = specs.find((s) => s.type === "ImportNamespaceSpecifier");
  if (specs.length === 0) text = `${load};`;
  else if (ns) {
    const def = specs.find((s) => s.type === "ImportDefaultSpecifier");
    text = `const ${ns.local.name} = ${load}${def ? `, ${def.local.name} = ${ns.local.name}.default` : ""};`;
  } else {
    const parts = specs.map((s) => {
      if (s.type === "ImportDefaultSpecifier") return `default: ${s.local.name}`;
      const imported = s.imported.type === "Identifier" ? s.imported.name : JSON.stringify(s.imported.value);
      return imported === s.local.name ? imported : `${imported}: ${s.local.name}`;
    });
    text = `const { ${parts.join(", ")} } = ${load};`;
  }
  return text + "\n".repeat(newlines);
}
