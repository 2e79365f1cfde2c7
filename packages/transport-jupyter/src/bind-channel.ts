// Binding one Jupyter channel's socket where the connection file says, on either thread; a
// failure is reported as the coded error serve prints (a port in use is the common one). It
// imports no value from core: the I/O thread loads only `@kernelkit/core/io-thread`.
import type { ErrorCode } from "@kernelkit/core";
import type * as Zmq from "zeromq";
import type { Channel, ConnectionInfo } from "./connection-info.ts";

export type BindResult =
  | { ok: true; port: number }
  | { ok: false; code: ErrorCode; message: string; hint: string };

export function bindHint(code: ErrorCode): string {
  return code === "KK_JUPYTER_PORT_IN_USE"
    ? "Another process holds that port: let the launcher pick free ports (start the kernel again), or free the port."
    : "Check the connection file's ip and transport.";
}

export async function bindChannel(
  socket: Zmq.Socket,
  info: ConnectionInfo,
  ch: Channel,
): Promise<BindResult> {
  // Up to a second at close for messages ZeroMQ still holds (the shutdown reply).
  socket.linger = 1000;
  const address = endpoint(info, ch);
  try {
    await socket.bind(address);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const inUse = e.code === "EADDRINUSE" || /in use/i.test(e.message ?? "");
    const code = inUse ? "KK_JUPYTER_PORT_IN_USE" : "KK_JUPYTER_BIND";
    const message = `cannot bind the ${ch} channel to ${address}: ${e.message ?? String(error)}`;
    return { ok: false, code, message, hint: bindHint(code) };
  }
  const bound = socket.lastEndpoint ?? "";
  return { ok: true, port: Number(bound.slice(bound.lastIndexOf(":") + 1)) || info.ports[ch] };
}

/** The ZeroMQ endpoint of one channel. */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info.ports[channel];
  if (info.transport === "ipc") return `ipc://${info.ip}-${port}`;
  return `tcp://${info.ip}:${port === 0 ? "*" : port}`;
}
