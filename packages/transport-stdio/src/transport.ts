// The stdio transport: requests are read on an I/O thread (so `interrupt` gets through while a
// cell blocks the main thread), frames are written from the main thread, synchronously,
// batched until the frame sink flushes (after a terminal frame, or on its 10 ms timer); a
// batch held longer while a cell blocks the main thread is written by the I/O thread.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { type Connection, type Frame, KernelkitError, type Logger, type Transport } from "@kernelkit/core";
import { DEFAULT_MAX_FRAME_BYTES } from "./framing.ts";
import { createOutboxShared, Outbox } from "./outbox.ts";
import { END_SEEN, type IoEvent, type IoWorkerData, SEEN } from "./worker-protocol.ts";
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
  logger?: Logger;
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
    if (this.outbox.length >= this.batchBytes) this.flush();
  }

  /** Writes what is batched; blocks while the channel is full. */
  flush(): void {
    if (this.closed) return;
    this.guard(() => this.outbox.flush());
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
  private worker: Worker | null = null;
  private readonly inFd: number;
  private readonly options: StdioTransportOptions;
  private readonly interrupts = new SharedArrayBuffer(12);
  private readonly seen = new Int32Array(this.interrupts);
  private readonly outboxShared = createOutboxShared();
  private readonly outbox: Outbox;
  private onMessage: ((msg: unknown, from: Connection) => void) | null = null;
  private ended = false;

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
    if (this.worker) throw new KernelkitError("KK_INTERNAL", "the stdio transport was already started");
    if (!existsSync(fileURLToPath(WORKER_URL))) {
      throw new KernelkitError("KK_INTERNAL", "the stdio transport's I/O thread is not built", {
        hint: "Run `npm run build` at the repository root.",
      });
    }
    this.onMessage = onMessage;
    const workerData: IoWorkerData = {
      fd: this.inFd,
      maxFrameBytes: this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      signalInterrupts: this.options.signalInterrupts ?? true,
      interrupts: this.interrupts,
      outFd: this.options.channelFd ?? this.options.outFd ?? 1,
      outbox: this.outboxShared,
      staleMs: this.options.staleMs ?? 10,
      killAfterEndMs: this.options.killAfterEndMs ?? null,
    };
    const worker = new Worker(WORKER_URL, { workerData, stdout: false, stderr: false });
    worker.on("message", (event: IoEvent) => this.onEvent(event));
    worker.on("error", (error) => {
      this.options.logger?.error({ err: error }, "the stdio I/O thread failed");
      this.end(false);
    });
    worker.on("exit", () => this.end(false));
    this.worker = worker;
    return Promise.resolve();
  }

  private onEvent(event: IoEvent): void {
    if (event.k === "m") {
      const v = event.v as { type?: unknown } | null;
      if (v !== null && typeof v === "object" && v.type === "interrupt") Atomics.add(this.seen, SEEN, 1);
      this.onMessage?.(event.v, this.connection);
    } else if (event.k === "e") {
      this.connection.send({
        type: "protocol_error",
        id: null,
        error: { code: event.code, message: event.message },
      });
      this.connection.flush();
    } else {
      Atomics.store(this.seen, END_SEEN, 1);
      if (event.reason) this.options.logger?.warn({ reason: event.reason }, "the request channel failed");
      // End of input: answer what was received, then stop. A broken channel: stop now.
      this.end(event.reason === null);
    }
  }

  /** Stops serving as if input had ended (SIGTERM): the listen loop sees `exit`. */
  stop(): void {
    this.ended = true;
    this.onMessage?.({ type: "exit" }, this.connection);
  }

  /** End of input is reported as an `exit` message, once; `drain` lets received requests finish. */
  private end(drain: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.onMessage?.(drain ? { type: "exit", drain: true } : { type: "exit" }, this.connection);
  }

  async close(): Promise<void> {
    this.ended = true;
    this.connection.close();
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate().catch(() => {});
    this.outbox.releaseAbandoned();
  }
}

/** Factory form (PLUGINS.md): `(options, ctx) => transport`. */
export function createStdioTransport(options: StdioTransportOptions = {}): StdioTransport {
  return new StdioTransport(options);
}
