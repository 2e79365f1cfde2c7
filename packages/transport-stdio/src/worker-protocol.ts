// What the I/O thread and the main thread say to each other.
import type { MessagePort } from "node:worker_threads";
import type { FramingErrorCode } from "./framing.ts";
import type { OutboxShared } from "./outbox.ts";

/**
 * Who reads the request channel. "thread": the I/O thread, always (a terminal or a file, which
 * the main thread cannot read without blocking). "main": the main thread, from its event loop,
 * while no user code blocks it; the I/O thread takes reading over only while a guarded run (a
 * cell) has blocked the main thread for a while, and gives it back as that run ends.
 */
export type ReadMode = "thread" | "main";

/** The I/O thread's settings (`ioThread<IoWorkerData>().data`); core's helper carries the rest. */
export interface IoWorkerData {
  fd: number;
  mode: ReadMode;
  maxFrameBytes: number;
  /** Int32 slots, see below. */
  control: SharedArrayBuffer;
  /** "main" mode: the main thread's unfinished line when the I/O thread takes over ([PARTIAL_LEN] bytes). */
  partial: SharedArrayBuffer;
  /** "main" mode: the main thread's guard state (core's watchGuard). */
  guard: { sab: SharedArrayBuffer; depth: number; seq: number; exitRequest: number } | null;
  /** "main" mode: where the I/O thread posts the bytes it read (Uint8Array) and end of input ({ end }). */
  bytes: MessagePort | null;
  /** Frames the main thread batched, and the fd they go to. */
  outFd: number;
  outbox: OutboxShared;
  /** Write a batch the main thread has held this long. */
  staleMs: number;
  /** After end of input, SIGKILL the process if it is still running this much later (null: never). */
  killAfterEndMs: number | null;
}

// Int32 slots of `control`.
/** 1 once the main thread received end of input. */
export const END_SEEN = 0;
/** "main" mode: 0 the main thread reads; 1 the I/O thread reads; 2 the I/O thread is inside a read. */
export const READER = 1;
/** "main" mode: bumped each time the main thread takes reading back (and with it what the I/O thread read). */
export const RECLAIMS = 2;
/** "main" mode: bytes of the main thread's unfinished line in `partial`, -1 unknown (skip to the next newline). */
export const PARTIAL_LEN = 3;
export const SLOTS = 4;

export const PARTIAL_BYTES = 64 * 1024;

/**
 * I/O thread → main thread ("thread" mode), besides requests and end of input (core's helper
 * posts those): a line that was not a request, which the main thread answers with protocol_error.
 */
export interface FramingErrorEvent {
  code: FramingErrorCode;
  message: string;
}

/** I/O thread → main thread on the bytes port ("main" mode): end of input, or the channel failed. */
export interface BytesEnd {
  end: string | null;
}
