// The I/O thread (a separate build entry, loaded from dist/): reads the request channel,
// frames and parses it, and forwards every message to the main thread. It runs while the
// main thread is stuck in a synchronous cell, so an `interrupt` request is acted on at once:
// when the main thread does not take the request within a few ms, the thread raises SIGINT on
// the process (the kernel's interrupt machinery turns that into an interrupt of the running
// cell) and keeps raising it until the main thread has taken the request, which also covers
// an interrupt read before the cell it targets started. It also
// writes frames the main thread has batched for too long (see outbox.ts).
import { createReadStream, fstatSync } from "node:fs";
import { Socket } from "node:net";
import type { Readable } from "node:stream";
import { isatty, ReadStream } from "node:tty";
import { parentPort, workerData } from "node:worker_threads";
import { NdjsonDecoder } from "./framing.ts";
import { Outbox } from "./outbox.ts";
import {
  END_SEEN,
  type IoEvent,
  type IoWorkerData,
  isInterruptRequest,
  SEEN,
  SENT,
} from "./worker-protocol.ts";

const data = workerData as IoWorkerData;
const port = parentPort!;
const interrupts = new Int32Array(data.interrupts);
// The main thread takes an interrupt request itself when it is free (a cell awaiting I/O). Only
// when it has not taken it within STUCK_MS is it stuck in a synchronous cell, and then SIGINT
// stops that cell. Signalling only a thread that has been inside a guarded run for a while
// keeps clear of the instants around its entry and exit, where a SIGINT can find no watchdog
// installed and end the process (see core/src/interrupt.ts).
const STUCK_MS = 10;
// Apart by more than the anchor's 50 ms without a watchdog after it passes a signal on.
const RESIGNAL_MS = 120;
const RESIGNAL_MAX = 250; // 30 s: a loaded machine can take long to start the target cell

const post = (event: IoEvent) => port.postMessage(event);

let checkTimer: ReturnType<typeof setTimeout> | undefined;
let signals = 0;

function interruptRead(): void {
  Atomics.add(interrupts, SENT, 1);
  signals = 0;
  // A new interrupt gets the short wait, also while an earlier one is between re-signals.
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, STUCK_MS);
}

/** Until the main thread has received every interrupt we read, the cell it is stuck in is the target. */
function check(): void {
  if (Atomics.load(interrupts, SEEN) >= Atomics.load(interrupts, SENT) || ++signals > RESIGNAL_MAX) return;
  try {
    process.kill(process.pid, "SIGINT");
  } catch {
    return;
  }
  checkTimer = setTimeout(check, RESIGNAL_MS);
}

const decoder = new NdjsonDecoder({
  maxFrameBytes: data.maxFrameBytes,
  onMessage(value) {
    if (data.signalInterrupts && isInterruptRequest(value)) interruptRead();
    post({ k: "m", v: value });
  },
  onError(code, message) {
    post({ k: "e", code, message });
  },
});

function open(fd: number): Readable {
  const st = fstatSync(fd);
  if (st.isFIFO() || st.isSocket()) {
    // allowHalfOpen: end of input must not shut down or close the fd, which the main thread
    // still writes frames to (the client's socket pair carries both directions).
    return new Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
  }
  if (isatty(fd)) return new ReadStream(fd);
  return createReadStream("", { fd, autoClose: false, highWaterMark: 256 * 1024 });
}

// While a cell blocks the main thread, frames it already made (`started`, a display) still go out.
const outbox = new Outbox(data.outbox, data.outFd, 2);
const staleTimer = setInterval(
  () => {
    try {
      outbox.flushIfStale(data.staleMs);
    } catch {
      clearInterval(staleTimer);
      end("the frame channel is closed");
    }
  },
  Math.max(1, Math.floor(data.staleMs / 2)),
);
staleTimer.unref();

let ended = false;
function end(reason: string | null): void {
  if (ended) return;
  ended = true;
  decoder.end();
  post({ k: "end", reason });
  if (data.signalInterrupts) setTimeout(unstick, END_STUCK_MS);
  // Last resort, for a main thread stuck where SIGINT cannot reach (native code): the main
  // thread stops a drain after 30 s and closes the transport (ending this thread); a process
  // still here later is stuck. Only when the launcher asks for it (serve does).
  if (data.killAfterEndMs !== null)
    setTimeout(() => process.kill(process.pid, "SIGKILL"), data.killAfterEndMs);
}

// A main thread that has not even received end of input is stuck in a cell (a host that died
// while a cell spins must not leave the kernel spinning): interrupt the cell, so the main
// thread gets back to the end of input and stops.
const END_STUCK_MS = 1000;
let unstickTries = 0;
function unstick(): void {
  if (Atomics.load(interrupts, END_SEEN) === 1 || ++unstickTries > 10) return;
  try {
    process.kill(process.pid, "SIGINT");
  } catch {
    return;
  }
  setTimeout(unstick, END_STUCK_MS);
}

try {
  const input = open(data.fd);
  input.on("data", (chunk: Buffer) => decoder.push(chunk));
  input.on("end", () => end(null));
  input.on("error", (error: NodeJS.ErrnoException) => end(error.code ?? error.message));
} catch (error) {
  end((error as NodeJS.ErrnoException).code ?? String(error));
}
