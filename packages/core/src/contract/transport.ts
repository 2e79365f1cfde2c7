// How clients reach a kernel: a transport carries connections; a connection carries frames.
// The whole contract is here and in docs/transports.md; nothing a built-in transport relies on
// is left out.

/** A frame: one plain JSON object the kernel sends a client (docs/protocol.md). */
export type Frame = { type: string; id: string | null; [key: string]: unknown };

/**
 * One client, as the kernel sees it. Frames of a request arrive at `send` in the order they
 * were produced; the kernel answers a request only on the connection it came from.
 */
export interface Connection {
  /** Unique among the transport's live connections (request ids are scoped per connection). */
  readonly id: string;
  /**
   * Queues one frame for the client. Called on the main thread; must not throw for a client
   * that went away (drop the frame instead). It may block while the client's channel is full,
   * like a terminal, and should when frames would otherwise pile up without bound.
   */
  send(frame: Frame): void | Promise<void>;
  /**
   * Optional: a connection that batches frames writes what it holds. The kernel calls it after
   * a request's terminal frame, when coalesced output is due (every 10 ms while a cell prints),
   * and before it stops; without `flush`, `send` must write (or post) each frame itself. A
   * batch must not wait for `flush` forever while a cell blocks the main thread: a transport
   * with an I/O thread writes a batch that has waited too long from there (transport-stdio).
   * `partial` (the coalesced output of a cell that is still printing): a connection may write
   * only what its channel takes without waiting and keep the rest, in order, for a later flush;
   * the kernel flushes again in full within flushMs. Ignoring it (writing everything) is fine.
   */
  flush?(partial?: boolean): void;
}

/**
 * A server-side endpoint; may carry many connections. The message loop (`listenMessages`)
 * calls `start` once, and `close` once as the kernel tears down.
 *
 * What a transport does:
 * - **Requests.** Every request it reads goes to `onMessage(request, connection)`, parsed
 *   (`JSON.parse` semantics: `__proto__` stays a plain key), on the main thread, in the order
 *   the client sent them. The loop validates and answers; the transport never does.
 * - **Bad input.** A message that is not JSON, or is over the transport's size limit (default
 *   16 MiB; the line is skipped to its end), never reaches `onMessage`: the transport answers
 *   `{type: "protocol_error", id: null, error: {code: "INVALID_JSON" | "FRAME_TOO_LARGE",
 *   message}}` on that connection itself and reads on.
 * - **End of input.** When input ends (end of file; the last client gone, for a transport whose
 *   kernel lives as long as its client), it delivers `endOfInput()` once: requests already
 *   received are answered, then the loop stops. `endOfInput({drain: false})` (a broken
 *   channel) stops at once, like a client's `{"type": "exit"}`.
 * - **Interrupts.** An `interrupt` request must reach the kernel while a cell blocks the main
 *   thread, which `onMessage` alone cannot do (the main thread is the one that is stuck). A
 *   transport reads on a thread of its own with core's helper — `startIoThread` on the main
 *   thread, `ioThread()` from `@kernelkit/core/io-thread` in the worker (docs/transports.md) —
 *   which forwards interrupt requests: the main thread takes them when it is free, SIGINT is
 *   raised when it is not. A transport that cannot read while the main thread blocks still
 *   works; only a synchronous loop then cannot be interrupted by request.
 * - **Close.** `close()` writes the frames already sent (`send` before `close` is delivered),
 *   ends every connection, releases threads, fds and ports, and resolves once done; `send`
 *   after `close` is dropped quietly, and a second `close` resolves too.
 */
export interface Transport {
  /** Shown in logs and `kernel_info`; the registry's entry-point name is used when absent. */
  readonly name?: string;
  /** Starts serving; resolves once clients can connect (a server listens, a channel is open). */
  start(onMessage: (msg: unknown, from: Connection) => void): Promise<void>;
  close(): Promise<void>;
}

/** Brands an end-of-input message, so no request read off the wire can pass for one. */
const END_OF_INPUT: unique symbol = Symbol.for("kernelkit.endOfInput") as never;

/** What a transport delivers when its input ends (see `Transport`). */
export interface EndOfInput {
  readonly type: "exit";
  /** true: answer the requests already received, then stop; false: stop now. */
  readonly drain: boolean;
  readonly [END_OF_INPUT]: true;
}

/**
 * The message a transport passes to `onMessage` when its input ends. `drain` (default true):
 * the kernel first answers what it already received — as a client piping a file of requests
 * expects — then stops (a run still going after 30 s is interrupted).
 */
export function endOfInput(options: { drain?: boolean } = {}): EndOfInput {
  return { type: "exit", drain: options.drain ?? true, [END_OF_INPUT]: true };
}

export function isEndOfInput(message: unknown): message is EndOfInput {
  return (
    typeof message === "object" &&
    message !== null &&
    (message as Record<symbol, unknown>)[END_OF_INPUT] === true
  );
}
