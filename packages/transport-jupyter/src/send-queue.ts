// One send queue per socket (docs/jupyter.md): a zeromq.js socket takes one send at a time, and
// a second send while one waits fails with EBUSY — the most common bug of Node Jupyter kernels.
// Shared by the main thread's sockets and the I/O thread's.
import type * as Zmq from "zeromq";

/**
 * Sends one message at a time per socket, in order, without ever leaving one in flight. The
 * Jupyter sockets never need to wait to send (PUB drops at its high-water mark as ipykernel's
 * does, a ROUTER without `mandatory` drops, REP answers the request it holds), so the socket
 * gets `sendTimeout = 0`: zeromq.js documents that a send then resolves immediately — it hands
 * the message to ZeroMQ inside the `send` call. So no send is ever pending when the next one
 * starts (no EBUSY), and a message leaves even while a cell keeps the thread busy: a 1 MiB
 * stream batch is on the wire while the cell prints the next.
 */
export class SendQueue {
  constructor(
    private readonly socket: Zmq.Writable & Zmq.Socket,
    private readonly name: string,
    private readonly log: (msg: string, error: unknown) => void,
  ) {
    socket.sendTimeout = 0;
  }

  push(frames: Buffer[]): void {
    if (this.socket.closed) return;
    this.socket.send(frames).catch((error: unknown) => {
      if (!this.socket.closed) this.log(`sending on ${this.name} failed`, error);
    });
  }
}
