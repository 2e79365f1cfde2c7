// The I/O-thread half of core's transport helper (docs/transports.md): what a transport's worker
// thread calls to hand requests to the main thread so that an `interrupt` gets through while a
// cell blocks it. `startIoThread` (start-io-thread.ts) is the main-thread half. Importable in a
// worker without the rest of core (`@kernelkit/core/io-thread`); it imports only the relay.
import { type MessagePort, parentPort, type Transferable, workerData } from "node:worker_threads";
import { InterruptRelay, isInterruptRequest, type SignalOptions } from "./interrupt-relay.ts";

/** What `startIoThread` passes as the worker's `workerData`. */
export interface IoThreadWorkerData {
  /** The transport's own settings (`startIoThread`'s `data`). */
  data: unknown;
  /** The InterruptRelay's shared memory. */
  relay: SharedArrayBuffer;
  /** Whether interrupt requests are forwarded by SIGINT (`startIoThread`'s `forwardInterrupts`). */
  forwardInterrupts: boolean;
}

/** I/O thread → main thread. Every message the helper posts is one of these. */
export type FromIoThread =
  /** A request; `ticket` is its relay ticket (0: not a forwarded interrupt); `executions` the count when it was read. */
  | { kind: "request"; request: unknown; connection: number; ticket: number; executions: number }
  | { kind: "event"; event: unknown }
  | { kind: "end"; connection: number; reason: string | null }
  | { kind: "ready"; info: unknown }
  | { kind: "failed"; reason: unknown }
  | { kind: "closed" };

/** Main thread → I/O thread: the one message of the helper's own; everything else is the transport's. */
export const CLOSE_IO_THREAD = "kernelkit:close-io-thread";

/** How one request is forwarded (`IoThread.request`). */
export interface IoRequestOptions extends SignalOptions {
  /**
   * Whether it is an interrupt request (default: `isInterruptRequest(request)`, the kernelkit
   * protocol's `{"type": "interrupt"}`). Pass it when the posted request is not the parsed
   * object (raw JSON text) or the wire speaks another protocol.
   */
  interrupt?: boolean;
  /**
   * Forwarding also ends once this returns false (the target is over in a way only the
   * transport knows). Forwarding always ends when the main thread takes the request, when
   * another execution starts (`IoThreadHandle.executionStarted`), or when the thread closes.
   */
  stillWanted?: () => boolean;
}

/** The I/O thread's side of the helper (`ioThread()`); one per worker. */
export interface IoThread<Data = unknown> {
  /** The transport's own settings, as passed to `startIoThread({ data })`. */
  readonly data: Data;
  /**
   * The relay the helper forwards with, for transports that read on the main thread too
   * (transport-stdio); most never touch it.
   */
  readonly relay: InterruptRelay;
  /** Whether interrupt requests are forwarded by SIGINT (off in a process that plays the kernel in a test). */
  readonly forwardsInterrupts: boolean;
  /**
   * Posts one request read off the wire to the main thread's `onRequest`, in order with every
   * other request and `end`. An interrupt request is forwarded: if the main thread has not
   * taken it within 10 ms it is stuck in a cell, and SIGINT is raised on the process until it
   * does. `connection` names the connection it came on (0 when there is one). Post the parsed
   * request, or its JSON text with `{ interrupt }` said. Returns the relay ticket (0: not forwarded).
   */
  request(request: unknown, connection?: number, options?: IoRequestOptions): number;
  /** Posts anything else (a connection opened, a log line) to the main thread's `onEvent`. */
  event(event: unknown, transfer?: readonly Transferable[]): void;
  /**
   * A connection's input ended (reason null: end of file, a clean close; else what broke), in
   * order after its requests; the main thread's `onEnd` decides what that means for the kernel.
   */
  end(connection?: number, reason?: string | null): void;
  /** The transport is serving (a server listens): resolves the main thread's `ready` with `info`. */
  ready(info?: unknown): void;
  /** The transport cannot serve: rejects the main thread's `ready` with `reason` (any cloneable value). */
  fail(reason: unknown): void;
  /** Receives what the main thread posts (`IoThreadHandle.post`), frames to write say. */
  onMessage(handler: (message: unknown) => void): void;
  /**
   * What to do when the main thread closes the transport (end connections, stop listening); the
   * main thread waits for it (within its timeout) before it ends the thread.
   */
  onClose(handler: () => void | Promise<void>): void;
}

/**
 * Call once, in the transport's worker thread (started by `startIoThread`): the thread's side of
 * the helper. Every request read goes through `request`; see docs/transports.md.
 */
export function ioThread<Data = unknown>(): IoThread<Data> {
  const port = parentPort as MessagePort | null;
  const init = workerData as IoThreadWorkerData | null;
  if (!port || !init || !(init.relay instanceof SharedArrayBuffer)) {
    throw new Error("ioThread() runs in a worker thread started by startIoThread() (docs/transports.md)");
  }
  const relay = new InterruptRelay(init.relay);
  const forward = init.forwardInterrupts;
  let onMessage: ((message: unknown) => void) | null = null;
  let onClose: (() => void | Promise<void>) | null = null;
  let closing = false;
  const post = (m: FromIoThread, transfer?: readonly Transferable[]) => port.postMessage(m, transfer);

  port.on("message", (m: unknown) => {
    if (m === CLOSE_IO_THREAD) {
      if (closing) return;
      closing = true;
      relay.close();
      void Promise.resolve()
        .then(() => onClose?.())
        .catch(() => {})
        .then(() => post({ kind: "closed" }));
      return;
    }
    onMessage?.(m);
  });

  return {
    data: init.data as Data,
    relay,
    forwardsInterrupts: forward,
    request(request, connection = 0, options) {
      const executions = relay.executions();
      let ticket = 0;
      if (forward && !closing && (options?.interrupt ?? isInterruptRequest(request))) {
        ticket = relay.issue();
        const stillWanted = options?.stillWanted;
        relay.forward(
          () =>
            relay.isTaken(ticket) ||
            relay.executions() !== executions ||
            (stillWanted !== undefined && !stillWanted()),
          options,
        );
      }
      post({ kind: "request", request, connection, ticket, executions });
      return ticket;
    },
    event(event, transfer) {
      post({ kind: "event", event }, transfer);
    },
    end(connection = 0, reason = null) {
      post({ kind: "end", connection, reason });
    },
    ready(info) {
      post({ kind: "ready", info });
    },
    fail(reason) {
      post({ kind: "failed", reason });
    },
    onMessage(handler) {
      onMessage = handler;
    },
    onClose(handler) {
      onClose = handler;
    },
  };
}
