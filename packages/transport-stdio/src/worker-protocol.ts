// What the I/O thread and the main thread say to each other.
import type { FramingErrorCode } from "./framing.ts";
import type { OutboxShared } from "./outbox.ts";

export interface IoWorkerData {
  fd: number;
  maxFrameBytes: number;
  /** Raise SIGINT on the process when an `interrupt` request is read. */
  signalInterrupts: boolean;
  /**
   * Int32 slots: [SENT] interrupt requests read, [SEEN] interrupt requests the main thread
   * received, [END_SEEN] 1 once the main thread received end of input.
   */
  interrupts: SharedArrayBuffer;
  /** Frames the main thread batched, and the fd they go to. */
  outFd: number;
  outbox: OutboxShared;
  /** Write a batch the main thread has held this long. */
  staleMs: number;
  /** After end of input, SIGKILL the process if it is still running this much later (null: never). */
  killAfterEndMs: number | null;
}

export const SENT = 0;
export const SEEN = 1;
export const END_SEEN = 2;

/** I/O thread → main thread. */
export type IoEvent =
  | { k: "m"; v: unknown }
  | { k: "e"; code: FramingErrorCode; message: string }
  | { k: "end"; reason: string | null };

export function isInterruptRequest(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { type?: unknown }).type === "interrupt"
  );
}
