// The worker thread of kernelkit-executor-worker: runs cells in a vm context of its own, under
// the worker's resourceLimits. Plain JavaScript because Node 20 cannot run TypeScript in a
// worker; built to dist/worker.js beside the executor (and loaded from src/ in tests).
//
// Main → worker: {t:"exec", seq, source, file, defs} · {t:"set", name, value} ·
//                {t:"delete", name} · {t:"restore", values} · {t:"interrupt", seq}
// Worker → main: {t:"ready"} · {t:"out", stream, text} · {t:"display", bundle} ·
//                {t:"done", seq, status:"ok"|"error"|"interrupted", bundle, defs, lost, error}
import { Console } from "node:console";
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";
import vm from "node:vm";
import { parentPort, workerData } from "node:worker_threads";

const port = parentPort;
const DISPLAY = Symbol.for("kernelkit.display");
const anchor = workerData.notebookPath ?? join(workerData.cwd, "__kernelkit__.js");

const post = (message) => port.postMessage(message);

/** text/plain (util.inspect, like core) plus what the value offers under Symbol.for("kernelkit.display"). */
function format(value) {
  const bundle = {};
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    const own = value[DISPLAY];
    if (typeof own === "function") {
      try {
        const offered = own.call(value);
        if (offered && typeof offered === "object") Object.assign(bundle, offered);
      } catch (error) {
        bundle["text/plain"] = `<display method failed: ${error?.message ?? error}>`;
      }
    }
  }
  if (typeof bundle["text/plain"] !== "string") {
    try {
      bundle["text/plain"] =
        typeof value === "string"
          ? inspect(value)
          : inspect(value, { depth: 4, colors: false, breakLength: 100 });
    } catch (error) {
      bundle["text/plain"] = `<uninspectable value: ${error?.message ?? error}>`;
    }
  }
  // Only clonable data crosses the thread boundary.
  for (const key of Object.keys(bundle)) {
    try {
      structuredClone(bundle[key]);
    } catch {
      delete bundle[key];
    }
  }
  return bundle;
}

function stream(name) {
  const s = new EventEmitter();
  s.write = (chunk) => {
    post({
      t: "out",
      stream: name,
      text: typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"),
    });
    return true;
  };
  return s;
}

// What user code (and libraries it imports) writes to the worker's process streams goes to the cell too.
for (const name of ["stdout", "stderr"]) {
  const target = process[name];
  target.write = (chunk, encoding, cb) => {
    post({
      t: "out",
      stream: name,
      text: typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"),
    });
    const callback = typeof encoding === "function" ? encoding : cb;
    if (typeof callback === "function") queueMicrotask(callback);
    return true;
  };
}

const sandbox = {};
const context = vm.createContext(sandbox, { name: "kernelkit-worker" });
const hidden = (name, value) =>
  Object.defineProperty(sandbox, name, { value, writable: true, configurable: true, enumerable: false });
for (const name of [
  "process",
  "Buffer",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "queueMicrotask",
  "structuredClone",
  "URL",
  "URLSearchParams",
  "TextEncoder",
  "TextDecoder",
  "AbortController",
  "AbortSignal",
  "fetch",
  "performance",
  "crypto",
  "atob",
  "btoa",
]) {
  if (name in globalThis) hidden(name, globalThis[name]);
}
hidden("global", vm.runInContext("globalThis", context));
hidden("console", new Console({ stdout: stream("stdout"), stderr: stream("stderr"), colorMode: false }));
hidden("display", (value) => post({ t: "display", bundle: format(value) }));
hidden("require", createRequire(anchor));
hidden("__filename", anchor);
hidden("__dirname", dirname(anchor));
hidden("__kk_meta", { url: pathToFileURL(anchor).href, filename: anchor, dirname: dirname(anchor) });

const defined = new Set();
function setName(name, value) {
  Object.defineProperty(sandbox, name, { value, writable: true, configurable: true, enumerable: true });
  defined.add(name);
}

/** The running execution: rejecting it answers an interrupt while the cell awaits. */
let current = null;

function describe(error) {
  if (error !== null && typeof error === "object") {
    return {
      name: typeof error.name === "string" && error.name ? error.name : (error.constructor?.name ?? "Error"),
      message: typeof error.message === "string" ? error.message : String(error),
      stack: typeof error.stack === "string" ? error.stack : "",
    };
  }
  return { name: "Error", message: `Uncaught ${String(error)}`, stack: "" };
}

async function exec(m) {
  const slot = { value: undefined, defs: undefined, error: undefined, done: 0 };
  sandbox.__kk_slot = slot;
  let interrupted = false;
  try {
    const script = new vm.Script(m.source, {
      filename: m.file,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const completion = script.runInContext(context);
    sandbox.__kk_slot = undefined;
    if (slot.done === 0) {
      await new Promise((resolve) => {
        current = {
          seq: m.seq,
          stop: () => {
            interrupted = true;
            resolve();
          },
        };
        completion.then(resolve, (error) => {
          slot.error = error;
          slot.done = 2;
          resolve();
        });
      });
    }
  } catch (error) {
    slot.error = error;
    slot.done = 2;
  } finally {
    current = null;
    sandbox.__kk_slot = undefined;
  }
  if (interrupted) return post({ t: "done", seq: m.seq, status: "interrupted" });
  if (slot.done !== 1) return post({ t: "done", seq: m.seq, status: "error", error: describe(slot.error) });
  // Defs go back to the main thread as copies, so the worker can be restored after a restart.
  const defs = {};
  const lost = [];
  for (const name of m.defs) {
    const value = slot.defs?.[name];
    setName(name, value);
    try {
      defs[name] = structuredClone(value);
    } catch {
      lost.push(name);
    }
  }
  post({
    t: "done",
    seq: m.seq,
    status: "ok",
    bundle: slot.value === undefined ? null : format(slot.value),
    defs,
    lost,
  });
}

const work = [];
let busy = false;
async function pump() {
  if (busy) return;
  busy = true;
  while (work.length > 0) await exec(work.shift());
  busy = false;
}

port.on("message", (m) => {
  switch (m.t) {
    case "exec":
      work.push(m);
      void pump();
      break;
    case "interrupt":
      if (current && current.seq === m.seq) current.stop();
      break;
    case "set":
      setName(m.name, m.value);
      break;
    case "delete":
      if (defined.delete(m.name)) delete sandbox[m.name];
      break;
    case "restore":
      for (const [name, value] of Object.entries(m.values)) setName(name, value);
      break;
  }
});

// A rejection nobody handles (a floating promise in a cell) is reported, not fatal to the worker.
process.on("unhandledRejection", (reason) => {
  const d = describe(reason);
  post({ t: "out", stream: "stderr", text: `Unhandled promise rejection: ${d.name}: ${d.message}\n` });
});
process.on("uncaughtException", (error) => {
  const d = describe(error);
  post({ t: "out", stream: "stderr", text: `Uncaught exception: ${d.name}: ${d.message}\n` });
});

post({ t: "ready" });
