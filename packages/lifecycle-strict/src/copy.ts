// Deep copies made inside the cells' realm. The copier's source is evaluated in that realm
// (SharedJsScope.evaluate), so the arrays, objects, maps… it creates belong to it; host-side
// structuredClone would hand cells host-realm objects (docs/architecture.md, Node facts).
import { createRequire } from "node:module";
import type { SharedJsScope } from "@kernelkit/core";

/** Values carrying this key (truthy), or passed to zeroCopy(), are given to cells as they are. */
export const ZERO_COPY: unique symbol = Symbol.for("kernelkit.zeroCopy") as never;
const REGISTRY = Symbol.for("kernelkit.zeroCopy.registry");

function zeroCopySet(): WeakSet<object> {
  const g = globalThis as unknown as Record<symbol, WeakSet<object> | undefined>;
  g[REGISTRY] ??= new WeakSet();
  return g[REGISTRY];
}

/**
 * Marks a value to be passed to strict cells as it is, not copied: connections, handles,
 * huge read-only data. Returns the value. Shared by every copy of this package in a process.
 */
export function zeroCopy<T>(value: T): T {
  if ((typeof value === "object" && value !== null) || typeof value === "function") zeroCopySet().add(value);
  return value;
}

export function isZeroCopy(value: unknown): boolean {
  if ((typeof value !== "object" || value === null) && typeof value !== "function") return false;
  if (zeroCopySet().has(value as object)) return true;
  try {
    return Boolean((value as Record<symbol, unknown>)[ZERO_COPY]);
  } catch {
    return false;
  }
}

// ---- modules are passed as they are ----

const require = createRequire(import.meta.url);
let moduleExports = new WeakSet<object>();
let seenBuiltins = -1;
let seenCache = -1;

/** Refreshes the set of loaded modules' exports (builtin and CommonJS); cheap when nothing changed. */
function refreshModules(): void {
  const loadList = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList ?? [];
  const cacheKeys = Object.keys(require.cache);
  if (loadList.length === seenBuiltins && cacheKeys.length === seenCache) return;
  seenBuiltins = loadList.length;
  seenCache = cacheKeys.length;
  const set = new WeakSet<object>();
  for (const entry of loadList) {
    if (!entry.startsWith("NativeModule ")) continue;
    const id = entry.slice("NativeModule ".length);
    if (id.startsWith("internal/")) continue;
    try {
      const exp = require(`node:${id}`);
      if ((typeof exp === "object" && exp !== null) || typeof exp === "function") set.add(exp);
    } catch {}
  }
  for (const key of cacheKeys) {
    const exp = require.cache[key]?.exports;
    if ((typeof exp === "object" && exp !== null) || typeof exp === "function") set.add(exp);
  }
  moduleExports = set;
}

/** What the host decides for an object before the realm copier looks at it. */
type HostVerdict = true | { value: unknown } | undefined;

function hostVerdict(value: object): HostVerdict {
  if (isZeroCopy(value) || moduleExports.has(value)) return true;
  if (value instanceof URL) return { value: new URL(value.href) };
  if (value instanceof URLSearchParams) return { value: new URLSearchParams(value) };
  if (typeof Blob !== "undefined" && value instanceof Blob) return true; // immutable
  return undefined;
}

export interface Uncopyable {
  what: string;
  path: string;
}

