// What the Jupyter transport's main thread and its I/O thread (io-worker.ts) exchange through
// core's I/O-thread helper. The main thread owns shell, iopub and stdin; the I/O thread owns
// what must work while a cell blocks the main thread: the heartbeat and the control channel
// (docs/jupyter.md "Threads").
import type { ErrorCode } from "@kernelkit/core";
import type { ConnectionInfo } from "./connection-info.ts";

/** The I/O thread's settings (`startIoThread`'s `data`). */
export interface IoThreadData {
  info: ConnectionInfo;
  /** core's guard state (processInterrupts().watchGuard): is user code blocking the main thread? */
  guard: { sab: SharedArrayBuffer; depth: number } | null;
}

/** A request read on control (`onRequest`), decoded and verified. */
export interface ReceivedMessage {
  identities: Uint8Array[];
  header: Record<string, unknown> & { msg_type: string; msg_id: string };
  parent_header: Record<string, unknown>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

/** `ready`: the ports the I/O thread bound. */
export type IoPorts = { hb: number; control: number };
/** `fail`: why it could not bind. */
export type IoFailure = { code: ErrorCode; message: string };
/** `event`: a log line. */
export type IoLog = { level: "warn" | "error" | "info"; msg: string; data: Record<string, unknown> };

/** Main thread → I/O thread: a control reply, encoded and signed. */
export type ToIo = { frames: Uint8Array[] };
