// The main-thread half of core's transport helper (docs/transports.md): starts a transport's I/O
// thread and delivers what it reads. `ioThread()` (io-thread.ts) is the thread's half; the two
// keep requests in order, take every interrupt's relay ticket before the request is acted on, and
// shake hands on close, so a transport writes only its wire format.
import { type Transferable, Worker } from "node:worker_threads";
import { InterruptRelay } from "./interrupt-relay.ts";
import { CLOSE_IO_THREAD, type FromIoThread, type IoThreadWorkerData } from "./io-thread.ts";

export interface IoThreadOptions<Request = unknown, Event = unknown> {
  /** The transport's own settings; the thread reads them as `ioThread().data` (structured clone). */
  data?: unknown;
  /** Ports or buffers inside `data` to transfer rather than copy. */
  transferList?: readonly Transferable[];
  /**
   * Raise SIGINT for an interrupt request the main thread does not take at once (default true).
   * Off only where nothing handles SIGINT: a test process that plays the kernel.
   */
  forwardInterrupts?: boolean;
  /**
   * A request the thread read (`IoThread.request`), on the main thread, in order. Pass it to the
   * kernel's `onMessage` with the connection's `Connection`. `outdated` is true for an interrupt
   * read while an execution ran that has ended since, with another started after it
   * (`executionStarted`): the interrupt was meant for the earlier one, so answer it without
   * interrupting. Always false for a transport that never calls `executionStarted`.
   */
  onRequest(request: Request, connection: number, outdated: boolean): void;
  /** A connection's input ended (`IoThread.end`), in order after its requests. */
  onEnd?(connection: number, reason: string | null): void;
  /** Anything else the thread posted (`IoThread.event`). */
  onEvent?(event: Event): void;
  /**
   * The thread ended on its own (not through `close()` or a `fail`); `error` when it threw. Nobody
   * can reach the kernel any more: deliver `endOfInput()`.
   */
  onExit?(error: Error | null): void;
  /**
   * The thread's stdout and stderr (console.log in it), as text. Without it they go to the
   * process's own, where fd 1 may be the protocol channel: a thread that logs should set this.
   */
  onOutput?(text: string, stream: "stdout" | "stderr"): void;
  /** How long `close()` waits for the thread's `onClose` handler before ending it (default 2000 ms). */
  closeTimeoutMs?: number;
}

/** A running I/O thread, as `startIoThread` returns it. */
export interface IoThreadHandle<Ready = unknown> {
  /** Resolves with what the thread passed to `ready()`; rejects with what it passed to `fail()`, or when it dies first. */
  readonly ready: Promise<Ready>;
  /** The relay the helper forwards interrupts with (transports that also read on the main thread use it). */
  readonly relay: InterruptRelay;
  /** Whether the thread is still there (false once it exited or was ended). */
  readonly running: boolean;
  /** Posts to the thread's `onMessage` (frames to write); dropped once the thread is gone. */
  post(message: unknown, transfer?: readonly Transferable[]): void;
  /**
   * An execution started (call it as the `started` frame goes out): an interrupt read before it
   * targeted an earlier one, so the thread stops forwarding it and `onRequest` says `outdated`.
   */
  executionStarted(): void;
  /** Runs the thread's `onClose` (within `closeTimeoutMs`), then ends the thread. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a transport's I/O thread: the worker at `url`, which calls `ioThread()` from
 * `@kernelkit/core/io-thread` and reads requests while a cell blocks the main thread. See
 * docs/transports.md for the whole pattern.
 */
export function startIoThread<Ready = unknown, Request = unknown, Event = unknown>(
  url: URL | string,
  options: IoThreadOptions<Request, Event>,
): IoThreadHandle<Ready> {
  const relay = new InterruptRelay();
  const { onRequest, onEnd, onEvent, onExit, onOutput } = options;
  const workerData: IoThreadWorkerData = {
    data: options.data,
    relay: relay.shared,
    forwardInterrupts: options.forwardInterrupts ?? true,
  };
  const worker = new Worker(url, {
    workerData,
    transferList: options.transferList as Transferable[] | undefined,
    stdout: onOutput !== undefined,
    stderr: onOutput !== undefined,
  });
  if (onOutput) {
    worker.stdout.setEncoding("utf8").on("data", (text: string) => onOutput(text, "stdout"));
    worker.stderr.setEncoding("utf8").on("data", (text: string) => onOutput(text, "stderr"));
  }

  let settle: { resolve(info: Ready): void; reject(reason: unknown): void } | null = null;
  const ready = new Promise<Ready>((resolve, reject) => {
    settle = { resolve, reject };
  });
  ready.catch(() => {});
  const settleReady = (ok: boolean, value: unknown) => {
    const s = settle;
    settle = null;
    if (ok) s?.resolve(value as Ready);
    else s?.reject(value);
  };

  let running = true;
  let closing: Promise<void> | null = null;
  let error: Error | null = null;
  let closed: (() => void) | null = null;

  const end = () => {
    running = false;
    return worker.terminate().then(
      () => {},
      () => {},
    );
  };

  worker.on("message", (m: FromIoThread) => {
    switch (m.kind) {
      case "request":
        // Taken before the request is acted on: the thread stops signalling for it.
        if (m.ticket !== 0) relay.take(m.ticket);
        onRequest(m.request as Request, m.connection, m.ticket !== 0 && m.executions !== relay.executions());
        return;
      case "event":
        onEvent?.(m.event as Event);
        return;
      case "end":
        onEnd?.(m.connection, m.reason);
        return;
      case "ready":
        settleReady(true, m.info);
        return;
      case "failed":
        // A thread that cannot serve is of no use: end it; this is not an exit to report.
        settleReady(false, m.reason);
        closing ??= end();
        return;
      case "closed":
        closed?.();
        return;
    }
  });
  worker.on("error", (e) => {
    error = e;
    settleReady(false, e);
  });
  worker.on("exit", () => {
    running = false;
    relay.close();
    settleReady(false, error ?? new Error("the I/O thread exited before it was ready"));
    closed?.();
    if (!closing) onExit?.(error);
  });

  return {
    ready,
    relay,
    get running() {
      return running;
    },
    post(message, transfer) {
      if (running) worker.postMessage(message, transfer as Transferable[] | undefined);
    },
    executionStarted() {
      relay.executionStarted();
    },
    close() {
      closing ??= (async () => {
        relay.close();
        if (!running) return;
        await new Promise<void>((resolve) => {
          closed = resolve;
          worker.postMessage(CLOSE_IO_THREAD);
          setTimeout(resolve, options.closeTimeoutMs ?? 2000).unref();
        });
        await end();
      })();
      return closing;
    },
  };
}
