// How a transport gets an `interrupt` request to a kernel whose main thread may be stuck in a
// synchronous cell (docs/transports.md). The transport reads requests on a thread of its own (an
// I/O thread), so reading goes on while a cell blocks the main thread; this relay is what that
// thread and the main thread share about interrupt requests. Importable in a worker without the
// rest of core: `@kernelkit/core/io-thread`. It imports nothing.
//
// The rule: the I/O thread posts an `interrupt` request to the main thread like any other
// request. A main thread that is free takes it at once (`take`), and the kernel interrupts the
// running cell itself. A main thread that has not taken it within FORWARD_AFTER_MS is stuck in
// user code: the I/O thread raises SIGINT on the process — core's interrupt machinery
// (`processInterrupts()`) turns that into an interrupt of the running cell — and raises it again
// every RESIGNAL_MS until the main thread has taken the request, since a signal that lands just
// before the target cell enters its guarded run is lost. A main thread that is free gets no
// signal at all. Worker threads never receive signals, and the kernel process must not listen to
// SIGINT itself, so this is the only way in.

/** How long the main thread may take to pick up an interrupt request before it counts as stuck. */
export const FORWARD_AFTER_MS = 10;
/**
 * Apart by more than the 50 ms core's anchor threads spend without a SIGINT watchdog after
 * passing a signal on (runtime/interrupt.ts): a signal in that gap would end the process.
 */
export const RESIGNAL_MS = 120;
/** 30 s: a loaded machine can take long to start the target cell. */
export const RESIGNAL_MAX = 250;

/** When a signalling loop signals, and when it gives up. */
export interface SignalOptions {
  /** The first signal, unless done by then (default FORWARD_AFTER_MS). */
  afterMs?: number;
  /** Then again this often while not done (default RESIGNAL_MS)… */
  everyMs?: number;
  /** …at most this many times (default RESIGNAL_MAX). */
  maxSignals?: number;
  /**
   * A counter that moves whenever the main thread is not stuck (say, the messages it posted to
   * the I/O thread). Once it moves after a signal, the loop stops: the main thread is out of the
   * loop, and another signal could land between two guarded runs.
   */
  progress?: () => number;
}

/** Whether `value` is an `interrupt` request (PROTOCOL: `{"type": "interrupt", "id": …}`). */
export function isInterruptRequest(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { type?: unknown }).type === "interrupt"
  );
}

// Int32 slots of the shared buffer.
/** Interrupt requests read so far (a request's ticket is the count after it). */
const ISSUED = 0;
/** The highest ticket the main thread has taken. */
const TAKEN = 1;
/** Executions the main thread has started (`executionStarted`): an interrupt targets the one running when it was read. */
const EXECUTIONS = 2;
const SLOTS = 3;

/**
 * One per transport. The main thread creates it and passes `shared` to its I/O thread (in
 * `workerData`); the I/O thread wraps the same memory with `new InterruptRelay(shared)`.
 *
 * I/O thread: `read(request)` for every request it reads — it returns the request's ticket
 * (0 when it is not an interrupt) and starts forwarding; post the ticket along with the request.
 * Main thread: `take(ticket)` when it receives the request, before acting on it.
 */
export class InterruptRelay {
  /** Pass this to the other thread. */
  readonly shared: SharedArrayBuffer;
  private readonly slots: Int32Array;
  private forwarding: (() => void) | null = null;
  private closed = false;

  constructor(shared: SharedArrayBuffer = new SharedArrayBuffer(SLOTS * 4)) {
    this.shared = shared;
    this.slots = new Int32Array(shared, 0, SLOTS);
  }

  // ---- the thread that reads requests ----

  /**
   * A request was read. For an `interrupt` request: returns its ticket and forwards it (SIGINT
   * while the main thread has not taken it — see `forward`); `stillWanted` may end forwarding
   * early (the execution it targeted is over). Any other request: returns 0, does nothing.
   */
  read(request: unknown, options: SignalOptions & { stillWanted?: () => boolean } = {}): number {
    if (!isInterruptRequest(request)) return 0;
    const ticket = this.issue();
    const { stillWanted } = options;
    this.forward(() => this.isTaken(ticket) || (stillWanted !== undefined && !stillWanted()), options);
    return ticket;
  }

  /**
   * Counts an interrupt request without forwarding it: for a thread that cannot signal on its
   * own behalf (a main thread that read the request itself and may block before acting on it).
   * The I/O thread watches `issued()` and calls `forward` when it moves.
   */
  issue(): number {
    return Atomics.add(this.slots, ISSUED, 1) + 1;
  }

  /** Interrupt requests counted so far. */
  issued(): number {
    return Atomics.load(this.slots, ISSUED);
  }

  /**
   * Raises SIGINT on the process until `done()` holds: first after `afterMs` (a main thread
   * that is free takes the request before that), then every `everyMs`. The relay has one such
   * loop: a newer interrupt replaces the loop of an older one (and gets the short first wait).
   */
  forward(done: () => boolean, options: SignalOptions = {}): void {
    this.forwarding?.();
    this.forwarding = this.signalUntil(done, options);
  }

  /**
   * An independent signalling loop (say, to unstick a main thread that has not even seen the
   * end of input). Returns a function that stops it.
   */
  signalUntil(done: () => boolean, options: SignalOptions = {}): () => void {
    const everyMs = options.everyMs ?? RESIGNAL_MS;
    const max = options.maxSignals ?? RESIGNAL_MAX;
    let signals = 0;
    let progressAtFirst: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const step = () => {
      if (this.closed || done() || signals >= max) return;
      if (options.progress) {
        const now = options.progress();
        if (progressAtFirst === undefined) progressAtFirst = now;
        else if (now !== progressAtFirst) return;
      }
      signals++;
      try {
        process.kill(process.pid, "SIGINT");
      } catch {
        return;
      }
      timer = setTimeout(step, everyMs);
      timer.unref?.();
    };
    timer = setTimeout(step, options.afterMs ?? FORWARD_AFTER_MS);
    timer.unref?.();
    return () => clearTimeout(timer);
  }

  // ---- the main thread ----

  /** The main thread has the interrupt request with this ticket (0: not an interrupt; ignored). */
  take(ticket: number): void {
    if (ticket <= 0) return;
    for (;;) {
      const was = Atomics.load(this.slots, TAKEN);
      if (was >= ticket || Atomics.compareExchange(this.slots, TAKEN, was, ticket) === was) return;
    }
  }

  /**
   * The main thread started an execution (a transport that sees `started` frames says so): an
   * interrupt read before this targeted an earlier one, and is no longer forwarded.
   */
  executionStarted(): void {
    Atomics.add(this.slots, EXECUTIONS, 1);
  }

  /** Executions started so far (either thread). */
  executions(): number {
    return Atomics.load(this.slots, EXECUTIONS);
  }

  /** Whether the main thread has taken the request with this ticket. */
  isTaken(ticket: number): boolean {
    return Atomics.load(this.slots, TAKEN) >= ticket;
  }

  /** Whether some interrupt request that was counted has not reached the main thread yet. */
  outstanding(): boolean {
    return Atomics.load(this.slots, TAKEN) < Atomics.load(this.slots, ISSUED);
  }

  /** Stops signalling (the transport is closing). */
  close(): void {
    this.closed = true;
    this.forwarding?.();
    this.forwarding = null;
  }
}
