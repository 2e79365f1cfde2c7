// Reads and checks a Jupyter connection file (the JSON a launcher writes and passes as
// `{connection_file}`): where to bind the five sockets and how to sign messages.
import { readFileSync } from "node:fs";
import { KernelkitError } from "@kernelkit/core";
import { type ConnectionInfo, checkConnectionInfo } from "./connection-info.ts";

export type { Channel, ConnectionInfo } from "./connection-info.ts";
export { CHANNELS } from "./connection-info.ts";

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
  const info = checkConnectionInfo(raw);
  if (typeof info === "string") throw invalid(path, info);
  return info;
}
