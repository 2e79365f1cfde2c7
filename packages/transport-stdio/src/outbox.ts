// Frames waiting to be written, encoded in shared memory. The main thread appends and
// flushes (after a terminal frame, or on the frame sink's 10 ms timer); when a cell blocks the
// main thread, the I/O thread writes a batch that has waited too long, so `started` (and any
// frame already made) reaches the client while a synchronous loop runs. A lock in shared
// memory keeps the two writers apart; it is only ever contended while the main thread is stuck.
// While a cell prints, the main thread's flushes write only what the channel takes at once
// (flush(true)): the cell goes on printing while the client reads, instead of waiting for it.
import { ChannelClosedError, writeAllSync, writeSomeSync } from "./write-sync.ts";

export interface OutboxShared {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

const LOCK = 0; // 0 free, else the holder (1 main, 2 I/O thread)
const LEN = 1; // bytes batched
const CLOSED = 2; // 1 once a write found the channel closed
const TAIL = 3; // 1 while the batch is what a partial flush left: the main thread is still flushing
const SINCE_OFFSET = 16; // Float64: Date.now() when the batch got its first byte

/** Room for a few coalesced frames (the frame sink cuts one at 1 MiB of text) behind a partial write. */
export const OUTBOX_BYTES = 4 * 1024 * 1024;

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
      const bytes = Buffer.byteLength(line, "utf8");
      if (bytes > room) {
        // Room the reader made meanwhile is enough; else wait for it to take the whole batch.
        this.flushLocked(true);
        len = Atomics.load(this.ctl, LEN);
        if (bytes > this.buf.length - len) {
          this.flushLocked(false);
          len = 0;
          if (bytes > this.buf.length) {
            writeAllSync(this.fd, Buffer.from(line, "utf8"));
            return;
          }
        }
      }
      // As many bytes as characters: all ASCII, which latin1 copies as is (utf8 encoding
      // looks at every character; a megabyte of output takes milliseconds longer).
      this.buf.write(line, len, bytes === line.length ? "latin1" : "utf8");
      if (len === 0) this.since[0] = Date.now();
      Atomics.store(this.ctl, LEN, len + bytes);
    } catch (error) {
      this.markClosed(error);
      throw error;
    } finally {
      this.unlock();
    }
  }

  /**
   * Writes the batch; blocks while the channel is full. `partial`: writes only what the channel
   * takes now, and keeps the rest batched, in order, for the next flush (or for the I/O thread
   * once that rest is stale). Throws ChannelClosedError.
   */
  flush(partial = false): void {
    if (Atomics.load(this.ctl, LEN) === 0) return;
    this.lock();
    try {
      this.flushLocked(partial);
    } catch (error) {
      this.markClosed(error);
      throw error;
    } finally {
      this.unlock();
    }
  }

  /** I/O thread: writes the batch if it is older than `maxAgeMs` and nobody else is writing. */
  flushIfStale(maxAgeMs: number): void {
    if (Atomics.load(this.ctl, LEN) === 0) return;
    // A partial flush's rest waits twice as long: the printing cell's own next flush comes
    // within maxAgeMs, and a blocking write from here would stall that cell on the lock.
    const age = Atomics.load(this.ctl, TAIL) === 1 ? 2 * maxAgeMs : maxAgeMs;
    if (Date.now() - this.since[0]! < age) return;
    if (Atomics.compareExchange(this.ctl, LOCK, 0, this.owner) !== 0) return;
    try {
      this.flushLocked(false);
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

  private flushLocked(partial: boolean): void {
    const len = Atomics.load(this.ctl, LEN);
    if (len === 0) return;
    Atomics.store(this.ctl, TAIL, 0);
    if (!partial) {
      Atomics.store(this.ctl, LEN, 0);
      writeAllSync(this.fd, this.buf.subarray(0, len));
      return;
    }
    const written = writeSomeSync(this.fd, this.buf.subarray(0, len));
    if (written === len) {
      Atomics.store(this.ctl, LEN, 0);
      return;
    }
    // The rest moves to the front; its age starts now, so the I/O thread leaves it to this
    // thread's next flush unless this thread stops flushing (a cell blocking without printing).
    if (written > 0) this.buf.copy(this.buf, 0, written, len);
    this.since[0] = Date.now();
    Atomics.store(this.ctl, TAIL, 1);
    Atomics.store(this.ctl, LEN, len - written);
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
