// Signing, verification and the checks a received multipart message goes through.
import { describe, expect, it } from "vitest";
import { DELIMITER, decodeMessage, encodeMessage, newHeader, Signer } from "../src/index.ts";

const KEY = "b4d6e2f0-secret";

function frames(signer: Signer, content: unknown = { code: "1" }): Buffer[] {
  return encodeMessage(signer, [Buffer.from("peer")], newHeader("execute_request", "s"), {}, {}, content);
}

describe("the Jupyter wire format", () => {
  it("round-trips a signed message, keeping routing identities", () => {
    const signer = new Signer(KEY);
    const r = decodeMessage(frames(signer), signer);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message.identities.map(String)).toEqual(["peer"]);
    expect(r.message.header.msg_type).toBe("execute_request");
    expect(r.message.content).toEqual({ code: "1" });
  });

  it("signs with HMAC-SHA256 as jupyter_client does (hex digest over the four JSON frames)", async () => {
    const { createHmac } = await import("node:crypto");
    const f = frames(new Signer(KEY));
    const at = f.findIndex((b) => b.toString() === DELIMITER);
    const h = createHmac("sha256", KEY);
    for (const part of f.slice(at + 2, at + 6)) h.update(part);
    expect(f[at + 1]!.toString()).toBe(h.digest("hex"));
  });

  it("rejects a message signed with another key, or tampered with", () => {
    const r = decodeMessage(frames(new Signer("other")), new Signer(KEY));
    expect(r).toMatchObject({ ok: false, reason: "signature" });
    const f = frames(new Signer(KEY));
    f[f.length - 1] = Buffer.from(JSON.stringify({ code: "evil()" }));
    expect(decodeMessage(f, new Signer(KEY))).toMatchObject({ ok: false, reason: "signature" });
  });

  it("an empty key disables signing (as jupyter_client)", () => {
    const signer = new Signer("");
    const f = frames(signer);
    expect(f[f.findIndex((b) => b.toString() === DELIMITER) + 1]!.length).toBe(0);
    expect(decodeMessage(f, signer).ok).toBe(true);
  });

  it("reports malformed multipart messages instead of throwing", () => {
    const signer = new Signer("");
    const cases: Buffer[][] = [
      [],
      [Buffer.from("no delimiter")],
      [Buffer.from(DELIMITER), Buffer.from("")],
      [
        Buffer.from(DELIMITER),
        Buffer.from(""),
        Buffer.from("{"),
        Buffer.from("{}"),
        Buffer.from("{}"),
        Buffer.from("{}"),
      ],
      [
        Buffer.from(DELIMITER),
        Buffer.from(""),
        Buffer.from("[]"),
        Buffer.from("{}"),
        Buffer.from("{}"),
        Buffer.from("{}"),
      ],
      [
        Buffer.from(DELIMITER),
        Buffer.from(""),
        Buffer.from("{}"),
        Buffer.from("{}"),
        Buffer.from("{}"),
        Buffer.from("{}"),
      ],
    ];
    for (const c of cases) expect(decodeMessage(c, signer)).toMatchObject({ ok: false, reason: "malformed" });
  });
});
