// A transport inside the process, for embedding a kernel and for tests.
import type { Connection, Frame, Transport } from "../contract/transport.ts";
export interface MemoryClient {
  /** Sends a raw message (any JSON value), as a client would write it. */
  send(message: unknown): void;
  /** Sends a request and resolves with its terminal frame; `onFrame` sees every frame of it. */
  request(request: Record<string, unknown>, onFrame?: (frame: Frame) => void): Promise<Frame>;
  onFrame(listener: (frame: Frame) => void): () => void;
  /** Ends input (the kernel sees end of channel). */
  close(): void;
}

/** A transport and its client in one process; messages are copied through JSON like on a wire. */
export function createMemoryTransport(): { transport: Transport; client: MemoryClient } {
  let deliver: ((msg: unknown, from: Connection) => void) | null = null;
  const listeners = new Set<(frame: Frame) => void>();
  let closed = false;
  let counter = 0;
  const connection: Connection = {
    id: "memory",
    send(frame: Frame) {
      if (closed) return;
      const copy = JSON.parse(JSON.stringify(frame)) as Frame;
      for (const l of [...listeners]) l(copy);
    },
  };
  const transport: Transport = {
    name: "memory",
    start(onMessage) {
      deliver = onMessage;
      return Promise.resolve();
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
  const client: MemoryClient = {
    send(message) {
      const copy = JSON.parse(JSON.stringify(message));
      queueMicrotask(() => deliver?.(copy, connection));
    },
    onFrame(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    request(request, onFrame) {
      const id = typeof request.id === "string" ? request.id : `m${++counter}`;
      return new Promise((resolve) => {
        const off = client.onFrame((frame) => {
          if (frame.id !== id) return;
          onFrame?.(frame);
          const terminal =
            frame.type === "done" ||
            frame.type === "run_done" ||
            frame.type.endsWith("_reply") ||
            (frame.type === "graph" && request.type === "set_cells" && !request.run);
          if (terminal) {
            off();
            resolve(frame);
          }
        });
        client.send({ ...request, id });
      });
    },
    close() {
      queueMicrotask(() => deliver?.({ type: "exit" }, connection));
    },
  };
  return { transport, client };
}
