// The stdio transport. Requests on a pipe or socket are read by the main thread itself while no
// cell blocks it (one thread wake-up per request); while a cell does, the I/O thread takes
// reading over and hands it back, with what it read, as the cell's guarded run ends
// (io-worker.ts explains the handover). A terminal or a file is read by the I/O thread alone.
// Either way, `interrupt` gets through while a cell blocks the main thread. Frames are written
// from the main thread, synchronously, batched until the frame sink flushes (after a terminal
// frame, or on its 10 ms timer); a batch held longer while a cell blocks the main thread is
// written by the I/O thread.
import { existsSync } from "node:fs";
import { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import {
  type Connection,
  endOfInput,
  type Frame,
  type GuardWatch,
  type IoThreadHandle,
  isInterruptRequest,
  isPipeOrSocket,
  KernelkitError,
  type Logger,
  processInterrupts,
  startIoThread,
  type Transport,
} from "@kernelkit/core";
import { DEFAULT_MAX_FRAME_BYTES, type FramingErrorCode, NdjsonDecoder } from "./framing.ts";
import { createOutboxShared, Outbox } from "./outbox.ts";
import {
  type BytesEnd,
  END_SEEN,
  type FramingErrorEvent,
  type IoWorkerData,
  PARTIAL_BYTES,
  PARTIAL_LEN,
  READER,
  RECLAIMS,
  type ReadMode,
  SLOTS,
} from "./worker-protocol.ts";
import { ChannelClosedError } from "./write-sync.ts";

export interface StdioTransportOptions {
  /** One fd carrying requests in and frames out (`serve --channel-fd N`); overrides inFd/outFd. */
  channelFd?: number;
  /** Where requests are read (default 0). */
  inFd?: number;
  /** Where frames are written (default 1). */
  outFd?: number;
  /** Longest accepted request line in bytes (default 16 MiB). */
  maxFrameBytes?: number;
  /**
   * Raise SIGINT on this process when an `interrupt` request arrives (default true). Only
   * for kernels whose process handles SIGINT (core's `processInterrupts()`).
   */
  signalInterrupts?: boolean;
  /** Frames are written when this many bytes are batched, even before a flush (default 1 MiB). */
  batchBytes?: number;
  /**
   * A kernel process of its own (serve): after end of input, if the process is still running
   * this much later (the main thread stuck in native code), the I/O thread kills it. Default: never.
   */
  killAfterEndMs?: number;
  /** A batch the main thread holds longer than this (a cell blocks it) is written by the I/O thread (default 10 ms). */
  staleMs?: number;
  /**
   * Let the main thread read a pipe or socket itself while no cell blocks it (default true).
   * false: the I/O thread reads everything and posts each message (one more thread hop).
   */
  mainThreadReads?: boolean;
  logger?: Logger;
}

/** A line that was not a request (protocol_error), in the order it came. */
class FramingError {
  constructor(
    readonly code: FramingErrorCode,
    readonly message: string,
  ) {}
}

/** End of input (reason null) or a broken channel, in the order it came. */
class InputEnd {
  constructor(readonly reason: string | null) {}
}

const WORKER_URL = new URL("../dist/io-worker.js", import.meta.url);

/** The one connection of a stdio transport; batches frames until `flush()`. */
export class StdioConnection implements Connection {
  readonly id = "stdio";
  private closed = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly batchBytes: number,
    private readonly onClosed: (error: ChannelClosedError) => void,
  ) {}

  send(frame: Frame): void {
    if (this.closed) return;
    this.guard(() => this.outbox.append(`${JSON.stringify(frame)}\n`));
    if (this.outbox.length >= this.batchBytes) this.flush(true);
  }

  /**
   * Writes what is batched; blocks while the channel is full. `partial` (a cell still printing):
   * writes what the channel takes now and keeps the rest for the next flush.
   */
  flush(partial = false): void {
    if (this.closed) return;
    this.guard(() => this.outbox.flush(partial));
  }

  /** No more frames (the transport is closing). */
  close(): void {
    this.flush();
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed || this.outbox.closed;
  }

  private guard(write: () => void): void {
    try {
      write();
    } catch (error) {
      if (!(error instanceof ChannelClosedError)) throw error;
      this.closed = true;
      this.onClosed(error);
    }
  }
}

export class StdioTransport implements Transport {
  readonly name = "stdio";
  readonly connection: StdioConnection;
  private io: IoThreadHandle | null = null;
  private readonly inFd: number;
  private readonly options: StdioTransportOptions;
  private readonly control = new SharedArrayBuffer(SLOTS * 4);
  private readonly ctl = new Int32Array(this.control);
  private readonly outboxShared = createOutboxShared();
  private readonly outbox: Outbox;
  private onMessage: ((msg: unknown, from: Connection) => void) | null = null;
  private ended = false;
  // "main" read mode:
  private mode: ReadMode = "thread";
  private socket: Socket | null = null;
  private decoder: NdjsonDecoder | null = null;
  /** Where the decoder puts what it decodes (a chunk's worth at a time). */
  private decoded: unknown[] = [];
  /** What was read and not yet acted on, in order (see pumpInbox). */
  private inbox: unknown[] = [];
  private inboxHead = 0;
  private inboxScheduled = false;
  /** Interrupt requests in the inbox that this thread read, and their relay tickets. */
  private readonly interruptTickets = new WeakMap<object, number>();
  private partial: SharedArrayBuffer | null = null;
  private partialView: Uint8Array | null = null;
  private partialMirrored = false;
  private bytesPort: MessagePort | null = null;
  private guardWatch: GuardWatch | null = null;

