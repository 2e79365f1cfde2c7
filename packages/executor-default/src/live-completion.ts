// Completion and inspection from live values: the names and keys a running notebook holds,
// including runtime-only keys no type knows. Read through property descriptors only, never
// getters, and never through a Proxy, so no user code runs — which is why the kernel may ask
// while a cell is awaiting (docs/types.md).
import { types } from "node:util";
import type { CodeQuery, CompletionMatch, CompletionReply, InspectReply } from "@kernelkit/core";

const IDENT = /[A-Za-z_$\u00a0-\uffff][\w$\u00a0-\uffff]*$/;
const PATH =
  /((?:[A-Za-z_$\u00a0-\uffff][\w$\u00a0-\uffff]*)(?:\??\.[A-Za-z_$\u00a0-\uffff][\w$\u00a0-\uffff]*)*)\??\.([\w$\u00a0-\uffff]*)$/;
const HIDDEN = /^__kk_/;

export interface LiveNames {
  /** Top-level names visible to cells (defs first). */
  names(): Iterable<string>;
  /** The value of a top-level name, or `undefined` when it is unknown or behind a getter. */
  lookup(name: string): { value: unknown } | undefined;
}

const isObjectLike = (v: unknown): v is object =>
  (typeof v === "object" && v !== null) || typeof v === "function";

/** The value of `obj[key]` when it is a data property somewhere on the chain (no getter runs). */
function dataProperty(obj: unknown, key: string): { value: unknown } | undefined {
  let o: unknown = obj;
  if (!isObjectLike(o)) o = o === null || o === undefined ? null : Object.getPrototypeOf(Object(o));
  for (let depth = 0; o !== null && depth < 64; depth++) {
    if (types.isProxy(o)) return undefined;
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return "value" in d ? { value: d.value } : undefined;
    o = Object.getPrototypeOf(o);
  }
  return undefined;
}

function resolvePath(live: LiveNames, path: string): { value: unknown } | undefined {
  const parts = path.split(/\??\./);
  let cur = live.lookup(parts[0]!);
  for (let i = 1; cur && i < parts.length; i++) cur = dataProperty(cur.value, parts[i]!);
  return cur;
}

function kindOf(d: PropertyDescriptor): string {
  if (!("value" in d)) return "property";
  return typeof d.value === "function"
    ? /^class\b/.test(safeSource(d.value))
      ? "class"
      : "method"
    : "property";
}

function safeSource(fn: unknown): string {
  try {
    return types.isProxy(fn) ? "" : Function.prototype.toString.call(fn);
  } catch {
    return "";
  }
}

/** Keys of a value and its prototypes (Object.prototype's excluded), own keys first. */
function keysOf(value: unknown): CompletionMatch[] {
  const out: CompletionMatch[] = [];
  const seen = new Set<string>();
  let o: unknown = isObjectLike(value)
    ? value
    : value === null || value === undefined
      ? null
      : Object.getPrototypeOf(Object(value));
  for (let depth = 0; o !== null && o !== Object.prototype && depth < 64; depth++) {
    if (types.isProxy(o)) break;
    for (const key of Object.getOwnPropertyNames(o)) {
      if (seen.has(key) || key === "constructor" || HIDDEN.test(key)) continue;
      seen.add(key);
      const d = Object.getOwnPropertyDescriptor(o, key)!;
      out.push({ text: key, kind: kindOf(d), detail: "value" in d ? typeof d.value : "accessor" });
    }
    o = Object.getPrototypeOf(o);
  }
  return out;
}

/** `complete` from live values: `obj.pa|` lists obj's keys; `na|` lists top-level names. */
export function completeLive(live: LiveNames, query: CodeQuery): CompletionReply | null {
  const before = query.code.slice(0, query.cursorPos);
  const after = /^[\w$]*/.exec(query.code.slice(query.cursorPos))![0];
  const member = PATH.exec(before);
  if (member) {
    const target = resolvePath(live, member[1]!);
    if (!target) return null;
    const prefix = member[2]!;
    const matches = keysOf(target.value).filter((m) => m.text.startsWith(prefix));
    return {
      matches,
      cursorStart: query.cursorPos - prefix.length,
      cursorEnd: query.cursorPos + after.length,
    };
  }
  const word = IDENT.exec(before)?.[0] ?? "";
  if (word === "" && !/(?:^|[^\w$.])$/.test(before)) return null;
  const matches: CompletionMatch[] = [];
  const seen = new Set<string>();
  for (const name of live.names()) {
    if (seen.has(name) || HIDDEN.test(name) || !name.startsWith(word)) continue;
    seen.add(name);
    const v = live.lookup(name);
    matches.push({
      text: name,
      kind: v && typeof v.value === "function" ? "function" : "variable",
      ...(v ? { detail: typeof v.value } : {}),
    });
  }
  return { matches, cursorStart: query.cursorPos - word.length, cursorEnd: query.cursorPos + after.length };
}

/** The dotted name under (or just before) the cursor. */
function pathAt(code: string, cursorPos: number): string | null {
  const before = /[\w$.?]*$/.exec(code.slice(0, cursorPos))![0];
  const after = /^[\w$]*/.exec(code.slice(cursorPos))![0];
  const path = (before + after).replace(/^[.?]+|[.?]+$/g, "");
  return /^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)*$/.test(path) ? path : null;
}

/** `inspect` from a live value: its type, a signature for functions, a short preview. */
export function inspectLive(live: LiveNames, query: CodeQuery): InspectReply | null {
  const path = pathAt(query.code, query.cursorPos);
  if (!path) return null;
  const target = resolvePath(live, path);
  if (!target) return null;
  const v = target.value;
  let text: string;
  if (typeof v === "function") {
    const src = safeSource(v);
    const head = src.slice(0, Math.max(0, src.indexOf("{")) || src.length).trim() || `function ${path}`;
    text = `${path}: ${head}`;
  } else if (isObjectLike(v)) {
    const ctor = dataProperty(v, "constructor")?.value as { name?: unknown } | undefined;
    const keys = types.isProxy(v) ? [] : Object.keys(v);
    const shown = keys.slice(0, 20).join(", ") + (keys.length > 20 ? ", …" : "");
    text = `${path}: ${typeof ctor?.name === "string" && ctor.name ? ctor.name : "Object"} { ${shown} }`;
  } else {
    text = `${path}: ${typeof v} = ${String(v).slice(0, 200)}`;
  }
  return { found: true, bundle: { "text/plain": text, "text/markdown": `\`\`\`ts\n${text}\n\`\`\`` } };
}