const COPIER = `(function () {
  "use strict";
  const toStr = Object.prototype.toString;
  const getProto = Object.getPrototypeOf;
  const fnToString = Function.prototype.toString;
  const isNative = (f) => typeof f === "function" && /\\[native code\\]\\s*\\}\\s*$/.test(fnToString.call(f));
  const TYPED = { Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array };
  const NEVER = new Set(["Promise", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Generator",
    "AsyncGenerator", "Map Iterator", "Set Iterator", "Array Iterator", "String Iterator", "RegExp String Iterator"]);
  const define = (o, k, value) => Object.defineProperty(o, k, { value, writable: true, enumerable: true, configurable: true });
  const isPlainProto = (p) => getProto(p) === null && isNative(p.constructor) && p.constructor.name === "Object";
  const buffer = (b) => { const out = new ArrayBuffer(b.byteLength); new Uint8Array(out).set(new Uint8Array(b)); return out; };
  return function copy(root, verdict) {
    const seen = new Map();
    const fail = (what, path) => { throw { kkUncopyable: true, what, path }; };
    const walk = (v, path) => {
      if (v === null || typeof v !== "object") return v;
      if (seen.has(v)) return seen.get(v);
      const host = verdict(v);
      if (host === true) return v;
      if (host !== undefined) { seen.set(v, host.value); return host.value; }
      const tag = toStr.call(v).slice(8, -1);
      let out;
      if (Array.isArray(v)) {
        out = new Array(v.length);
        seen.set(v, out);
        for (let i = 0; i < v.length; i++) if (i in v) out[i] = walk(v[i], path + "[" + i + "]");
        return out;
      }
      if (tag === "Module") return v;
      if (NEVER.has(tag)) fail("a " + tag, path);
      if (tag === "Map") {
        out = new Map(); seen.set(v, out);
        for (const [k, x] of Map.prototype.entries.call(v)) out.set(walk(k, path), walk(x, path + ".get(" + String(k) + ")"));
        return out;
      }
      if (tag === "Set") {
        out = new Set(); seen.set(v, out);
        for (const x of Set.prototype.values.call(v)) out.add(walk(x, path));
        return out;
      }
      if (tag === "Date") out = new Date(Date.prototype.getTime.call(v));
      else if (tag === "RegExp") { out = new RegExp(v.source, v.flags); out.lastIndex = v.lastIndex; }
      else if (tag === "ArrayBuffer") out = buffer(v);
      else if (tag === "SharedArrayBuffer") return v;
      else if (tag === "DataView") out = new DataView(buffer(v.buffer), v.byteOffset, v.byteLength);
      else if (ArrayBuffer.isView(v) && TYPED[tag]) {
        out = new TYPED[tag](v);
        const proto = getProto(v);
        // A subclass (Buffer) keeps its methods; a plain typed array of any realm becomes this realm's.
        if (proto && !isNative(proto.constructor)) Object.setPrototypeOf(out, proto);
      } else if (tag === "Boolean" || tag === "Number" || tag === "String" || tag === "BigInt") out = Object(v.valueOf());
      else if (tag === "Error") {
        out = Object.create(getProto(v));
        for (const k of ["message", "stack", "cause"]) if (Object.prototype.hasOwnProperty.call(v, k)) define(out, k, walk(v[k], path + "." + k));
      } else {
        const proto = getProto(v);
        if (proto === null) out = Object.create(null);
        else if (isPlainProto(proto)) out = {};
        else {
          const C = proto.constructor;
          // Objects built by native code (handles, sockets' internals) have state no copy can carry.
          if (isNative(C) || typeof C !== "function") fail("an instance of " + ((C && C.name) || tag), path);
          out = Object.create(proto);
        }
      }
      seen.set(v, out);
      for (const k of Object.keys(v)) define(out, k, walk(v[k], path + "." + k));
      return out;
    };
    return walk(root, "");
  };
})()`;

type CopyFn = (value: unknown, verdict: (v: object) => HostVerdict) => unknown;
const copiers = new WeakMap<SharedJsScope, CopyFn>();

/** Prepares a round of copies (call once per cell before `copyInRealm`). */
export function beginCopies(): void {
  refreshModules();
}

/**
 * A deep copy of `value` made in `scope`'s realm. Functions, classes, modules and zero-copy
 * values are returned as they are. Throws an `Uncopyable` record when part of it cannot be copied.
 */
export function copyInRealm(scope: SharedJsScope, value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  let copy = copiers.get(scope);
  if (!copy) {
    copy = scope.evaluate(COPIER) as CopyFn;
    copiers.set(scope, copy);
  }
  try {
    return copy(value, hostVerdict);
  } catch (error) {
    const e = error as { kkUncopyable?: boolean; what?: string; path?: string; message?: string };
    if (e?.kkUncopyable) throw { what: e.what!, path: e.path! } satisfies Uncopyable;
    throw {
      what: `a value whose copy threw (${e?.message ?? String(error)})`,
      path: "",
    } satisfies Uncopyable;
  }
}