  constructor(options: StdioTransportOptions = {}) {
    this.options = options;
    this.inFd = options.channelFd ?? options.inFd ?? 0;
    const outFd = options.channelFd ?? options.outFd ?? 1;
    this.outbox = new Outbox(this.outboxShared, outFd, 1);
    this.connection = new StdioConnection(this.outbox, options.batchBytes ?? 1024 * 1024, (error) => {
      options.logger?.warn({ code: error.code }, "the frame channel closed; stopping");
      queueMicrotask(() => this.end(false));
    });
  }

  start(onMessage: (msg: unknown, from: Connection) => void): Promise<void> {
    if (this.io) throw new KernelkitError("KK_INTERNAL", "the stdio transport was already started");
    if (!existsSync(fileURLToPath(WORKER_URL))) {
      throw new KernelkitError("KK_INTERNAL", "the stdio transport's I/O thread is not built", {
        hint: "Run `npm run build` at the repository root.",
      });
    }
    this.onMessage = onMessage;
    const maxFrameBytes = this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.mode = this.options.mainThreadReads !== false && isPipeOrSocket(this.inFd) ? "main" : "thread";
    this.partial = new SharedArrayBuffer(this.mode === "main" ? PARTIAL_BYTES : 4);
    let guard: IoWorkerData["guard"] = null;
    let workerBytes: MessagePort | null = null;
    if (this.mode === "main") {
      const { port1, port2 } = new MessageChannel();
      this.bytesPort = port1;
      workerBytes = port2;
      this.guardWatch = processInterrupts().watchGuard(this.onGuardExit);
      const { sab, depth, seq, exitRequest } = this.guardWatch;
      guard = { sab, depth, seq, exitRequest };
      this.partialView = new Uint8Array(this.partial);
      this.decoder = new NdjsonDecoder({
        maxFrameBytes,
        onMessage: (value) => this.decoded.push(value),
        onError: (code, message) => this.decoded.push(new FramingError(code, message)),
      });
    }
    const data: IoWorkerData = {
      fd: this.inFd,
      mode: this.mode,
      maxFrameBytes,
      control: this.control,
      partial: this.partial,
      guard,
      bytes: workerBytes,
      outFd: this.options.channelFd ?? this.options.outFd ?? 1,
      outbox: this.outboxShared,
      staleMs: this.options.staleMs ?? 10,
      killAfterEndMs: this.options.killAfterEndMs ?? null,
    };
    this.io = startIoThread(WORKER_URL, {
      data,
      transferList: workerBytes ? [workerBytes] : [],
      forwardInterrupts: this.options.signalInterrupts ?? true,
      // "thread" mode: what the I/O thread read.
      onRequest: (request) => this.onMessage?.(request, this.connection),
      onEvent: (error: FramingErrorEvent) => this.protocolError(error.code, error.message),
      // Either mode: end of input, or a frame channel the I/O thread found closed.
      onEnd: (_, reason) => this.inputEnded(reason),
      onExit: (error) => {
        if (error) this.options.logger?.error({ err: error }, "the stdio I/O thread failed");
        this.end(false);
      },
    });
    if (this.mode === "main") {
      // allowHalfOpen and writable: end of input must neither shut down nor close the fd, which
      // frames may still be written to (the client's socket pair carries both directions).
      const socket = new Socket({ fd: this.inFd, readable: true, writable: true, allowHalfOpen: true });
      socket.on("data", (chunk: Buffer) => this.onChunk(chunk));
      socket.on("end", () => this.enqueue(this.readEnded(null, true), false));
      socket.on("error", (error: NodeJS.ErrnoException) =>
        this.enqueue(this.readEnded(error.code ?? error.message, true), false),
      );
      this.socket = socket;
    }
    return Promise.resolve();
  }

  private protocolError(code: FramingErrorCode, message: string): void {
    this.connection.send({ type: "protocol_error", id: null, error: { code, message } });
    this.connection.flush();
  }

  private inputEnded(reason: string | null): void {
    Atomics.store(this.ctl, END_SEEN, 1);
    if (reason) this.options.logger?.warn({ reason }, "the request channel failed");
    // End of input: answer what was received, then stop. A broken channel: stop now.
    this.end(reason === null);
  }

  // ---- "main" read mode ----

  /**
   * Bytes this thread read. Interrupt requests are counted before any request of the chunk is
   * acted on: one of those may start a cell that blocks this thread, and the I/O thread then
   * signals on behalf of the interrupts still waiting here.
   */
  private onChunk(chunk: Buffer): void {
    const messages = this.decode(chunk);
    this.count(messages);
    this.enqueue(messages, false);
  }

