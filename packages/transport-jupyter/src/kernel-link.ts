// The transport's side of the kernel's message loop: kernelkit requests go in through the
// listen loop's `onMessage`, their frames come back on one connection and are routed to the
// Jupyter request that caused them by the request id.
import type { Connection, Frame } from "@kernelkit/core";
import { isTerminalFrame } from "@kernelkit/core/protocol";

interface Pending {
  request: { type: string; run?: unknown };
  onFrame: ((frame: Frame) => void) | undefined;
  resolve: (frame: Frame) => void;
}

export class KernelLink implements Connection {
  readonly id = "jupyter";
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private onMessage: ((msg: unknown, from: Connection) => void) | null = null;
  /** Frames that belong to no request: output a cell's timer wrote after its `done`. */
  onOrphan: (frame: Frame) => void = () => {};

  /** Requests made before the kernel's listen loop attached (the transport starts first). */
  private early: Record<string, unknown>[] = [];

  attach(onMessage: (msg: unknown, from: Connection) => void): void {
    this.onMessage = onMessage;
    for (const m of this.early.splice(0)) onMessage(m, this);
  }

  private deliver(message: Record<string, unknown>): void {
    if (this.onMessage) this.onMessage(message, this);
    else this.early.push(message);
  }

  /** Sends a request to the kernel; resolves with its terminal frame. */
  request(
    request: Record<string, unknown> & { type: string },
    onFrame?: (frame: Frame) => void,
  ): Promise<Frame> {
    const id = `j${++this.seq}`;
    return new Promise<Frame>((resolve) => {
      this.pending.set(id, { request, onFrame, resolve });
      this.deliver({ ...request, id });
    });
  }

  /** Like `request`, without waiting for or tracking the answer (`exit`). */
  notify(message: Record<string, unknown>): void {
    this.deliver(message);
  }

  send(frame: Frame): void {
    const p = frame.id === null ? undefined : this.pending.get(frame.id);
    if (!p) {
      this.onOrphan(frame);
      return;
    }
    if (isTerminalFrame(frame.type, p.request)) {
      this.pending.delete(frame.id!);
      p.onFrame?.(frame);
      p.resolve(frame);
    } else p.onFrame?.(frame);
  }

  flush(): void {}
}
