// Messages between the Jupyter transport's main thread and its I/O thread (io-worker.ts). The
// main thread owns shell, iopub and stdin; the I/O thread owns what must work while a cell
// blocks the main thread: the heartbeat and the control channel (docs/jupyter.md).
import type { ErrorCode } from "@kernelkit/core";
import type { ConnectionInfo } from "./connection-file.ts";

export interface IoWorkerData {
  info: ConnectionInfo;
  /** Int32 slots: see INT_ISSUED and the others below. */
  control: SharedArrayBuffer;
  /** core's guard state (processInterrupts().watchGuard): is user code blocking the main thread? */
  guard: { sab: SharedArrayBuffer; depth: number } | null;
  /** Raise SIGINT when an interrupt_request finds the main thread stuck in a cell. */
  signalInterrupts: boolean;
}

/** Interrupt requests the I/O thread received. */
export const INT_ISSUED = 0;
/** Interrupt requests the main thread acted on. */
export const INT_TAKEN = 1;
/** Bumped by the main thread whenever an execute starts. */
export const EXEC_SEQ = 2;
export const CONTROL_SLOTS = 4;

export interface ReceivedMessage {
  identities: Uint8Array[];
  header: Record<string, unknown> & { msg_type: string; msg_id: string };
  parent_header: Record<string, unknown>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

export type FromIo =
  | { t: "ready"; ports: { hb: number; control: number } }
  | { t: "fatal"; code: ErrorCode; message: string }
  | { t: "msg"; m: ReceivedMessage; interrupt?: { n: number; seq: number } }
  | { t: "log"; level: "warn" | "error" | "info"; msg: string; data?: Record<string, unknown> }
  | { t: "closed" };

export type ToIo =
  /** A control reply, encoded and signed by the main thread. */
  { t: "send"; frames: Uint8Array[] } | { t: "close" };
