// Messages between the Jupyter transport's main-thread side and its I/O thread (io-worker.ts).
import type { Channel, ConnectionInfo } from "./connection-file.ts";

export interface IoWorkerData {
  info: ConnectionInfo;
  session: string;
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
  | { t: "ready"; ports: Record<Channel, number> }
  | { t: "fatal"; code: string; message: string }
  | {
      t: "msg";
      ch: "shell" | "control" | "stdin";
      m: ReceivedMessage;
      interrupt?: { n: number; seq: number };
    }
  | { t: "log"; level: "warn" | "error" | "info"; msg: string; data?: Record<string, unknown> }
  | { t: "closed" };

export type ToIo =
  | {
      t: "send";
      ch: "shell" | "control" | "stdin" | "iopub";
      ids: Uint8Array[];
      type: string;
      parent: unknown;
      metadata: unknown;
      content: unknown;
    }
  | { t: "close" };
