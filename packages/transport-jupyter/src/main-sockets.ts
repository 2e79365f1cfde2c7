// The sockets the main thread owns: shell and stdin (ROUTER) and iopub (PUB). A request and its
// output never cross threads — the round trip through jupyter_client is ZeroMQ's and the
// kernel's own (docs/jupyter.md "Threads"). A shell request that arrives while a cell blocks the
// main thread waits in ZeroMQ's queue, which is Jupyter's order anyway; an input_reply is
// awaited asynchronously (prompt() and input() return to the event loop), so stdin is here too.
// It imports no value from core: the early bind (early.ts) opens these sockets before core loads.
import { createRequire } from "node:module";
import type { ErrorCode } from "@kernelkit/core";
import type * as Zmq from "zeromq";
import { bindChannel } from "./bind-channel.ts";
import type { ConnectionInfo } from "./connection-info.ts";
import { SendQueue } from "./send-queue.ts";
import { decodeMessage, type Signer } from "./wire.ts";
import type { ReceivedMessage } from "./worker-protocol.ts";

export type MainChannel = "shell" | "stdin" | "iopub";

export interface MainSocketEvents {
  message(ch: "shell" | "stdin", m: ReceivedMessage): void;
  log(level: "warn" | "error", msg: string, data: Record<string, unknown>): void;
}

/** A socket that could not bind: the transport throws it as the coded error. */
export class BindFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

type Held =
  | { kind: "message"; ch: "shell" | "stdin"; m: ReceivedMessage }
  | { kind: "log"; msg: string; data: Record<string, unknown> };

export class MainSockets {
  readonly ports: Record<MainChannel, number>;
  private readonly sockets: Record<MainChannel, Zmq.Socket>;
  private readonly queues: Record<MainChannel, SendQueue>;
  private closing = false;
  /** Who reads: until `listen`, what arrives is held, in order. */
  private events: MainSocketEvents | null = null;
  private held: Held[] = [];

  private constructor(
    sockets: Record<MainChannel, Zmq.Socket>,
    ports: Record<MainChannel, number>,
    private readonly signer: Signer,
  ) {
    this.sockets = sockets;
    this.ports = ports;
    const log = (msg: string, error: unknown) =>
      this.events?.log("warn", msg, { error: (error as Error).message ?? String(error) });
    const q = (ch: MainChannel) => new SendQueue(sockets[ch] as Zmq.Socket & Zmq.Writable, ch, log);
    this.queues = { shell: q("shell"), stdin: q("stdin"), iopub: q("iopub") };
    void this.receive("shell");
    void this.receive("stdin");
  }

  /**
   * Binds the three sockets, shell first (a launcher's first request comes there) and starts
   * reading; what arrives is held until `listen`. A failure closes them and throws BindFailure.
   */
  static async open(info: ConnectionInfo, signer: Signer): Promise<MainSockets> {
    // require, not import(): zeromq is CommonJS, and the early bind wants it loaded soonest.
    const zmq = createRequire(import.meta.url)("zeromq") as typeof Zmq;
    const sockets: Record<MainChannel, Zmq.Socket> = {
      shell: new zmq.Router(),
      iopub: new zmq.Publisher(),
      stdin: new zmq.Router(),
    };
    const ports = {} as Record<MainChannel, number>;
    for (const ch of ["shell", "iopub", "stdin"] as const) {
      const r = await bindChannel(sockets[ch], info, ch);
      if (!r.ok) {
        for (const s of Object.values(sockets)) s.close();
        throw new BindFailure(r.code, r.message, r.hint);
      }
      ports[ch] = r.port;
    }
    return new MainSockets(sockets, ports, signer);
  }

  /** Hands what arrives (and what was held) to `events` from now on. */
  listen(events: MainSocketEvents): void {
    this.events = events;
    for (const h of this.held.splice(0)) {
      if (h.kind === "message") events.message(h.ch, h.m);
      else events.log("warn", h.msg, h.data);
    }
  }

  private async receive(ch: "shell" | "stdin"): Promise<void> {
    const socket = this.sockets[ch] as Zmq.Router;
    try {
      for await (const frames of socket) {
        const decoded = decodeMessage(frames, this.signer);
        if (!decoded.ok) {
          // Jupyter's convention: a message that cannot be trusted or read is dropped and
          // logged, never answered (no parent to answer to) and never executed.
          const msg = `dropped a message on ${ch}: ${decoded.detail}`;
          const data = { reason: decoded.reason };
          if (this.events) this.events.log("warn", msg, data);
          else this.held.push({ kind: "log", msg, data });
          continue;
        }
        const { identities, header, parent_header, metadata, content } = decoded.message;
        const m: ReceivedMessage = { identities, header, parent_header, metadata, content };
        if (this.events) this.events.message(ch, m);
        else this.held.push({ kind: "message", ch, m });
      }
    } catch (error) {
      if (!this.closing) {
        this.events?.log("error", `receiving on ${ch} stopped`, { error: (error as Error).message });
      }
    }
  }

  send(ch: MainChannel, frames: Buffer[]): void {
    this.queues[ch].push(frames);
  }

  close(): void {
    this.closing = true;
    for (const s of Object.values(this.sockets)) s.close();
  }
}
