// Frames waiting to be written, encoded in shared memory. The main thread appends and
// flushes (after a terminal frame, or on the frame sink's 10 ms timer); when a cell blocks the
// main thread, the I/O thread writes a batch that has waited too long, so `started` (and any
// frame already made) reaches the client while a synchronous loop runs. A lock in shared
// memory keeps the two writers apart; it is only ever contended while the main thread is stuck.
import { ChannelClosedError, writeAllSync } from "./write-sync.ts";

export interface OutboxShared {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

const LOCK = 0; // 0 free, else the holder (1 main, 2 I/O thread)
const LEN = 1; // bytes batched
const CLOSED = 2; // 1 once a write found the channel closed
const SINCE_OFFSET = 16; // Float64: Date.now() when the batch got its first byte

export const OUTBOX_BYTES = 1024 * 1024;

export function createOutboxShared(bytes = OUTBOX_BYTES): OutboxShared {
  return { control: new SharedArrayBuffer(SINCE_OFFSET + 8), data: new SharedArrayBuffer(bytes) };
}

export class Outbox {
  private readonly ctl: Int32Array;
  private readonly since: Float64Array;
  private readonly buf: Buffer;

  constructor(
    shared: OutboxShared,
    private readonly fd: number,
    private readonly owner: 1 | 2,
  ) {
    this.ctl = new Int32Array(shared.control, 0, 4);
    this.since = new Float64Array(shared.control, SINCE_OFFSET, 1);
    this.buf = Buffer.from(shared.data);
  }

  get length(): number {
    return Atomics.load(this.ctl, LEN);
  }

  get closed(): boolean {
    return Atomics.load(this.ctl, CLOSED) === 1;
  }

  /** Appends one encoded line; a line larger than the outbox is written through at once. */
  append(line: string): void {
    this.lock();
    try {
      let len = Atomics.load(this.ctl, LEN);
      const room = this.buf.length - len;
      let bytes = line.length * 3 <= room ? -1 : Buffer.byteLength(line);
      if (bytes > room) {
        this.flushLocked();
        len = 0;
        if (bytes > this.buf.length) {
          writeAllSync(this.fd, Buffer.from(line, "utf8"));
          return;
        }
      }
      bytes = this.buf.write(line, len, "utf8");
      if (len === 0) this.since[0] = Date.now();
      Atomics.store(this.ctl, LEN, len + bytes);
    } catch (error) {
      this.markClosed(error);
      throw error;
    } finally {
      this.unlock();
    }
  }

  /** Writes the batch; blocks while the channel is full. Throws ChannelClosedError. */
  flush(): void {
    if (Atomics.load(this.ctl, LEN) === 0) return;
    this.lock();
    try {
      this.flushLocked();
    } catch (error) {
      this.markClosed(error);
      throw error;
    } finally {
      this.unlock();
    }
  }

  /** I/O thread: writes the batch if it is older than `maxAgeMs` and nobody else is writing. */
  flushIfStale(maxAgeMs: number): void {
    if (Atomics.load(this.ctl, LEN) === 0 || Date.now() - this.since[0]! < maxAgeMs) return;
    if (Atomics.compareExchange(this.ctl, LOCK, 0, this.owner) !== 0) return;
    try {
      this.flushLocked();
    } catch (error) {
      this.markClosed(error);
      throw error;
    } finally {
      this.unlock();
    }
  }

  /** After the other thread is gone for good (terminated), its lock no longer counts. */
  releaseAbandoned(): void {
    Atomics.store(this.ctl, LOCK, 0);
  }

  private flushLocked(): void {
    const len = Atomics.load(this.ctl, LEN);
    if (len === 0) return;
    Atomics.store(this.ctl, LEN, 0);
    writeAllSync(this.fd, this.buf.subarray(0, len));
  }

  private markClosed(error: unknown): void {
    if (error instanceof ChannelClosedError) {
      Atomics.store(this.ctl, CLOSED, 1);
      Atomics.store(this.ctl, LEN, 0);
    }
  }

  private lock(): void {
    for (;;) {
      const holder = Atomics.compareExchange(this.ctl, LOCK, 0, this.owner);
      if (holder === 0) return;
      Atomics.wait(this.ctl, LOCK, holder, 5);
    }
  }

  private unlock(): void {
    Atomics.store(this.ctl, LOCK, 0);
    Atomics.notify(this.ctl, LOCK);
  }
}
