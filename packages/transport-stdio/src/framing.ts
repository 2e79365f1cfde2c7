// NDJSON framing (docs/protocol.md): one JSON value per `\n`-terminated UTF-8 line. Pure: no I/O,
// so the I/O thread, the host-side client and the tests share it.
//
// Lines are cut on the byte 0x0A, which never occurs inside a multi-byte UTF-8 sequence, and
// decoded only once complete, so a character split across chunks is reassembled for free.

/** The default limit on one incoming line (docs/protocol.md). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export type FramingErrorCode = "INVALID_JSON" | "FRAME_TOO_LARGE";

export interface NdjsonDecoderOptions {
  /** Longest accepted line in bytes, without its newline (default 16 MiB). */
  maxFrameBytes?: number;
  /** Called with each parsed value, in order. */
  onMessage(value: unknown): void;
  /** Called for a line that is not JSON or is over the limit; decoding goes on with the next line. */
  onError(code: FramingErrorCode, message: string): void;
}

const NL = 0x0a;

export class NdjsonDecoder {
  readonly maxFrameBytes: number;
  private parts: Buffer[] = [];
  private size = 0;
  /** Inside an over-long line: drop bytes up to its newline. */
  private discarding = false;
  private readonly onMessage: (value: unknown) => void;
  private readonly onError: (code: FramingErrorCode, message: string) => void;

  constructor(options: NdjsonDecoderOptions) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isInteger(max) || max <= 0) throw new RangeError("maxFrameBytes must be a positive integer");
    this.maxFrameBytes = max;
    this.onMessage = options.onMessage;
    this.onError = options.onError;
  }

  /** Feeds bytes as they arrive; any chunking is fine. */
  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    const end = buf.length;
    // The usual chunk: whole lines, nothing held from before, within the limit. One decode for
    // all of them (a newline byte never occurs inside a UTF-8 sequence), then split the text.
    if (this.size === 0 && !this.discarding && end <= this.maxFrameBytes) {
      const last = buf.lastIndexOf(NL);
      if (last !== -1) {
        const text = buf.toString("utf8", 0, last);
        let from = 0;
        for (;;) {
          const nl = text.indexOf("\n", from);
          if (nl === -1) {
            this.line(from === 0 ? text : text.slice(from));
            break;
          }
          this.line(text.slice(from, nl));
          from = nl + 1;
        }
        start = last + 1;
      }
    }
    while (start < end) {
      const nl = buf.indexOf(NL, start);
      const stop = nl === -1 ? end : nl;
      if (this.discarding) {
        if (nl !== -1) this.discarding = false;
      } else if (this.size + (stop - start) > this.maxFrameBytes) {
        this.tooLarge();
        this.discarding = nl === -1;
      } else if (nl === -1) {
        this.parts.push(buf.subarray(start, stop));
        this.size += stop - start;
      } else if (this.size === 0) {
        this.line(buf.toString("utf8", start, stop));
      } else {
        this.parts.push(buf.subarray(start, stop));
        const line = Buffer.concat(this.parts, this.size + (stop - start)).toString("utf8");
        this.parts = [];
        this.size = 0;
        this.line(line);
      }
      if (nl === -1) break;
      start = nl + 1;
    }
  }

  /** End of input: a last line without its newline still counts. */
  end(): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.size === 0) return;
    const line = Buffer.concat(this.parts, this.size).toString("utf8");
    this.parts = [];
    this.size = 0;
    this.line(line);
  }

  /** Bytes held for an unfinished line. */
  get buffered(): number {
    return this.size;
  }

  /**
   * Copies the bytes of the unfinished line into `target` and returns their count: another
   * decoder fed them, then the rest of the stream, decodes what this one would. -1 when they
   * do not fit, or when this decoder is skipping an over-long line (so should the other).
   */
  copyPartial(target: Uint8Array): number {
    if (this.discarding || this.size > target.length) return -1;
    let at = 0;
    for (const part of this.parts) {
      target.set(part, at);
      at += part.length;
    }
    return at;
  }

  private tooLarge(): void {
    this.parts = [];
    this.size = 0;
    this.onError(
      "FRAME_TOO_LARGE",
      `a line is longer than the frame limit of ${this.maxFrameBytes} bytes; it was skipped up to its newline`,
    );
  }

  private line(text: string): void {
    // Tolerate CRLF and blank lines (keep-alives, hand-typed input).
    let t = text;
    if (t.length > 0 && t.charCodeAt(t.length - 1) === 13) t = t.slice(0, -1);
    if (t.trim().length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch (error) {
      this.onError("INVALID_JSON", `a line is not valid JSON (${(error as Error).message}); it was skipped`);
      return;
    }
    this.onMessage(value);
  }
}

/** One frame as an NDJSON line. JSON.stringify never emits a raw newline and escapes lone surrogates. */
export function encodeFrame(frame: unknown): string {
  return `${JSON.stringify(frame)}\n`;
}
