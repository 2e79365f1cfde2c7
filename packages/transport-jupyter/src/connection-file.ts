// Reads and checks a Jupyter connection file (the JSON a launcher writes and passes as
// `{connection_file}`): where to bind the five sockets and how to sign messages.
import { readFileSync } from "node:fs";
import { KernelkitError } from "@kernelkit/core";

export const CHANNELS = ["shell", "control", "stdin", "iopub", "hb"] as const;
export type Channel = (typeof CHANNELS)[number];

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signatureScheme: string;
  ports: Record<Channel, number>;
}

function invalid(path: string, why: string): KernelkitError {
  return new KernelkitError("KK_JUPYTER_CONNECTION_FILE", `connection file ${path}: ${why}`, {
    hint: "Start the kernel from its kernelspec (a Jupyter front-end writes the connection file), or pass a file with ip, transport, key, signature_scheme and shell_port, iopub_port, stdin_port, control_port, hb_port.",
  });
}

export function readConnectionFile(path: string): ConnectionInfo {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KernelkitError(
      "KK_JUPYTER_CONNECTION_FILE",
      `connection file ${path} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`,
      {
        hint: "Pass the file a Jupyter launcher wrote: --connection-file {connection_file} in the kernelspec.",
      },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(path, `not JSON (${(error as Error).message})`);
  }
  return parseConnectionInfo(raw, path);
}

export function parseConnectionInfo(raw: unknown, path = "(inline)"): ConnectionInfo {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalid(path, "not a JSON object");
  const o = raw as Record<string, unknown>;
  const transport = o.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc")
    throw invalid(path, `transport '${String(transport)}' is not tcp or ipc`);
  const ip = o.ip ?? "127.0.0.1";
  if (typeof ip !== "string" || ip === "") throw invalid(path, "ip is not a string");
  const key = o.key ?? "";
  if (typeof key !== "string") throw invalid(path, "key is not a string");
  const signatureScheme = o.signature_scheme ?? "hmac-sha256";
  if (signatureScheme !== "hmac-sha256") {
    throw invalid(path, `signature_scheme '${String(signatureScheme)}' is not supported (only hmac-sha256)`);
  }
  const ports = {} as Record<Channel, number>;
  for (const ch of CHANNELS) {
    const p = o[`${ch}_port`];
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 65535) {
      throw invalid(path, `${ch}_port is missing or not a port number`);
    }
    ports[ch] = p;
  }
  return { transport, ip, key, signatureScheme, ports };
}
