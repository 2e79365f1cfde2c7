// The Jupyter transport's I/O thread, built on core's helper (`ioThread()`, docs/transports.md):
// it owns what must keep working while a cell blocks the main thread — the heartbeat (hb echoes
// every ping) and the control channel, whose requests go to the main thread through the helper,
// so an interrupt_request the main thread cannot take becomes SIGINT (docs/jupyter.md "Threads").
// Shell, iopub and stdin live on the main thread: requests there wait for the running cell
// anyway, and output leaves without crossing threads.
import { ioThread } from "@kernelkit/core/io-thread";
import type * as Zmq from "zeromq";
import { bindChannel } from "./bind-channel.ts";
import { SendQueue } from "./send-queue.ts";
import { decodeMessage, Signer } from "./wire.ts";
import type { IoFailure, IoLog, IoThreadData, ReceivedMessage, ToIo } from "./worker-protocol.ts";

const io = ioThread<IoThreadData>();
const { info, guard } = io.data;
const signer = new Signer(info.key, info.signatureScheme);
const guardDepth = guard ? new Int32Array(guard.sab) : null;

function log(level: IoLog["level"], msg: string, data?: Record<string, unknown>): void {
  io.event({ level, msg, data: data ?? {} } satisfies IoLog);
}

let hb: Zmq.Reply | null = null;
let control: Zmq.Router | null = null;
let controlQueue: SendQueue | null = null;
let closing = false;

async function start(): Promise<void> {
  const zmq = await import("zeromq");
  hb = new zmq.Reply();
  control = new zmq.Router();
  const hbBound = await bindChannel(hb, info, "hb");
  const controlBound = hbBound.ok ? await bindChannel(control, info, "control") : hbBound;
  if (!hbBound.ok || !controlBound.ok) {
    const failed = !hbBound.ok ? hbBound : (controlBound as Extract<typeof controlBound, { ok: false }>);
    hb.close();
    control.close();
    io.fail({ code: failed.code, message: failed.message } satisfies IoFailure);
    return;
  }
  controlQueue = new SendQueue(control, "control", (msg, error) =>
    log("warn", msg, { error: (error as Error).message }),
  );
  void heartbeat(hb);
  void receive(control);
  io.ready({ hb: hbBound.port, control: controlBound.port });
}

async function heartbeat(socket: Zmq.Reply): Promise<void> {
  try {
    for await (const frames of socket) await socket.send(frames);
  } catch (error) {
    if (!closing) log("error", "the heartbeat stopped", { error: (error as Error).message });
  }
}

/** Whether user code holds the main thread (core's guard): only then is SIGINT the way in. */
const inUserCode = () => guardDepth === null || Atomics.load(guardDepth, guard!.depth) > 0;

async function receive(socket: Zmq.Router): Promise<void> {
  try {
    for await (const frames of socket) {
      const decoded = decodeMessage(frames, signer);
      if (!decoded.ok) {
        // Jupyter's convention: a message that cannot be trusted or read is dropped and logged,
        // never answered (no parent to answer to) and never executed.
        log("warn", `dropped a message on control: ${decoded.detail}`, { reason: decoded.reason });
        continue;
      }
      const { identities, header, parent_header, metadata, content } = decoded.message;
      const m: ReceivedMessage = { identities, header, parent_header, metadata, content };
      // The helper forwards an interrupt_request the main thread has not taken within 10 ms by
      // SIGINT, while a cell's code holds the main thread (not while the kernel's own code does).
      io.request(m, 0, { interrupt: header.msg_type === "interrupt_request", stillWanted: inUserCode });
    }
  } catch (error) {
    if (!closing) log("error", "receiving on control stopped", { error: (error as Error).message });
  }
}

io.onMessage((m) => {
  // A control reply, encoded and signed by the main thread.
  controlQueue?.push((m as ToIo).frames as Buffer[]);
});

io.onClose(() => {
  closing = true;
  hb?.close();
  control?.close();
});

start().catch((error: unknown) => {
  io.fail({
    code: "KK_JUPYTER_BIND",
    message: (error as Error).message ?? String(error),
  } satisfies IoFailure);
});
