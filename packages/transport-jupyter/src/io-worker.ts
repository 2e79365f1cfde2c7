// The Jupyter transport's I/O thread: owns every ZeroMQ socket (the main thread never loads
// zeromq), verifies and signs messages, answers the heartbeat — also while a cell blocks the
// main thread — and turns an interrupt_request into SIGINT when the main thread is stuck in
// user code (docs/jupyter.md). One send queue per socket: a ZeroMQ socket takes one send at a time.
import { parentPort, workerData } from "node:worker_threads";
import type * as Zmq from "zeromq";
import { type Channel, endpoint } from "./connection-file.ts";
import { decodeMessage, encodeMessage, newHeader, Signer } from "./wire.ts";
import {
  EXEC_SEQ,
  type FromIo,
  INT_ISSUED,
  INT_TAKEN,
  type IoWorkerData,
  type ReceivedMessage,
  type ToIo,
} from "./worker-protocol.ts";

const data = workerData as IoWorkerData;
const port = parentPort!;
const signer = new Signer(data.info.key, data.info.signatureScheme);
const control = new Int32Array(data.control);
const guardDepth = data.guard ? new Int32Array(data.guard.sab) : null;

function post(m: FromIo): void {
  port.postMessage(m);
}

function log(level: "warn" | "error" | "info", msg: string, extra?: Record<string, unknown>): void {
  post(extra ? { t: "log", level, msg, data: extra } : { t: "log", level, msg });
}

/** Sends one message at a time per socket, in order. */
class SendQueue {
  private readonly queue: Buffer[][] = [];
  private sending = false;
  private idle: (() => void) | null = null;

  constructor(
    private readonly socket: Zmq.Writable & Zmq.Socket,
    private readonly name: string,
  ) {}

  push(frames: Buffer[]): void {
    this.queue.push(frames);
    if (!this.sending) void this.drain();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const frames = this.queue.shift()!;
      try {
        await this.socket.send(frames);
      } catch (error) {
        if (this.socket.closed) break;
        log("warn", `sending on ${this.name} failed`, { error: (error as Error).message });
      }
    }
    this.sending = false;
    this.idle?.();
    this.idle = null;
  }

  drained(): Promise<void> {
    if (!this.sending && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle = resolve;
    });
  }
}

let zmq: typeof Zmq;
const sockets = {} as Record<Channel, Zmq.Socket>;
const queues = {} as Record<"shell" | "control" | "stdin" | "iopub", SendQueue>;
let closing = false;

async function start(): Promise<void> {
  zmq = await import("zeromq");
  const make: Record<Channel, () => Zmq.Socket> = {
    shell: () => new zmq.Router(),
    control: () => new zmq.Router(),
    stdin: () => new zmq.Router(),
    iopub: () => new zmq.Publisher(),
    hb: () => new zmq.Reply(),
  };
  const ports = {} as Record<Channel, number>;
  for (const ch of ["hb", "iopub", "shell", "control", "stdin"] as const) {
    const socket = make[ch]();
    socket.linger = 1000;
    sockets[ch] = socket;
    const address = endpoint(data.info, ch);
    try {
      await socket.bind(address);
    } catch (error) {
      const e = error as { code?: string; message?: string };
      const inUse = e.code === "EADDRINUSE" || /in use/i.test(e.message ?? "");
      post({
        t: "fatal",
        code: inUse ? "KK_JUPYTER_PORT_IN_USE" : "KK_JUPYTER_BIND",
        message: `cannot bind the ${ch} channel to ${address}: ${e.message ?? String(error)}`,
      });
      for (const s of Object.values(sockets)) s.close();
      return;
    }
    const bound = socket.lastEndpoint ?? "";
    ports[ch] = Number(bound.slice(bound.lastIndexOf(":") + 1)) || data.info.ports[ch];
  }
  for (const ch of ["shell", "control", "stdin", "iopub"] as const) {
    queues[ch] = new SendQueue(sockets[ch] as Zmq.Socket & Zmq.Writable, ch);
  }
  void heartbeat(sockets.hb as Zmq.Reply);
  for (const ch of ["shell", "control", "stdin"] as const) void receive(ch, sockets[ch] as Zmq.Router);
  post({ t: "ready", ports });
}

