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
    try {
      offset += writeSync(fd, data, offset, data.length - offset);
      backoff = 0.05;
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code === "EAGAIN" || e.code === "EWOULDBLOCK" || e.code === "EINTR") {
        pause(backoff);
        backoff = Math.min(backoff * 2, 5);
        continue;
      }
      if (e.code === "EPIPE" || e.code === "ECONNRESET" || e.code === "EBADF" || e.code === "ENOTCONN")
        throw new ChannelClosedError(e);
      throw error;
    }
  }
}
