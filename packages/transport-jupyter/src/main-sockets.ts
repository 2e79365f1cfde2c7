// The sockets the main thread owns: shell and stdin (ROUTER) and iopub (PUB). A request and its
// output never cross threads — the round trip through jupyter_client is ZeroMQ's and the
// kernel's own (docs/jupyter.md "Threads"). A shell request that arrives while a cell blocks the
// main thread waits in ZeroMQ's queue, which is Jupyter's order anyway; an input_reply is
// awaited asynchronously (prompt() and input() return to the event loop), so stdin is here too.
import { KernelkitError } from "@kernelkit/core";
import type * as Zmq from "zeromq";
import { bindChannel } from "./bind-channel.ts";
import type { ConnectionInfo } from "./connection-file.ts";
import { SendQueue } from "./send-queue.ts";
import { decodeMessage, type Signer } from "./wire.ts";
import type { ReceivedMessage } from "./worker-protocol.ts";

export type MainChannel = "shell" | "stdin" | "iopub";

export interface MainSocketEvents {
  message(ch: "shell" | "stdin", m: ReceivedMessage): void;
  log(level: "warn" | "error", msg: string, data: Record<string, unknown>): void;
}

export class MainSockets {
  readonly ports: Record<MainChannel, number>;
  private readonly sockets: Record<MainChannel, Zmq.Socket>;
  private readonly queues: Record<MainChannel, SendQueue>;
  private closing = false;

  private constructor(
    sockets: Record<MainChannel, Zmq.Socket>,
    ports: Record<MainChannel, number>,
    private readonly signer: Signer,
    private readonly events: MainSocketEvents,
  ) {
    this.sockets = sockets;
    this.ports = ports;
    const log = (msg: string, error: unknown) =>
      events.log("warn", msg, { error: (error as Error).message ?? String(error) });
    const q = (ch: MainChannel) => new SendQueue(sockets[ch] as Zmq.Socket & Zmq.Writable, ch, log);
    this.queues = { shell: q("shell"), stdin: q("stdin"), iopub: q("iopub") };
  }

  /** Binds the three sockets (reading starts with `listen`); a failure closes them and throws the coded error. */
  static async open(info: ConnectionInfo, signer: Signer, events: MainSocketEvents): Promise<MainSockets> {
    const zmq = await import("zeromq");
    const sockets: Record<MainChannel, Zmq.Socket> = {
      iopub: new zmq.Publisher(),
      shell: new zmq.Router(),
      stdin: new zmq.Router(),
    };
    const ports = {} as Record<MainChannel, number>;
    for (const ch of ["iopub", "shell", "stdin"] as const) {
      const r = await bindChannel(sockets[ch], info, ch);
      if (!r.ok) {
        for (const s of Object.values(sockets)) s.close();
        throw new KernelkitError(r.code, r.message, { hint: r.hint });
      }
      ports[ch] = r.port;
    }
    return new MainSockets(sockets, ports, signer, events);
  }

  /** Starts reading shell and stdin (once the owner can send the replies). */
  listen(): void {
    void this.receive("shell");
    void this.receive("stdin");
  }

  private async receive(ch: "shell" | "stdin"): Promise<void> {
    const socket = this.sockets[ch] as Zmq.Router;
    try {
      for await (const frames of socket) {
        const decoded = decodeMessage(frames, this.signer);
        if (!decoded.ok) {
          // Jupyter's convention: a message that cannot be trusted or read is dropped and
          // logged, never answered (no parent to answer to) and never executed.
          this.events.log("warn", `dropped a message on ${ch}: ${decoded.detail}`, {
            reason: decoded.reason,
          });
          continue;
        }
        const { identities, header, parent_header, metadata, content } = decoded.message;
        this.events.message(ch, { identities, header, parent_header, metadata, content });
      }
    } catch (error) {
      if (!this.closing) {
        this.events.log("error", `receiving on ${ch} stopped`, { error: (error as Error).message });
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
