// The I/O thread (a separate build entry, loaded from dist/). It exists so that a cell blocking
// the main thread cannot keep the kernel from hearing an `interrupt` request or the end of input,
// and cannot hold back frames already made.
//
// Who reads the request channel (worker-protocol.ts, ReadMode):
// - "main" (pipes and sockets): the main thread reads, from its own event loop, with no hop
//   between threads. This thread watches the main thread's guard state (core's watchGuard):
//   once the main thread has been inside the same guarded run (a cell) for a tick, it takes
//   reading over — non-blocking reads, polled — and posts the raw bytes to the main thread; as
//   that run ends, the main thread takes reading back synchronously, with the bytes read so far,
//   before its event loop can read again, so nothing is lost or reordered. A lock in shared
//   memory (READER) makes sure only one thread reads at a time.
// - "thread" (terminals, files): this thread reads everything, parses it and posts each message.
//
// Either way, interrupt requests are forwarded through core's helper and its InterruptRelay
// (docs/transports.md): one the main thread has not taken within a few milliseconds means it is
// stuck in a synchronous cell, and SIGINT is raised on the process until the main thread has
// taken the request, which also covers an interrupt read before the cell it targets started. This thread also writes
// frames the main thread has batched for too long (outbox.ts).
import { createReadStream, fstatSync, readSync } from "node:fs";
import { Socket } from "node:net";
import type { Readable } from "node:stream";
import { isatty, ReadStream } from "node:tty";
import { ioThread, isInterruptRequest } from "@kernelkit/core/io-thread";
import { NdjsonDecoder } from "./framing.ts";
import { Outbox } from "./outbox.ts";
import {
  type BytesEnd,
  END_SEEN,
  type FramingErrorEvent,
  type IoWorkerData,
  PARTIAL_LEN,
  READER,
  RECLAIMS,
  SLOTS,
} from "./worker-protocol.ts";

const io = ioThread<IoWorkerData>();
const data = io.data;
const ctl = new Int32Array(data.control, 0, SLOTS);
// The main thread takes an interrupt request itself when it is free (a cell awaiting I/O); only
// one it has not taken for a few milliseconds gets SIGINT sent on its behalf (InterruptRelay).
const relay = io.relay;
const signalInterrupts = io.forwardsInterrupts;
/** "main" mode: how often this thread looks at the guard state (and at stale frames). */
const TICK_MS = Math.max(1, Math.floor(data.staleMs / 2));
/** "main" mode: how often this thread reads while it has reading. */
const POLL_MS = 2;

/** An interrupt request was read (by either thread): signal while the main thread has not taken it. */
function interruptPending(): void {
  relay.forward(() => !owed());
}

// "main" mode: interrupt requests this thread read, and which reclaim would hand them over.
let ownInterrupts = false;
let ownGeneration = -1;

/** Whether an interrupt request that was read has not reached the main thread yet. */
function owed(): boolean {
  if (relay.outstanding()) return true;
  return ownInterrupts && Atomics.load(ctl, RECLAIMS) === ownGeneration;
}

// While a cell blocks the main thread, frames it already made (`started`, a display) still go out.
const outbox = new Outbox(data.outbox, data.outFd, 2);
function flushStale(): boolean {
  try {
    outbox.flushIfStale(data.staleMs);
    return true;
  } catch {
    end("the frame channel is closed", false);
    return false;
  }
}

let ended = false;
/**
 * End of input (reason null) or a broken channel: the main thread is told, and must act on it.
 * In "main" mode what this thread read goes on the bytes port, in order, end of input included.
 */
function end(reason: string | null, read = true): void {
  if (ended) return;
  ended = true;
  if (data.mode === "main" && read) {
    detector?.end();
    data.bytes!.postMessage({ end: reason } satisfies BytesEnd);
  } else {
    decoder.end();
    io.end(0, reason);
  }
  if (signalInterrupts) {
    relay.signalUntil(() => Atomics.load(ctl, END_SEEN) === 1, {
      afterMs: END_STUCK_MS,
      everyMs: END_STUCK_MS,
      maxSignals: 10,
    });
  }
  armKill();
}

// Last resort, for a main thread stuck where SIGINT cannot reach (native code): the main
// thread stops a drain after 30 s and closes the transport (ending this thread); a process
// still here later is stuck. Only when the launcher asks for it (serve does).
let killArmed = false;
function armKill(): void {
  if (killArmed || data.killAfterEndMs === null) return;
  killArmed = true;
  setTimeout(() => process.kill(process.pid, "SIGKILL"), data.killAfterEndMs);
}

// A main thread that has not even received end of input is stuck in a cell (a host that died
// while a cell spins must not leave the kernel spinning): interrupt the cell, so the main
// thread gets back to the end of input and stops.
const END_STUCK_MS = 1000;

// ---- "thread" mode: this thread reads everything ----

const decoder = new NdjsonDecoder({
  maxFrameBytes: data.maxFrameBytes,
  onMessage(request) {
    io.request(request);
  },
  onError(code, message) {
    io.event({ code, message } satisfies FramingErrorEvent);
  },
});

