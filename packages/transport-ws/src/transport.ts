// The main-thread side of the WebSocket transport: a Transport whose sockets live on an I/O
// thread (io-worker.ts). Requests arrive here as JSON text; frames leave in per-connection
// batches, posted when core's FrameSink flushes (and at once before user code may block).
import { existsSync } from "node:fs";
import {
  type Connection,
  createLogger,
  endOfInput,
  type Frame,
  type IoThreadHandle,
  KernelkitError,
  type Logger,
  startIoThread,
  type Transport,
} from "@kernelkit/core";
import { FLOW_INBOUND, FLOW_OUTBOUND, FLOW_PEER_FULL, FLOW_SLOTS, OUTBOUND_HIGH_WATER } from "./flow.ts";
import {
  isLoopbackHost,
  pageUrl,
  type ResolvedWsOptions,
  resolveOptions,
  type WsTransportOptions,
  wsUrl,
} from "./options.ts";
import type { IoData, IoEvent, IoFailure, IoReady, ToIo } from "./wire.ts";

export interface WsAddress {
  host: string;
  port: number;
  /** `ws://HOST:PORT/?token=…` */
  url: string;
  /** `http://HOST:PORT/?token=…`, the browser page. */
  pageUrl: string;
}

export interface WsHostOptions {
  /** Where the transport's own diagnostics go (default: core's logger, stderr). */
  logger?: Logger;
  /** Called for warnings a user should see (binding a non-loopback address). Default: logger.warn. */
  onWarning?: (code: string, message: string) => void;
}

/** A batch is posted once it holds this many characters, even before a flush. */
const BATCH_CHARS = 256 * 1024;
/** Close code for a graceful shutdown (1001 "going away"). */
export const CLOSE_SHUTDOWN = 1001;

const WORKER_URL = new URL("../dist/io-worker.js", import.meta.url);
const STATIC_URL = new URL("../static/", import.meta.url);

/** One WebSocket peer, as the kernel's listen loop sees it. */
export class WsConnection implements Connection {
  readonly id: string;
  /** Where the peer connects from (`address:port`). */
  readonly remote: string;
  private batch: string[] = [];
  private chars = 0;
  /** Set when the peer went away; frames for it are dropped. */
  closed = false;

  constructor(
    private readonly owner: IoThreadTransport,
    readonly index: number,
    remote: string,
  ) {
    this.id = `ws:${index}`;
    this.remote = remote;
  }

  send(frame: Frame): void {
    if (this.closed) return;
    const text = JSON.stringify(frame);
    this.batch.push(text);
    this.chars += text.length;
    // These precede user code, which may block this thread: post them now so a client sees
    // the cell running while it runs.
    if (frame.type === "started" || (frame.type === "cell_status" && frame.status === "running")) {
      this.owner.io?.executionStarted();
      this.flush();
    } else if (this.chars >= BATCH_CHARS) {
      this.flush();
    }
  }

  flush(): void {
    if (this.batch.length === 0) return;
    const d = this.batch;
    const chars = this.chars;
    this.batch = [];
    this.chars = 0;
    if (this.closed) return;
    this.owner.post({ connection: this.index, frames: d }, chars);
  }
}

/** The connection `exit` comes from when the transport ends input itself. */
const CONTROL: Connection = { id: "ws:control", send() {} };

export abstract class IoThreadTransport implements Transport {
  readonly name: string = "ws";
  protected readonly opts: ResolvedWsOptions;
  protected readonly logger: Logger;
  private readonly warn: (code: string, message: string) => void;
  /** The I/O thread, once started. */
  io: IoThreadHandle<IoReady> | null = null;
  private readonly flow = new Int32Array(new SharedArrayBuffer(FLOW_SLOTS * 4));
  private readonly conns = new Map<number, WsConnection>();
  private deliver: ((msg: unknown, from: Connection) => void) | null = null;
  private addr: WsAddress | null = null;
  private closing: Promise<void> | null = null;
  private ended = false;
  private resolveListening!: (a: WsAddress) => void;
  private rejectListening!: (e: unknown) => void;
  /** Resolves once the server listens (or the dial-out connection is open). */
  readonly listening: Promise<WsAddress>;

