// What a Jupyter connection file holds, checked without the rest of core: the early bind
// (early.ts) reads it before core loads; connection-file.ts turns a problem into the coded error.
export const CHANNELS = ["shell", "control", "stdin", "iopub", "hb"] as const;
export type Channel = (typeof CHANNELS)[number];

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signatureScheme: string;
  ports: Record<Channel, number>;
}

/** The connection info in a parsed connection file, or why it is not one. */
export function checkConnectionInfo(raw: unknown): ConnectionInfo | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "not a JSON object";
  const o = raw as Record<string, unknown>;
  const transport = o.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") return `transport '${String(transport)}' is not tcp or ipc`;
  const ip = o.ip ?? "127.0.0.1";
  if (typeof ip !== "string" || ip === "") return "ip is not a string";
  const key = o.key ?? "";
  if (typeof key !== "string") return "key is not a string";
  const signatureScheme = o.signature_scheme ?? "hmac-sha256";
  if (signatureScheme !== "hmac-sha256") {
    return `signature_scheme '${String(signatureScheme)}' is not supported (only hmac-sha256)`;
  }
  const ports = {} as Record<Channel, number>;
  for (const ch of CHANNELS) {
    const p = o[`${ch}_port`];
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 65535) {
      return `${ch}_port is missing or not a port number`;
    }
    ports[ch] = p;
  }
  return { transport, ip, key, signatureScheme, ports };
}
