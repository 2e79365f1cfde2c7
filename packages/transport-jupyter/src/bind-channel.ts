// Binding one Jupyter channel's socket where the connection file says, on either thread; a
// failure is reported as the coded error serve prints (a port in use is the common one).
import type { ErrorCode } from "@kernelkit/core";
import type * as Zmq from "zeromq";
import { type Channel, type ConnectionInfo, endpoint } from "./connection-file.ts";

export type BindResult = { ok: true; port: number } | { ok: false; code: ErrorCode; message: string };

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
    return {
      ok: false,
      code: inUse ? "KK_JUPYTER_PORT_IN_USE" : "KK_JUPYTER_BIND",
      message: `cannot bind the ${ch} channel to ${address}: ${e.message ?? String(error)}`,
    };
  }
  const bound = socket.lastEndpoint ?? "";
  return { ok: true, port: Number(bound.slice(bound.lastIndexOf(":") + 1)) || info.ports[ch] };
}