  constructor(
    protected readonly mode: "listen" | "connect",
    options: WsTransportOptions & WsHostOptions,
    protected readonly dialUrl?: string,
  ) {
    this.opts = resolveOptions(options);
    this.logger = options.logger ?? createLogger();
    this.warn = options.onWarning ?? ((code, message) => this.logger.warn({ code }, message));
    this.listening = new Promise<WsAddress>((resolve, reject) => {
      this.resolveListening = resolve;
      this.rejectListening = reject;
    });
    this.listening.catch(() => {});
  }

  /** The token every connection must present. */
  get token(): string {
    return this.opts.token;
  }

  /** Where the server listens, once it does. */
  address(): WsAddress | null {
    return this.addr;
  }

  /** Peers connected right now. */
  get connectionCount(): number {
    return this.conns.size;
  }

  /** Starts the I/O thread; resolves once it listens (see `listening` for the address). */
  async start(onMessage: (msg: unknown, from: Connection) => void): Promise<void> {
    if (this.io) throw new KernelkitError("KK_INTERNAL", "the ws transport was already started");
    if (!existsSync(WORKER_URL)) {
      throw new KernelkitError(
        "KK_WS_NOT_BUILT",
        `the ws transport's I/O thread is missing (${WORKER_URL.pathname})`,
        {
          hint: "Build the workspace first: node scripts/build.mjs",
        },
      );
    }
    this.deliver = onMessage;
    const o = this.opts;
    if (this.mode === "listen" && !isLoopbackHost(o.host)) {
      this.warn(
        "KK_WS_NOT_LOOPBACK",
        `listening on ${o.host}, not loopback: anyone who can reach this address and has the token can run code in this kernel`,
      );
    }
    const data: IoData = {
      config: {
        mode: this.mode,
        host: o.host,
        port: o.port,
        token: o.token,
        allowedOrigins: o.allowedOrigins,
        maxMessageBytes: o.maxMessageBytes,
        maxBufferedBytes: o.maxBufferedBytes,
        stallMs: o.stallMs,
        pingIntervalMs: o.pingIntervalMs,
        page: o.page,
        staticDir: STATIC_URL.href,
        closeTimeoutMs: o.closeTimeoutMs,
        closeCode: CLOSE_SHUTDOWN,
        closeReason: "kernelkit: the kernel is shutting down",
      },
      flow: this.flow.buffer as SharedArrayBuffer,
    };
    if (this.dialUrl !== undefined) data.config.url = this.dialUrl;
    this.io = startIoThread<IoReady>(WORKER_URL, {
      data,
      forwardInterrupts: o.signalInterrupts,
      closeTimeoutMs: o.closeTimeoutMs + 2000,
      onRequest: (text: string, index, outdated) => this.onRequest(text, index, outdated),
      onEnd: (index) => {
        const conn = this.conns.get(index);
        if (conn) conn.closed = true;
        this.conns.delete(index);
        this.peerGone();
      },
      onEvent: (event: IoEvent) => {
        if ("open" in event) this.conns.set(event.open, new WsConnection(this, event.open, event.remote));
        else this.logger[event.log](event.fields ?? {}, event.message);
      },
      onOutput: (text, stream) =>
        this.logger[stream === "stdout" ? "info" : "error"]({ thread: "ws-io" }, text.trimEnd()),
      onExit: (error) => {
        if (error) this.logger.error({ err: error }, "the ws transport's I/O thread failed");
        // Nobody can reach the kernel any more: that is the end of its input.
        this.endInput();
      },
    });
    this.io.ready.then(
      (at) => {
        this.addr = {
          host: at.host,
          port: at.port,
          url: wsUrl(at.host, at.port, this.opts.token),
          pageUrl: pageUrl(at.host, at.port, this.opts.token),
        };
        this.resolveListening(this.addr);
      },
      (reason: IoFailure | Error) => {
        if (reason instanceof Error) {
          this.rejectListening(
            new KernelkitError("KK_WS_IO_THREAD", `the ws transport's I/O thread failed: ${reason.message}`, {
              cause: reason,
            }),
          );
        } else {
          this.rejectListening(new KernelkitError(reason.code, reason.message, { hint: reason.hint }));
        }
      },
    );
    await this.listening;
  }

