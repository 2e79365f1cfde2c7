// Process-wide capture of what user code writes: `process.stdout/stderr.write` (also from
// imported libraries) and `process.exit()`. One patch per process, shared by every
// executor in it; the executor that ran code last says which cell a write belongs to (its
// async context), and text that belongs to no cell goes to the kernel's own stderr.
import { StringDecoder } from "node:string_decoder";
import { ProcessExitError } from "@kernelkit/core";

export type Stream = "stdout" | "stderr";

/** Where captured text goes; executors register one and mark it active while they run code. */
export interface OutputOwner {
  write(stream: Stream, text: string): boolean;
}

const owners: OutputOwner[] = [];
let active: OutputOwner | null = null;
let latest: OutputOwner | null = null;
let installed = 0;
let original: {
  stdoutWrite: typeof process.stdout.write;
  stderrWrite: typeof process.stderr.write;
  exit: typeof process.exit;
} | null = null;

/** The real `process.stdout.write`/`stderr.write`, for the kernel's own output. */
export function originalWrite(stream: Stream): (text: string | Uint8Array) => void {
  const s = stream === "stdout" ? process.stdout : process.stderr;
  const fn = original ? (stream === "stdout" ? original.stdoutWrite : original.stderrWrite) : s.write;
  return (text) => {
    fn.call(s, text);
  };
}

function patchStream(stream: Stream): void {
  const target = stream === "stdout" ? process.stdout : process.stderr;
  const decoder = new StringDecoder("utf8");
  target.write = function write(this: unknown, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const callback = typeof encoding === "function" ? encoding : typeof cb === "function" ? cb : null;
    const text =
      typeof chunk === "string"
        ? chunk
        : chunk instanceof Uint8Array
          ? decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          : String(chunk);
    const owner = active ?? latest;
    if (owner?.write(stream, text)) {
      if (callback) queueMicrotask(() => (callback as () => void)());
      return true;
    }
    // No cell's text (a plugin's hook tap, a plugin's own timer): the kernel's own stderr, since
    // fd 1 may carry frames or `run --json`.
    return (original!.stderrWrite as (...a: unknown[]) => boolean).call(process.stderr, chunk, encoding, cb);
  } as typeof target.write;
}

export function registerOwner(owner: OutputOwner): void {
  owners.push(owner);
  if (installed++ === 0) {
    original = { stdoutWrite: process.stdout.write, stderrWrite: process.stderr.write, exit: process.exit };
    patchStream("stdout");
    patchStream("stderr");
    // process.exit() in a cell (or a library it calls) throws there instead of ending the kernel.
    process.exit = ((code?: number | string | null) => {
      const n = typeof code === "number" ? code : Number(code ?? process.exitCode ?? 0) || 0;
      throw new ProcessExitError(n);
    }) as typeof process.exit;
  }
}

export function unregisterOwner(owner: OutputOwner): void {
  const i = owners.indexOf(owner);
  if (i < 0) return;
  owners.splice(i, 1);
  if (active === owner) active = null;
  if (latest === owner) latest = owners[owners.length - 1] ?? null;
  if (--installed === 0 && original) {
    process.stdout.write = original.stdoutWrite;
    process.stderr.write = original.stderrWrite;
    process.exit = original.exit;
    original = null;
  }
}

/** Marks `owner` as the one running code now; returns a function restoring the previous one. */
export function activate(owner: OutputOwner): () => void {
  const prev = active;
  active = owner;
  latest = owner;
  return () => {
    active = prev;
  };
}

/** The real process.exit, for the kernel's own use while the patch is installed. */
export function realExit(code?: number): never {
  return (original?.exit ?? process.exit).call(process, code) as never;
}
