// The Jupyter wire format (messaging protocol 5.3): a multipart ZeroMQ message is routing
// identities, the `<IDS|MSG>` delimiter, an HMAC-SHA256 signature of the next four frames,
// then header, parent header, metadata and content as JSON, then optional binary buffers.
// Pure functions, so the I/O thread and the tests share them (docs/jupyter.md).
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const DELIMITER = "<IDS|MSG>";
const DELIMITER_BYTES = Buffer.from(DELIMITER);
export const JUPYTER_PROTOCOL_VERSION = "5.3";

export interface JupyterHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
  [key: string]: unknown;
}

export interface JupyterMessage {
  identities: Buffer[];
  header: JupyterHeader;
  parent_header: Record<string, unknown>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
}

/** Signs with the connection file's key; an empty key disables signing (as jupyter_client). */
export class Signer {
  private readonly key: Buffer;

  constructor(key: string, scheme = "hmac-sha256") {
    if (key !== "" && scheme !== "hmac-sha256") throw new Error(`unsupported signature_scheme '${scheme}'`);
    this.key = Buffer.from(key, "utf8");
  }

  get enabled(): boolean {
    return this.key.length > 0;
  }

  sign(parts: readonly Uint8Array[]): string {
    if (!this.enabled) return "";
    const h = createHmac("sha256", this.key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  verify(signature: Uint8Array, parts: readonly Uint8Array[]): boolean {
    if (!this.enabled) return true;
    const expected = Buffer.from(this.sign(parts), "utf8");
    const got = Buffer.from(signature);
    return got.length === expected.length && timingSafeEqual(got, expected);
  }
}

export type DecodeResult =
  | { ok: true; message: JupyterMessage }
  | { ok: false; reason: "malformed" | "signature"; detail: string; identities: Buffer[] };

function parseObject(frame: Buffer, what: string): Record<string, unknown> {
  const value: unknown = JSON.parse(frame.toString("utf8"));
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Splits and checks one received multipart message; never throws. */
export function decodeMessage(frames: readonly Buffer[], signer: Signer): DecodeResult {
  const at = frames.findIndex((f) => f.equals(DELIMITER_BYTES));
  const identities = at > 0 ? frames.slice(0, at) : [];
  if (at < 0) return { ok: false, reason: "malformed", detail: "no <IDS|MSG> delimiter", identities };
  if (frames.length - at - 1 < 5) {
    return {
      ok: false,
      reason: "malformed",
      detail: "fewer than five frames after the delimiter",
      identities,
    };
  }
  const [signature, h, p, m, c] = frames.slice(at + 1, at + 6) as [Buffer, Buffer, Buffer, Buffer, Buffer];
  if (!signer.verify(signature, [h, p, m, c])) {
    return { ok: false, reason: "signature", detail: "bad HMAC signature", identities };
  }
  try {
    const header = parseObject(h, "header") as JupyterHeader;
    if (typeof header.msg_type !== "string" || header.msg_type === "")
      throw new Error("header has no msg_type");
    if (typeof header.msg_id !== "string") throw new Error("header has no msg_id");
    return {
      ok: true,
      message: {
        identities,
        header,
        parent_header: parseObject(p, "parent header"),
        metadata: parseObject(m, "metadata"),
        content: parseObject(c, "content"),
        buffers: frames.slice(at + 6),
      },
    };
  } catch (error) {
    return { ok: false, reason: "malformed", detail: (error as Error).message, identities };
  }
}

export function newHeader(msgType: string, session: string): JupyterHeader {
  return {
    msg_id: randomUUID(),
    msg_type: msgType,
    session,
    username: "kernel",
    date: new Date().toISOString(),
    version: JUPYTER_PROTOCOL_VERSION,
  };
}

/** The frames of one outgoing message. */
export function encodeMessage(
  signer: Signer,
  identities: readonly Uint8Array[],
  header: JupyterHeader,
  parent: unknown,
  metadata: unknown,
  content: unknown,
): Buffer[] {
  const parts = [
    Buffer.from(JSON.stringify(header)),
    Buffer.from(JSON.stringify(parent ?? {})),
    Buffer.from(JSON.stringify(metadata ?? {})),
    Buffer.from(JSON.stringify(content ?? {})),
  ];
  return [
    ...identities.map((i) => Buffer.from(i)),
    DELIMITER_BYTES,
    Buffer.from(signer.sign(parts)),
    ...parts,
  ];
}