  private onRequest(text: string, index: number, outdated: boolean): void {
    Atomics.sub(this.flow, FLOW_INBOUND, text.length);
    const conn = this.conns.get(index);
    if (!conn || !this.deliver) return;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return; // the I/O thread parsed it already
    }
    if (outdated) {
      // What ran when this interrupt was read has ended (stopped by the I/O thread's SIGINT, or
      // on its own) and another execution has started since: interrupting now would hit a
      // request queued behind it. Answer it here.
      conn.send({ type: "interrupt_reply", id: (msg as { id: string }).id });
      conn.flush();
      return;
    }
    this.deliver(msg, conn);
  }

  /** Hook for subclasses: a peer went away. */
  protected peerGone(): void {}

  /** Posts to the I/O thread; waits (like a full terminal) when it is far behind. */
  post(m: ToIo, chars: number): void {
    const io = this.io;
    if (!io?.running) return;
    io.post(m);
    if (chars === 0) return;
    const high = this.outboundHighWater;
    let pending = Atomics.add(this.flow, FLOW_OUTBOUND, chars) + chars;
    while (pending > high && io.running) {
      Atomics.wait(this.flow, FLOW_OUTBOUND, pending, 50);
      pending = Atomics.load(this.flow, FLOW_OUTBOUND);
      if (pending <= high / 2) break;
    }
    // A connection is half full: wait until it drains, or the I/O thread cuts it off for stalling.
    while (Atomics.load(this.flow, FLOW_PEER_FULL) === 1 && io.running) {
      Atomics.wait(this.flow, FLOW_PEER_FULL, 1, 50);
    }
  }

  /**
   * Frames posted and not yet handed to a socket: at most a quarter of a connection's bound, so
   * what is in flight cannot push a connection that is half full past the bound before the
   * I/O thread says so.
   */
  private get outboundHighWater(): number {
    return Math.max(64 * 1024, Math.min(OUTBOUND_HIGH_WATER, Math.floor(this.opts.maxBufferedBytes / 4)));
  }

  /** Ends the kernel's input at once, as a client's `{"type":"exit"}` would (e.g. on SIGTERM). */
  endInput(): void {
    if (this.ended) return;
    this.ended = true;
    this.deliver?.(endOfInput({ drain: false }), CONTROL);
  }

  /** Closes every connection with close code 1001 and a reason, stops listening, ends the I/O thread. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const io = this.io;
    if (!io) return;
    for (const conn of this.conns.values()) conn.flush();
    await io.close();
    for (const conn of this.conns.values()) conn.closed = true;
    this.conns.clear();
  }
}

/** The WebSocket server transport: many clients on one kernel, answers only to the asker. */
export class WsTransport extends IoThreadTransport {
  constructor(options: WsTransportOptions & WsHostOptions = {}) {
    super("listen", options);
  }
}

export interface WsDialOptions extends WsTransportOptions, WsHostOptions {
  /** End the kernel's input when the connection closes (default true). */
  exitOnClose?: boolean;
}

/**
 * The dial-out side: the kernel connects to a WebSocket server (an editor, a hub) and serves
 * the requests that arrive on that one connection. The token goes in `Authorization: Bearer`.
 */
export class WsClientTransport extends IoThreadTransport {
  private readonly exitOnClose: boolean;
  constructor(url: string, options: WsDialOptions = {}) {
    const u = new URL(url);
    const token = options.token ?? u.searchParams.get("token") ?? undefined;
    super("connect", { ...options, ...(token ? { token } : {}) }, url);
    this.exitOnClose = options.exitOnClose ?? true;
  }

  protected override peerGone(): void {
    if (this.exitOnClose) this.endInput();
  }
}

/** Factory for config files: `transport: { use: "ws", options: {...} }`. */
export function createWsTransport(options: WsTransportOptions & WsHostOptions = {}): WsTransport {
  return new WsTransport(options);
}
