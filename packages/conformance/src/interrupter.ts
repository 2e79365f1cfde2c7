// Delivers an interrupt to a running cell the way a kernel does, and keeps the kit alive
// when the plugin ignores it.
//
// A kernel interrupts with `executor.interrupt()` plus an aborted signal; when the main
// thread is blocked (a synchronous loop in an in-process executor) an I/O thread raises
// SIGINT, which core's `processInterrupts()` turns into the same call. The kit does the
// same: the interrupt is called as soon as the cell's "started" marker is seen, and a side
// thread raises SIGINT if the main thread's heartbeat stalls. The synchronous part of
// `execute` runs inside a guard of the kit's own (callGuarded), so a loop the executor does not
// guard is stopped there and blamed on the executor. If the cell is still running long after
// that with the main thread blocked (a loop outside that guard), the side thread stops the
// main thread's JavaScript through the inspector (`Runtime.terminateExecution`) as a last
// resort, so a plugin that ignores interrupts fails its case instead of hanging the test run.
import vm from "node:vm";
import { Worker } from "node:worker_threads";
import { processInterrupts } from "@kernelkit/core";

const STARTED = 0;
const SETTLED = 1;
const RESCUED = 2;
const HEARTBEAT = 3;
const SIGNALLED = 4;

const WATCHDOG_SOURCE = `
const { workerData } = require("node:worker_threads");
const state = new Int32Array(workerData.sab);
const { startMs, stallMs, graceMs, pid } = workerData;
function main() {
  const startBy = Date.now() + startMs;
  while (Atomics.load(state, ${STARTED}) === 0) {
    if (Atomics.load(state, ${SETTLED}) !== 0) return;
    const left = startBy - Date.now();
    if (left <= 0) return;
    Atomics.wait(state, ${STARTED}, 0, Math.min(left, 50));
  }
  let beat = Atomics.load(state, ${HEARTBEAT});
  let beatAt = Date.now();
  let signalledAt = 0;
  for (;;) {
    if (Atomics.load(state, ${SETTLED}) !== 0) return;
    Atomics.wait(state, ${SETTLED}, 0, 10);
    const now = Date.now();
    const b = Atomics.load(state, ${HEARTBEAT});
    if (b !== beat) { beat = b; beatAt = now; continue; }
    const stalled = now - beatAt;
    if (signalledAt === 0 && stalled >= stallMs) {
      signalledAt = now;
      Atomics.store(state, ${SIGNALLED}, 1);
      process.kill(pid, "SIGINT");
    } else if (signalledAt !== 0 && now - signalledAt >= graceMs && stalled >= graceMs) {
      Atomics.store(state, ${RESCUED}, 1);
      const inspector = require("node:inspector");
      const session = new inspector.Session();
      session.connectToMainThread();
      session.post("Runtime.terminateExecution", () => {});
      return;
    }
  }
}
main();
`;

export interface InterruptPlan {
  /** How long the cell may take to print its marker (default 15 s). */
  startMs?: number;
  /** How long the main thread may stall after the marker before SIGINT is raised (default 100 ms). */
  stallMs?: number;
  /** How long an interrupted cell may take to stop (default 5 s). */
  graceMs?: number;
}

export interface Interrupter {
  /** Call when the running cell printed its marker: the interrupt goes out now. */
  started(): void;
  /** Call when the execution settled: nothing more is sent. */
  settled(): void;
  /** True when the main thread had to be stopped from the side thread. */
  readonly rescued: boolean;
  /** True when a SIGINT was raised because the main thread was blocked. */
  readonly signalled: boolean;
  dispose(): void;
}

/** Arms the interrupt machinery around one execution; `interrupt` is what a kernel would call. */
export function armInterrupter(interrupt: () => void, plan: InterruptPlan = {}): Interrupter {
  const sab = new SharedArrayBuffer(4 * 8);
  const state = new Int32Array(sab);
  let done = false;
  let sent = false;
  const send = () => {
    if (done || sent) return;
    sent = true;
    interrupt();
  };
  // SIGINT reaches the process's interrupt source (never the default handler, which would kill it).
  const unsubscribe = processInterrupts().subscribe(() => send());
  const beat = setInterval(() => Atomics.add(state, HEARTBEAT, 1), 10);
  const watchdog = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: {
      sab,
      pid: process.pid,
      startMs: plan.startMs ?? 15_000,
      stallMs: plan.stallMs ?? 100,
      graceMs: plan.graceMs ?? 5_000,
    },
    stdout: false,
    stderr: false,
  });
  watchdog.unref();
  watchdog.on("error", () => {});
  return {
    started() {
      Atomics.store(state, STARTED, 1);
      Atomics.notify(state, STARTED);
      // A free main thread interrupts at once; a blocked one gets SIGINT from the watchdog.
      setTimeout(send, 0);
    },
    settled() {
      done = true;
      Atomics.store(state, SETTLED, 1);
      Atomics.notify(state, SETTLED);
    },
    get rescued() {
      return Atomics.load(state, RESCUED) === 1;
    },
    get signalled() {
      return Atomics.load(state, SIGNALLED) === 1;
    },
    dispose() {
      this.settled();
      clearInterval(beat);
      unsubscribe();
      void watchdog.terminate().catch(() => {});
    },
  };
}

const GUARD_SCRIPT = new vm.Script("__kk_call()", { filename: "kernelkit:conformance-guard" });
const guardContext = vm.createContext({ __kk_call: null as null | (() => unknown) });

/** What the kit's own guard caught: SIGINT reached code the executor did not guard. */
export class UnguardedInterrupt extends Error {
  constructor() {
    super("SIGINT stopped the executor's synchronous code from outside the executor");
    this.name = "UnguardedInterrupt";
  }
}

/**
 * Calls `fn` inside a `breakOnSigint` run. An executor that guards its user code runs a newer
 * (inner) guard, which gets the signal; one that does not leaves it to this outer guard, which
 * stops the loop cleanly (V8's termination is cancelled by vm) and throws UnguardedInterrupt.
 */
export function callGuarded<T>(fn: () => T): T {
  const interrupts = processInterrupts();
  (guardContext as { __kk_call: unknown }).__kk_call = fn;
  interrupts.enterGuarded();
  try {
    return GUARD_SCRIPT.runInContext(guardContext, { breakOnSigint: true }) as T;
  } catch (error) {
    if ((error as { code?: string })?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED")
      throw new UnguardedInterrupt();
    throw error;
  } finally {
    interrupts.leaveGuarded();
    (guardContext as { __kk_call: unknown }).__kk_call = null;
  }
}

/**
 * Starts `fn` from a fresh task with an empty microtask queue. If the side thread has to
 * terminate the main thread's JavaScript while `fn` blocks it, only this task is lost: the
 * caller's frames and the test runner's pending promises are elsewhere.
 */
export function startIsolated<T>(fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    setTimeout(() => {
      queueMicrotask(() => {
        try {
          fn().then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      });
    }, 0);
  });
}
