import { describe, expect, it } from "vitest";
import { encodeFrame, NdjsonDecoder } from "../src/framing.ts";

function decoder(maxFrameBytes?: number) {
  const messages: unknown[] = [];
  const errors: { code: string; message: string }[] = [];
  const d = new NdjsonDecoder({
    ...(maxFrameBytes !== undefined ? { maxFrameBytes } : {}),
    onMessage: (v) => messages.push(v),
    onError: (code, message) => errors.push({ code, message }),
  });
  return { d, messages, errors };
}

const b = (s: string) => Buffer.from(s, "utf8");

describe("NdjsonDecoder", () => {
  it("reassembles a line split across chunks, byte by byte", () => {
    const { d, messages } = decoder();
    const line = b('{"id":"1","type":"execute","code":"1 + 1"}\n');
    for (let i = 0; i < line.length; i++) d.push(line.subarray(i, i + 1));
    expect(messages).toEqual([{ id: "1", type: "execute", code: "1 + 1" }]);
  });

  it("reads several frames from one chunk, in order, and keeps the partial tail", () => {
    const { d, messages } = decoder();
    d.push(b('{"a":1}\n{"a":2}\n{"a"'));
    expect(messages).toEqual([{ a: 1 }, { a: 2 }]);
    d.push(b(":3}\n"));
    expect(messages).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(d.buffered).toBe(0);
  });

  it("decodes multi-byte characters split across chunks", () => {
    const { d, messages } = decoder();
    const text = "héllo → 世界 🎉";
    const bytes = b(`${JSON.stringify({ s: text })}\n`);
    // Cut inside every multi-byte sequence at least once.
    for (let cut = 1; cut < bytes.length - 1; cut++) {
      d.push(bytes.subarray(0, cut));
      d.push(bytes.subarray(cut));
    }
    expect(messages).toHaveLength(bytes.length - 2);
    for (const m of messages) expect(m).toEqual({ s: text });
  });

  it("reports invalid JSON as INVALID_JSON and reads the next line normally", () => {
    const { d, messages, errors } = decoder();
    d.push(b('not json\n{"ok":true}\n{"unterminated": \n'));
    expect(errors.map((e) => e.code)).toEqual(["INVALID_JSON", "INVALID_JSON"]);
    expect(messages).toEqual([{ ok: true }]);
  });

  it("skips an over-long line up to its newline with FRAME_TOO_LARGE, once, across chunks", () => {
    const { d, messages, errors } = decoder(16);
    d.push(b('{"x":"0123456789'));
    d.push(b("0123456789"));
    d.push(b('0123"}\n{"y":1}\n'));
    expect(errors.map((e) => e.code)).toEqual(["FRAME_TOO_LARGE"]);
    expect(errors[0]!.message).toContain("16 bytes");
    expect(messages).toEqual([{ y: 1 }]);
  });

  it("accepts a line of exactly the limit", () => {
    const { d, messages, errors } = decoder(9);
    d.push(b('{"a":123}\n'));
    expect(errors).toEqual([]);
    expect(messages).toEqual([{ a: 123 }]);
  });

  it("ignores blank lines and CRLF endings; a last line without newline counts at end()", () => {
    const { d, messages, errors } = decoder();
    d.push(b('\n  \n{"a":1}\r\n{"b":2}'));
    expect(messages).toEqual([{ a: 1 }]);
    d.end();
    expect(messages).toEqual([{ a: 1 }, { b: 2 }]);
    expect(errors).toEqual([]);
  });

  it("keeps __proto__ as an own key, never as a prototype", () => {
    const { d, messages } = decoder();
    d.push(b('{"__proto__":{"polluted":true},"type":"x"}\n'));
    const m = messages[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(m)).toContain("__proto__");
  });

  it("rejects a non-positive limit", () => {
    expect(() => decoder(0)).toThrow(RangeError);
  });
});

describe("encodeFrame", () => {
  it("writes one line whatever the data holds, and round-trips through the decoder", () => {
    const frame = { type: "stdout", id: "1", data: "a\nb\r\n\u2028 \ud800 end" };
    const line = encodeFrame(frame);
    expect(line.indexOf("\n")).toBe(line.length - 1);
    const { d, messages } = decoder();
    d.push(b(line));
    expect(messages).toEqual([frame]);
  });
});
