// Out-of-band interrupts: SIGINT, self-imposed deadlines, and requests read on other threads.
//
// Node stops a synchronous loop on SIGINT only inside a vm run with `breakOnSigint`: a
// process-wide "watchdog" hands the signal to the most recently started such run. Three
// worker threads make that usable for a kernel:
//
// - *anchors* (three) park in `Atomics.wait` inside a `breakOnSigint` run for the whole life of
//   the kernel. They keep the watchdog installed, so the main thread's own guarded runs cost
//   ~1 µs instead of starting a thread each time, and the one registered last receives
//   SIGINT whenever the main thread is not in a guarded run (a cell awaiting I/O) and tells
//   the main thread. If an anchor catches a signal while the main thread *is* in a guarded
//   run (the anchor registered after the main thread did), it raises the signal again, which
//   then reaches the main thread. There are several so that one always holds the watchdog while
//   another handles a signal: with none registered, Node's handler ends the process.
// - the *timer* waits for deadlines (`timeoutMs`, `run --timeout`) and raises SIGINT when
//   one passes; it never holds a watchdog, so it can never swallow the signal.
//
// The main thread must not listen to SIGINT itself: vm re-adds such listeners after every
// guarded run, which would take the signal away from the watchdog.
//
// The guard depth lives in shared memory, so another thread can tell a main thread stuck in user
// code from one that is free (`watchGuard`): the stdio transport reads requests on the main
// thread while no user code runs, and hands reading to its I/O thread only while a guarded run
// blocks the main thread; it takes reading back, synchronously, as that run ends.
import { Worker } from "node:worker_threads";

export interface InterruptEvent {
  reason: string;
  /** "timeout" when a deadline passed, "signal" for SIGINT (also an `interrupt` request read on another thread). */
  kind: "timeout" | "signal";
  /** Increases with every out-of-band interrupt; lets a late event skip a newer execution. */
  generation: number;
}

export interface InterruptSource {
  subscribe(listener: (event: InterruptEvent) => void): () => void;
  generation(): number;
  /** Interrupt the running execution if it is still running in `ms` milliseconds. */
  armDeadline?(ms: number, reason: string): void;
  disarmDeadline?(): void;
  /** Why the last interrupt happened (a deadline's message, or "signal"), then forgets it. */
  takeReason?(): string | null;
}

// Int32 slots of the shared buffer.
const STOP = 0; // < 0: workers exit
const GENERATION = 1;
const REASON = 2; // 0 none, 1 signal, 2 deadline
const GUARD = 3; // depth of guarded runs on the main thread
const GUARD_SEQ = 4; // bumped when the main thread leaves a guarded run
const TIMER_SEQ = 5; // bumped to make the timer re-read the deadline
const ANCHOR_WAKE = 6; // set to wake the anchor for stopping
const EXIT_REQUEST = 7; // set by another thread: call the guard watchers when the outermost guarded run ends
const SEQ_WAITERS = 8; // anchors waiting on GUARD_SEQ (leaveGuarded wakes them only then)
const SLOTS = 10;
const DEADLINE_OFFSET = 40; // Float64: epoch ms of the armed deadline, 0 = none
/** More than one, so a burst of signals cannot leave no watchdog registered (see above). */
const ANCHORS = 3;

