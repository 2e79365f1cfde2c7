// Synchronous, complete writes to a channel fd. The I/O thread's reader puts the channel in
// non-blocking mode (libuv does), so a full channel answers EAGAIN: we wait and retry, which
// makes a kernel that outruns its client block like a program writing to a terminal.
import { writeSync } from "node:fs";

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

export class ChannelClosedError extends Error {
  readonly code: string;
  constructor(cause: NodeJS.ErrnoException) {
    super(`the frame channel is closed (${cause.code})`, { cause });
    this.name = "ChannelClosedError";
    this.code = cause.code ?? "EPIPE";
  }
}

/**
 * Writes all of `data` to `fd`, retrying partial writes and EAGAIN. Throws ChannelClosedError
 * when the reader is gone (EPIPE, ECONNRESET, EBADF).
 */
export function writeAllSync(fd: number, data: Buffer): void {
  let offset = 0;
  let backoff = 0.05;
  while (offset < data.length) {
    const n = writeSomeSync(fd, data, offset);
    if (n > 0) {
      offset += n;
      backoff = 0.05;
      continue;
    }
    // The reader is behind. It usually drains the pipe within a millisecond (it parses what it
    // read meanwhile), so the wait stays short: a longer one only leaves the pipe idle.
    pause(backoff);
    backoff = Math.min(backoff * 2, 1);
  }
}

/**
 * Writes what `fd` takes now of `data` from `offset`, without waiting; returns the number of
 * bytes written (0 when the channel is full). Throws ChannelClosedError as writeAllSync does.
 */
export function writeSomeSync(fd: number, data: Buffer, offset = 0): number {
  let at = offset;
  // A full channel is an exception from writeSync: without a stack trace it costs a few
  // microseconds instead of tens (a fast cell meets one per pipe-full of output).
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    while (at < data.length) at += writeSync(fd, data, at, data.length - at);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === "EPIPE" || e.code === "ECONNRESET" || e.code === "EBADF" || e.code === "ENOTCONN")
      throw new ChannelClosedError(e);
    // EINTR and EAGAIN: what was written counts; the caller tries again.
    if (e.code !== "EINTR" && e.code !== "EAGAIN" && e.code !== "EWOULDBLOCK") throw error;
  } finally {
    Error.stackTraceLimit = limit;
  }
  return at - offset;
}
