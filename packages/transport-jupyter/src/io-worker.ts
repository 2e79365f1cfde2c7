// The Jupyter transport's I/O thread: owns what must keep working while a cell blocks the main
// thread — the heartbeat (hb echoes every ping) and the control channel, where an
// interrupt_request becomes SIGINT when the main thread is stuck in user code (docs/jupyter.md).
// Shell, iopub and stdin live on the main thread: requests there wait for the running cell
// anyway, and output leaves without crossing threads.
import { parentPort, workerData } from "node:worker_threads";
import type * as Zmq from "zeromq";
import { bindChannel } from "./bind-channel.ts";
import { SendQueue } from "./send-queue.ts";
import { decodeMessage, Signer } from "./wire.ts";
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
const slots = new Int32Array(data.control);
const guardDepth = data.guard ? new Int32Array(data.guard.sab) : null;

function post(m: FromIo): void {
  port.postMessage(m);
}

function log(level: "warn" | "error" | "info", msg: string, extra?: Record<string, unknown>): void {
  post(extra ? { t: "log", level, msg, data: extra } : { t: "log", level, msg });
}

let hb: Zmq.Reply | null = null;
let control: Zmq.Router | null = null;
let controlQueue: SendQueue | null = null;
let closing = false;

async function bind(socket: Zmq.Socket, ch: "hb" | "control"): Promise<number | null> {
  const r = await bindChannel(socket, data.info, ch);
  if (r.ok) return r.port;
  post({ t: "fatal", code: r.code, message: r.message });
  return null;
}

async function start(): Promise<void> {
  const zmq = await import("zeromq");
  hb = new zmq.Reply();
  control = new zmq.Router();
  const hbPort = await bind(hb, "hb");
  const controlPort = hbPort === null ? null : await bind(control, "control");
  if (hbPort === null || controlPort === null) {
    hb.close();
    control.close();
    return;
  }
  controlQueue = new SendQueue(control, "control", (msg, error) =>
    log("warn", msg, { error: (error as Error).message }),
  );
  void heartbeat(hb);
  void receive(control);
  post({ t: "ready", ports: { hb: hbPort, control: controlPort } });
}

async function heartbeat(socket: Zmq.Reply): Promise<void> {
  try {
    for await (const frames of socket) await socket.send(frames);
  } catch (error) {
    if (!closing) log("error", "the heartbeat stopped", { error: (error as Error).message });
  }
}

async function receive(socket: Zmq.Router): Promise<void> {
  try {
    for await (const frames of socket) onFrames(frames);
  } catch (error) {
    if (!closing) log("error", "receiving on control stopped", { error: (error as Error).message });
  }
}

function onFrames(frames: Buffer[]): void {
  const decoded = decodeMessage(frames, signer);
  if (!decoded.ok) {
    // Jupyter's convention: a message that cannot be trusted or read is dropped and logged,
    // never answered (no parent to answer to) and never executed.
    log("warn", `dropped a message on control: ${decoded.detail}`, { reason: decoded.reason });
    return;
  }
  const { identities, header, parent_header, metadata, content } = decoded.message;
  const m: ReceivedMessage = { identities, header, parent_header, metadata, content };
  if (header.msg_type === "interrupt_request") {
    post({ t: "msg", m, interrupt: signalInterrupt() });
    return;
  }
  post({ t: "msg", m });
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
  const n = Atomics.add(slots, INT_ISSUED, 1) + 1;
  const seq = Atomics.load(slots, EXEC_SEQ);
  if (!data.signalInterrupts || !guardDepth || !data.guard) return { n, seq };
  const depthSlot = data.guard.depth;
  let tries = 0;
  const stuck = () =>
    !closing &&
    Atomics.load(slots, INT_TAKEN) < n &&
    Atomics.load(slots, EXEC_SEQ) === seq &&
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

function close(): void {
  closing = true;
  hb?.close();
  control?.close();
  post({ t: "closed" });
}

port.on("message", (m: ToIo) => {
  if (m.t === "send") controlQueue?.push(m.frames as Buffer[]);
  else if (m.t === "close") close();
});

start().catch((error: unknown) => {
  post({ t: "fatal", code: "KK_JUPYTER_BIND", message: (error as Error).message ?? String(error) });
});