const ANCHOR_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const vm = require("node:vm");
const st = new Int32Array(workerData.sab, 0, ${SLOTS});
const ctx = vm.createContext({ Atomics, st });
const park = new vm.Script("Atomics.wait(st, ${ANCHOR_WAKE}, 0)");
for (;;) {
  if (Atomics.load(st, ${STOP}) < 0) break;
  try {
    park.runInContext(ctx, { breakOnSigint: true });
  } catch {
    if (Atomics.load(st, ${GUARD}) > 0) {
      // Meant for the main thread's guarded run: pass it on, and register again only
      // once that run is over, so the main thread stays the most recent.
      process.kill(process.pid, "SIGINT");
      Atomics.add(st, ${SEQ_WAITERS}, 1);
      Atomics.wait(st, ${GUARD_SEQ}, Atomics.load(st, ${GUARD_SEQ}), 50);
      Atomics.sub(st, ${SEQ_WAITERS}, 1);
      continue;
    }
    const generation = Atomics.add(st, ${GENERATION}, 1) + 1;
    Atomics.compareExchange(st, ${REASON}, 0, 1);
    parentPort.postMessage({ generation });
  }
}
`;

const TIMER_SOURCE = `
const { workerData } = require("node:worker_threads");
const st = new Int32Array(workerData.sab, 0, ${SLOTS});
const deadline = new Float64Array(workerData.sab, ${DEADLINE_OFFSET}, 1);
for (;;) {
  if (Atomics.load(st, ${STOP}) < 0) break;
  const seq = Atomics.load(st, ${TIMER_SEQ});
  const dl = deadline[0];
  const r = Atomics.wait(st, ${TIMER_SEQ}, seq, dl > 0 ? Math.max(0, dl - Date.now()) : Infinity);
  if (r === "timed-out") {
    const due = deadline[0];
    if (due > 0 && Date.now() >= due) {
      deadline[0] = 0;
      Atomics.store(st, ${REASON}, 2);
      process.kill(process.pid, "SIGINT");
    }
  }
}
`;

/** Process-wide interrupt source (SIGINT is process-wide); shared by every kernel in the process. */
class ProcessInterrupts implements InterruptSource {
  private readonly sab = new SharedArrayBuffer(DEADLINE_OFFSET + 8);
  private readonly st = new Int32Array(this.sab, 0, SLOTS);
  private readonly guardWatchers = new Set<() => void>();
  private readonly deadline = new Float64Array(this.sab, DEADLINE_OFFSET, 1);
  private readonly listeners = new Set<(e: InterruptEvent) => void>();
  private anchors: Worker[] = [];
  private timer: Worker | null = null;
  private deadlineReason = "";
  private fallbackListening = false;
  /** Used only if the anchor cannot start: SIGINT must still never kill the kernel. */
  private readonly onSignal = () => {
    const generation = Atomics.add(this.st, GENERATION, 1) + 1;
    Atomics.compareExchange(this.st, REASON, 0, 1);
    this.emit(generation);
  };

  subscribe(listener: (e: InterruptEvent) => void): () => void {
    if (this.listeners.size === 0) this.start();
    this.listeners.add(listener);
    return () => {
      if (!this.listeners.delete(listener)) return;
      if (this.listeners.size === 0) this.stop();
    };
  }

  generation(): number {
    return Atomics.load(this.st, GENERATION);
  }

  /** The main thread is about to run user code under `breakOnSigint` (nestable). */
  enterGuarded(): void {
    Atomics.add(this.st, GUARD, 1);
  }

  leaveGuarded(): void {
    const depth = Atomics.sub(this.st, GUARD, 1);
    Atomics.add(this.st, GUARD_SEQ, 1);
    // An anchor that passed a signal on waits for the run to end (see ANCHOR_SOURCE).
    if (Atomics.load(this.st, SEQ_WAITERS) !== 0) Atomics.notify(this.st, GUARD_SEQ);
    // The depth was 1: the outermost run ended. Another thread asked to hear of it: tell the watchers.
    if (depth === 1 && Atomics.load(this.st, EXIT_REQUEST) !== 0) this.guardExited();
  }

  /**
   * Lets another thread see whether the main thread is inside a guarded run (user code), and
   * have `onExit` called on the main thread, synchronously, as the outermost guarded run ends
   * — after that thread stored a non-zero value in the `exitRequest` slot (once per request).
   */
  watchGuard(onExit: () => void): GuardWatch {
    this.guardWatchers.add(onExit);
    return {
      sab: this.sab,
      depth: GUARD,
      seq: GUARD_SEQ,
      exitRequest: EXIT_REQUEST,
      dispose: () => {
        this.guardWatchers.delete(onExit);
      },
    };
  }

  private guardExited(): void {
    Atomics.store(this.st, EXIT_REQUEST, 0);
    for (const watcher of this.guardWatchers) {
      try {
        watcher();
      } catch {
        // a watcher's failure must not become the cell's
      }
    }
  }

  armDeadline(ms: number, reason: string): void {
    this.deadlineReason = reason;
    Atomics.store(this.st, REASON, 0);
    this.deadline[0] = Date.now() + ms;
    this.startTimer();
    Atomics.add(this.st, TIMER_SEQ, 1);
    Atomics.notify(this.st, TIMER_SEQ);
  }

  disarmDeadline(): void {
    if (this.deadline[0] === 0) return;
    this.deadline[0] = 0;
    Atomics.add(this.st, TIMER_SEQ, 1);
    Atomics.notify(this.st, TIMER_SEQ);
  }

  takeReason(): string | null {
    const r = Atomics.exchange(this.st, REASON, 0);
    if (r === 2) return this.deadlineReason;
    return r === 1 ? "signal" : null;
  }

  private emit(generation: number): void {
    const timeout = Atomics.load(this.st, REASON) === 2;
    const reason = timeout ? this.deadlineReason : "interrupted by SIGINT";
    for (const l of [...this.listeners]) l({ reason, generation, kind: timeout ? "timeout" : "signal" });
  }

  private start(): void {
    Atomics.store(this.st, STOP, 0);
    Atomics.store(this.st, ANCHOR_WAKE, 0);
    // While one anchor handles a signal (and is not registered), the others still hold the
    // watchdog, so a following SIGINT does not find Node's default handler.
    for (let i = 0; i < ANCHORS; i++) {
      const anchor = new Worker(ANCHOR_SOURCE, {
        eval: true,
        workerData: { sab: this.sab },
        stdout: false,
        stderr: false,
      });
      anchor.unref();
      anchor.on("message", (m: { generation?: number }) => {
        if (m.generation !== undefined) this.emit(m.generation);
      });
      anchor.on("error", () => this.fallback());
      this.anchors.push(anchor);
    }
  }

  private startTimer(): void {
    if (this.timer || this.listeners.size === 0) return;
    const timer = new Worker(TIMER_SOURCE, {
      eval: true,
      workerData: { sab: this.sab },
      stdout: false,
      stderr: false,
    });
    timer.unref();
    timer.on("error", () => {
      this.timer = null;
    });
    this.timer = timer;
  }

  private fallback(): void {
    if (this.fallbackListening) return;
    this.fallbackListening = true;
    process.on("SIGINT", this.onSignal);
  }

  private stop(): void {
    if (this.fallbackListening) process.off("SIGINT", this.onSignal);
    this.fallbackListening = false;
    Atomics.store(this.st, STOP, -1);
    Atomics.store(this.st, ANCHOR_WAKE, 1);
    Atomics.notify(this.st, ANCHOR_WAKE);
    Atomics.add(this.st, TIMER_SEQ, 1);
    Atomics.notify(this.st, TIMER_SEQ);
    for (const w of [...this.anchors, this.timer]) if (w) void w.terminate().catch(() => {});
    this.anchors = [];
    this.timer = null;
  }
}

/** Where another thread finds the main thread's guard state (Int32 slots of `sab`); see watchGuard. */
export interface GuardWatch {
  readonly sab: SharedArrayBuffer;
  /** Slot: depth of guarded runs on the main thread (> 0: user code is running). */
  readonly depth: number;
  /** Slot: bumped every time the main thread leaves a guarded run. */
  readonly seq: number;
  /** Slot: store 1 to have the watcher called when the outermost guarded run ends. */
  readonly exitRequest: number;
  dispose(): void;
}

export interface ProcessInterruptSource extends InterruptSource {
  /** The main thread is about to run user code under `breakOnSigint` (nestable). */
  enterGuarded(): void;
  leaveGuarded(): void;
  watchGuard(onExit: () => void): GuardWatch;
}

let shared: ProcessInterrupts | null = null;

/** The process's interrupt source (anchor and timer threads), created on first use. */
export function processInterrupts(): ProcessInterruptSource {
  shared ??= new ProcessInterrupts();
  return shared;
}
