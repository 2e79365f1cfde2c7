// Property-based fuzz of the NDJSON framer (transport-stdio): any chunking of a valid stream
// gives the same frames, bad lines are skipped with one coded error each and never stop the
// next line, and no byte sequence makes the decoder throw.
import { encodeFrame, type FramingErrorCode, NdjsonDecoder } from "@kernelkit/transport-stdio";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

interface Decoded {
  messages: unknown[];
  errors: FramingErrorCode[];
}

function decode(chunks: readonly Uint8Array[], maxFrameBytes?: number): Decoded {
  const out: Decoded = { messages: [], errors: [] };
  const decoder = new NdjsonDecoder({
    ...(maxFrameBytes !== undefined ? { maxFrameBytes } : {}),
    onMessage: (v) => out.messages.push(v),
    onError: (code) => out.errors.push(code),
  });
  for (const c of chunks) decoder.push(c);
  decoder.end();
  return out;
}

/** Cuts `bytes` at the given positions (any byte, also inside a UTF-8 character). */
function cut(bytes: Buffer, positions: readonly number[]): Buffer[] {
  const at = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of at) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  chunks.push(bytes.subarray(prev));
  return chunks;
}

// Full Unicode strings (astral characters too), so cuts fall inside multi-byte sequences.
const value = fc.jsonValue({ stringUnit: "grapheme", maxDepth: 2 });
const normalized = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
const cuts = fc.array(fc.nat(), { maxLength: 40 });

/** A line that is never valid JSON and never blank (and has no newline in it). */
const garbage = fc.string({ unit: "binary", maxLength: 40 }).map((s) => `}${s.replace(/[\n]/g, "")}`);

describe("NdjsonDecoder, fuzzed", () => {
  it("decodes the same frames however the stream is chunked", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 20 }), cuts, fc.boolean(), (values, positions, crlf) => {
        const text = values
          .map((v) => (crlf ? encodeFrame(v).replace(/\n$/, "\r\n") : encodeFrame(v)))
          .join("");
        const out = decode(cut(Buffer.from(text, "utf8"), positions));
        expect(out.errors).toEqual([]);
        expect(out.messages).toEqual(values.map(normalized));
      }),
      { numRuns: 1000 },
    );
  });

  it("skips each bad line with one INVALID_JSON and reads the next line normally", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            value.map((v) => ({ ok: true as const, v })),
            garbage.map((g) => ({ ok: false as const, g })),
          ),
          {
            maxLength: 20,
          },
        ),
        cuts,
        (lines, positions) => {
          const text = lines.map((l) => (l.ok ? encodeFrame(l.v) : `${l.g}\n`)).join("");
          const out = decode(cut(Buffer.from(text, "utf8"), positions));
          expect(out.messages).toEqual(lines.filter((l) => l.ok).map((l) => normalized(l.v)));
          expect(out.errors).toEqual(lines.filter((l) => !l.ok).map(() => "INVALID_JSON"));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("discards an over-long line up to its newline with one FRAME_TOO_LARGE, then goes on", () => {
    const limit = 48;
    fc.assert(
      fc.property(fc.array(value, { maxLength: 15 }), cuts, (values, positions) => {
        const lines = values.map((v) => encodeFrame(v));
        const text = lines.join("");
        const out = decode(cut(Buffer.from(text, "utf8"), positions), limit);
        const fits = (l: string) => Buffer.byteLength(l) - 1 <= limit;
        expect(out.messages).toEqual(values.filter((_, i) => fits(lines[i]!)).map(normalized));
        expect(out.errors).toEqual(lines.filter((l) => !fits(l)).map(() => "FRAME_TOO_LARGE"));
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary bytes, and reports only coded errors", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      // Bytes that look like frames: JSON punctuation, quotes, escapes, newlines, high bytes.
      fc
        .array(fc.constantFrom(...Buffer.from('{}[]":,\\\n\r 0-9eE.tfnul\u00e9\ud83d\ude00x')), {
          maxLength: 200,
        })
        .map((a) => Uint8Array.from(a)),
    );
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 8 }), fc.integer({ min: 1, max: 64 }), (chunks, limit) => {
        const newlines = chunks.reduce((n, c) => n + c.filter((b) => b === 0x0a).length, 0);
        let out: Decoded = { messages: [], errors: [] };
        expect(() => {
          out = decode(chunks, limit);
        }).not.toThrow();
        for (const e of out.errors) expect(["INVALID_JSON", "FRAME_TOO_LARGE"]).toContain(e);
        // At most one outcome per line (the last line may lack its newline).
        expect(out.messages.length + out.errors.length).toBeLessThanOrEqual(newlines + 1);
      }),
      { numRuns: 2000 },
    );
  });
});