function open(fd: number): Readable {
  // bigint: a plain fstat of a pipe misdirects later require()s (docs/reliability.md, module-trap).
  const stats = fstatSync(fd, { bigint: true });
  if (stats.isFIFO() || stats.isSocket()) {
    // allowHalfOpen: end of input must not shut down or close the fd, which the main thread
    // still writes frames to (the client's socket pair carries both directions).
    return new Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
  }
  if (isatty(fd)) return new ReadStream(fd);
  return createReadStream("", { fd, autoClose: false, highWaterMark: 256 * 1024 });
}

function readAlways(): void {
  const staleTimer = setInterval(() => {
    if (!flushStale()) clearInterval(staleTimer);
  }, TICK_MS);
  staleTimer.unref();
  try {
    const input = open(data.fd);
    input.on("data", (chunk: Buffer) => decoder.push(chunk));
    input.on("end", () => end(null));
    input.on("error", (error: NodeJS.ErrnoException) => end(error.code ?? error.message));
  } catch (error) {
    end((error as NodeJS.ErrnoException).code ?? String(error));
  }
}

// ---- "main" mode: this thread reads only while a cell blocks the main thread ----

const guard = data.guard ? new Int32Array(data.guard.sab) : null;
const partial = new Uint8Array(data.partial);
/** Decodes what this thread reads, only to notice interrupt requests (the main thread decodes for real). */
let detector: NdjsonDecoder | null = null;
/** Skip up to the first newline: the main thread's unfinished line was not known. */
let skipToNewline = false;
let owning = false;
let lastSeq = -1;
let lastDepth = 0;
let lastMainIssued = 0;
const readBuffer = Buffer.allocUnsafe(256 * 1024);

function tick(): void {
  if (!flushStale()) return;
  // Interrupt requests the main thread decoded but has not acted on (a request before them in
  // the same chunk started a cell that blocks it).
  const mainIssued = relay.issued();
  if (mainIssued !== lastMainIssued) {
    lastMainIssued = mainIssued;
    if (signalInterrupts) interruptPending();
  }
  // The main thread read end of input itself.
  if (!killArmed && Atomics.load(ctl, END_SEEN) === 1) armKill();
  if (!owning && !ended) maybeTakeOver();
}

/** Takes reading over from a main thread that has been inside the same guarded run since the last tick. */
function maybeTakeOver(): void {
  if (!guard || !data.guard) return;
  const g = data.guard;
  const depth = Atomics.load(guard, g.depth);
  const seq = Atomics.load(guard, g.seq);
  const stuck = depth > 0 && lastDepth > 0 && seq === lastSeq;
  lastDepth = depth;
  lastSeq = seq;
  if (!stuck) return;
  if (Atomics.compareExchange(ctl, READER, 0, 1) !== 0) return;
  // Ask to be told when the run ends, then make sure it has not ended already: the main thread
  // bumps the sequence before it looks at the request, so one of us sees the other.
  Atomics.store(guard, g.exitRequest, 1);
  if (Atomics.load(guard, g.depth) === 0 || Atomics.load(guard, g.seq) !== seq) {
    Atomics.compareExchange(ctl, READER, 1, 0);
    return;
  }
  owning = true;
  ownInterrupts = false;
  ownGeneration = Atomics.load(ctl, RECLAIMS);
  primeDetector();
  poll();
}

function primeDetector(): void {
  detector = new NdjsonDecoder({
    maxFrameBytes: data.maxFrameBytes,
    onMessage(value) {
      if (!isInterruptRequest(value)) return;
      ownInterrupts = true;
      if (signalInterrupts) interruptPending();
    },
    onError() {},
  });
  const len = Atomics.load(ctl, PARTIAL_LEN);
  skipToNewline = len < 0;
  if (len > 0) detector.push(Buffer.from(partial.subarray(0, len)));
}

function detect(bytes: Buffer): void {
  let b = bytes;
  if (skipToNewline) {
    const nl = b.indexOf(0x0a);
    if (nl === -1) return;
    skipToNewline = false;
    b = b.subarray(nl + 1);
  }
  detector!.push(b);
}

/** Reads what is there (never blocking: the main thread's event loop made the fd non-blocking). */
function poll(): void {
  if (!owning) return;
  if (Atomics.compareExchange(ctl, READER, 1, 2) !== 1) {
    // The main thread took reading back.
    owning = false;
    detector = null;
    return;
  }
  let endReason: string | null | undefined;
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(data.fd, readBuffer, 0, readBuffer.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EAGAIN" || code === "EWOULDBLOCK") break;
        if (code === "EINTR") continue;
        endReason = code ?? String(error);
        break;
      }
      if (n === 0) {
        endReason = null;
        break;
      }
      // A copy: the detector may keep part of it (an unfinished line) while readBuffer is reused.
      const bytes = Buffer.from(readBuffer.subarray(0, n));
      detect(bytes);
      // Posted before READER is released: the main thread drains the port after taking reading back.
      data.bytes!.postMessage(bytes);
    }
    if (endReason !== undefined) end(endReason);
  } finally {
    Atomics.store(ctl, READER, 1);
    Atomics.notify(ctl, READER);
  }
  // Keeps reading (the lock, not a timer, says when to stop) until the main thread takes over.
  if (endReason === undefined) setTimeout(poll, POLL_MS);
}

if (data.mode === "thread") readAlways();
else setInterval(tick, TICK_MS);