  private count(messages: unknown[]): void {
    for (const m of messages) {
      if (isInterruptRequest(m)) this.interruptTickets.set(m as object, this.io!.relay.issue());
    }
  }

  private decode(bytes: Uint8Array): unknown[] {
    const out: unknown[] = [];
    this.decoded = out;
    this.decoder!.push(bytes);
    this.mirrorPartial();
    return out;
  }

  /** The unfinished line, for the I/O thread should it take over reading (rare: most chunks end with a line). */
  private mirrorPartial(): void {
    const decoder = this.decoder!;
    if (decoder.buffered === 0 && !this.partialMirrored) return;
    const n = decoder.copyPartial(this.partialView!);
    Atomics.store(this.ctl, PARTIAL_LEN, n);
    this.partialMirrored = n !== 0;
  }

  /** Appends to the inbox; acts on it now, or (from inside a guarded run's exit) on a microtask. */
  private enqueue(items: unknown[], later: boolean): void {
    for (const item of items) this.inbox.push(item);
    if (this.inboxScheduled || this.inboxHead >= this.inbox.length) return;
    if (later) {
      this.inboxScheduled = true;
      queueMicrotask(this.pumpInbox);
    } else this.pumpInbox();
  }

  /**
   * Acts on one message; the next one waits until every microtask has run, so that what a
   * message starts gets as far as it can before the next is looked at — as when each message
   * was an event of its own — while the whole chunk is still handled in this macrotask (a burst
   * of set_inputs is queued before the kernel merges it). A microtask that schedules a tick
   * runs after the microtasks queued before it, and the tick after all the others. The inbox
   * keeps the order whatever arrives meanwhile.
   */
  private readonly pumpInbox = (): void => {
    this.inboxScheduled = false;
    if (this.inboxHead >= this.inbox.length) return;
    const m = this.inbox[this.inboxHead++];
    if (this.inboxHead >= this.inbox.length) {
      this.inbox = [];
      this.inboxHead = 0;
    } else {
      this.inboxScheduled = true;
      queueMicrotask(this.nextTickPump);
    }
    if (m instanceof FramingError) this.protocolError(m.code, m.message);
    else if (m instanceof InputEnd) this.inputEnded(m.reason);
    else {
      const ticket = typeof m === "object" && m !== null ? this.interruptTickets.get(m) : undefined;
      if (ticket !== undefined) this.io!.relay.take(ticket);
      this.onMessage?.(m, this.connection);
    }
  };

  private readonly nextTickPump = (): void => {
    process.nextTick(this.pumpInbox);
  };

  /** End of input (or a broken channel): a last line without its newline still counts. */
  private readEnded(reason: string | null, counted: boolean): unknown[] {
    const out: unknown[] = [];
    this.decoded = out;
    this.decoder!.end();
    this.mirrorPartial();
    if (counted) this.count(out);
    out.push(new InputEnd(reason));
    return out;
  }

  /**
   * The outermost guarded run ended and the I/O thread has taken reading over: take it back,
   * with every byte it read, before this thread's event loop can read again. Runs inside the
   * run's exit, so the requests are acted on from a microtask — still before the next read.
   */
  private readonly onGuardExit = (): void => {
    if (Atomics.load(this.ctl, READER) === 0) return;
    for (;;) {
      const was = Atomics.compareExchange(this.ctl, READER, 1, 0);
      if (was !== 2) break;
      // The I/O thread is inside a read: it posts what it read, then lets go.
      Atomics.wait(this.ctl, READER, 2, 5);
    }
    Atomics.add(this.ctl, RECLAIMS, 1);
    const items: unknown[] = [];
    for (;;) {
      const m = receiveMessageOnPort(this.bytesPort!);
      if (m === undefined) break;
      const value = m.message as Uint8Array | BytesEnd;
      const decoded = value instanceof Uint8Array ? this.decode(value) : this.readEnded(value.end, false);
      for (const v of decoded) items.push(v);
    }
    if (items.length > 0) this.enqueue(items, true);
  };

  /** Stops serving as if input had ended, without draining (SIGTERM). */
  stop(): void {
    this.ended = true;
    this.onMessage?.(endOfInput({ drain: false }), this.connection);
  }

  /** End of input, once; `drain` lets the requests already received finish. */
  private end(drain: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.onMessage?.(endOfInput({ drain }), this.connection);
  }

  async close(): Promise<void> {
    this.ended = true;
    this.connection.close();
    this.guardWatch?.dispose();
    this.guardWatch = null;
    this.socket?.destroy();
    this.socket = null;
    this.bytesPort?.close();
    await this.io?.close();
    this.outbox.releaseAbandoned();
  }
}

/** Factory form (docs/plugins.md): `(options, ctx) => transport`. */
export function createStdioTransport(options: StdioTransportOptions = {}): StdioTransport {
  return new StdioTransport(options);
}
