// The WebSocket transport passes the transport conformance kit: real sockets on loopback,
// several clients, fragmented messages. Its I/O thread is loaded from dist/ (`npm test` builds first).
import { describeTransportConformance, type WireClient } from "@kernelkit/conformance";
import { silentLogger } from "@kernelkit/core";
import { WsTransport } from "@kernelkit/transport-ws";
import WebSocket from "ws";

describeTransportConformance("ws", {
  framing: "message",
  frameLimit: true,
  multiClient: true,
  fragments: true,
  create({ maxFrameBytes }) {
    const transport = new WsTransport({
      signalInterrupts: false,
      logger: silentLogger,
      pingIntervalMs: 0,
      ...(maxFrameBytes ? { maxMessageBytes: maxFrameBytes } : {}),
    });
    const sockets: WebSocket[] = [];
    return {
      transport,
      async connect(): Promise<WireClient> {
        const { url } = await transport.listening;
        const ws = new WebSocket(url);
        sockets.push(ws);
        const listeners: ((f: unknown) => void)[] = [];
        ws.on("message", (data) => {
          const frame = JSON.parse(String(data));
          for (const fn of listeners) fn(frame);
        });
        await new Promise<void>((resolve, reject) => {
          ws.once("open", () => resolve());
          ws.once("error", reject);
        });
        const send = (data: string | Uint8Array, fin = true) =>
          new Promise<void>((resolve, reject) =>
            ws.send(typeof data === "string" ? data : Buffer.from(data).toString("utf8"), { fin }, (e) =>
              e ? reject(e) : resolve(),
            ),
          );
        return {
          write: (data) => send(data),
          async writeFragments(parts) {
            for (const [i, p] of parts.entries()) await send(p, i === parts.length - 1);
          },
          onFrame: (fn) => void listeners.push(fn),
          end: () => ws.close(),
        };
      },
      cleanup() {
        for (const ws of sockets) ws.terminate();
      },
    };
  },
});