async function heartbeat(hb: Zmq.Reply): Promise<void> {
  try {
    for await (const frames of hb) await hb.send(frames);
  } catch (error) {
    if (!closing) log("error", "the heartbeat stopped", { error: (error as Error).message });
  }
}

async function receive(ch: "shell" | "control" | "stdin", socket: Zmq.Router): Promise<void> {
  try {
    for await (const frames of socket) onFrames(ch, frames);
  } catch (error) {
    if (!closing) log("error", `receiving on ${ch} stopped`, { error: (error as Error).message });
  }
}

function onFrames(ch: "shell" | "control" | "stdin", frames: Buffer[]): void {
  const decoded = decodeMessage(frames, signer);
  if (!decoded.ok) {
    // Jupyter's convention: a message that cannot be trusted or read is dropped and logged,
    // never answered (no parent to answer to) and never executed.
    log("warn", `dropped a message on ${ch}: ${decoded.detail}`, { reason: decoded.reason });
    return;
  }
  const { identities, header, parent_header, metadata, content } = decoded.message;
  const m: ReceivedMessage = { identities, header, parent_header, metadata, content };
  if (ch === "control" && header.msg_type === "interrupt_request") {
    post({ t: "msg", ch, m, interrupt: signalInterrupt() });
    return;
  }
  post({ t: "msg", ch, m });
}

/** How long the main thread may take to pick an interrupt up before it is signalled. */
const SIGNAL_AFTER_MS = 10;
/** Apart by more than the 50 ms core's SIGINT anchors need after passing a signal on. */
const RESIGNAL_MS = 120;
const RESIGNAL_MAX = 200;

/**
 * The main thread acts on the interrupt_request like any message. When it does not within
 * SIGNAL_AFTER_MS and user code holds it (a synchronous loop), SIGINT stops that code —
 * raised again while the request is still not taken and the same execute runs, since a signal
 * that lands just before the cell's guarded run begins is lost.
 */
function signalInterrupt(): { n: number; seq: number } {
  const n = Atomics.add(control, INT_ISSUED, 1) + 1;
  const seq = Atomics.load(control, EXEC_SEQ);
  if (!data.signalInterrupts || !guardDepth || !data.guard) return { n, seq };
  const depthSlot = data.guard.depth;
  let tries = 0;
  const stuck = () =>
    !closing &&
    Atomics.load(control, INT_TAKEN) < n &&
    Atomics.load(control, EXEC_SEQ) === seq &&
    Atomics.load(guardDepth, depthSlot) > 0;
  const first = setTimeout(() => {
    if (!stuck()) return;
    process.kill(process.pid, "SIGINT");
    const again = setInterval(() => {
      if (!stuck() || ++tries > RESIGNAL_MAX) {
        clearInterval(again);
        return;
      }
      process.kill(process.pid, "SIGINT");
    }, RESIGNAL_MS);
  }, SIGNAL_AFTER_MS);
  void first;
  return { n, seq };
}

async function close(): Promise<void> {
  closing = true;
  await Promise.all(Object.values(queues).map((q) => q.drained()));
  for (const s of Object.values(sockets)) s.close();
  post({ t: "closed" });
}

port.on("message", (m: ToIo) => {
  if (m.t === "send") {
    const q = queues[m.ch];
    if (!q) return;
    const frames = encodeMessage(
      signer,
      m.ch === "iopub" ? [Buffer.from(`kernel.${data.session}.${m.type}`)] : m.ids,
      newHeader(m.type, data.session),
      m.parent,
      m.metadata,
      m.content,
    );
    q.push(frames);
  } else if (m.t === "close") {
    void close();
  }
});

start().catch((error: unknown) => {
  post({ t: "fatal", code: "KK_JUPYTER_BIND", message: (error as Error).message ?? String(error) });
});
