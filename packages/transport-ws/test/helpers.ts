// An in-process kernel behind a real WebSocket server on loopback, and raw-socket helpers.
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { createKernel, type Kernel, listenMessages, silentLogger, teardownKernel } from "@kernelkit/core";
import { DefaultExecutor } from "@kernelkit/executor-default";
import {
  registerNotebookInfo,
  type WsAddress,
  WsChannel,
  type WsChannelOptions,
  WsTransport,
  type WsTransportOptions,
} from "@kernelkit/transport-ws";

export interface TestKernel {
  kernel: Kernel;
  transport: WsTransport;
  address: WsAddress;
  /** Resolves when the loop stopped and the kernel was torn down. */
  closed: Promise<unknown>;
  connect(options?: WsChannelOptions): Promise<WsChannel>;
  stop(): Promise<void>;
}

/** A kernel served over WebSocket from this process. SIGINT is not used (no interrupt anchor here). */
export async function startWsKernel(options: WsTransportOptions = {}): Promise<TestKernel> {
  const kernel = await createKernel({
    executor: new DefaultExecutor({ cwd: process.cwd(), notebookPath: null }),
    logger: silentLogger,
    interrupts: null,
  });
  registerNotebookInfo(kernel);
  const transport = new WsTransport({ signalInterrupts: false, logger: silentLogger, ...options });
  const closed = listenMessages(kernel, transport).then(() => teardownKernel(kernel));
  closed.catch(() => {});
  const address = await transport.listening;
  const channels: WsChannel[] = [];
  return {
    kernel,
    transport,
    address,
    closed,
    async connect(opts) {
      const ch = await WsChannel.connect(address.url, opts);
      channels.push(ch);
      return ch;
    },
    async stop() {
      transport.endInput();
      await closed;
      for (const ch of channels) ch.socket.terminate();
    },
  };
}

/** One masked client text frame (what a WebSocket client would send after the handshake). */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  if (payload.length > 125) throw new Error("short frames only");
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

export interface RawUpgradeResult {
  status: number;
  headers: string;
  body: string;
}

/**
 * Sends a WebSocket upgrade by hand, followed in the same write by a request frame, and
 * returns the server's answer: a refused upgrade must answer before reading any message.
 */
export function rawUpgrade(
  host: string,
  port: number,
  path: string,
  headers: Record<string, string> = {},
  trailing: Buffer = Buffer.alloc(0),
): Promise<RawUpgradeResult> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let data = "";
    socket.setEncoding("latin1");
    socket.on("connect", () => {
      const lines = [
        `GET ${path} HTTP/1.1`,
        `Host: ${host}:${port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
        "Sec-WebSocket-Version: 13",
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), trailing]));
    });
    const finish = () => {
      const [head = "", body = ""] = data.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head, body });
    };
    socket.on("data", (d) => {
      data += d;
      // A 101 never ends by itself: stop once the head is complete.
      if (data.startsWith("HTTP/1.1 101") && data.includes("\r\n\r\n")) {
        socket.destroy();
        finish();
      }
    });
    socket.on("end", finish);
    socket.on("close", finish);
    socket.on("error", reject);
  });
}

/** Collects every frame of a channel (for "nothing else arrived" checks). */
export function record(ch: WsChannel) {
  const frames: Record<string, unknown>[] = [];
  ch.onFrame((f) => frames.push(f));
  return frames;
}
