// KernelClient over WebSocket (`KernelClient.connect(url)`): a KernelChannel on a connection
// to `kernelkit serve --transport ws`. There is no process to signal, so interrupts are
// `interrupt` requests (the server turns them into SIGINT on its side) and shutdown is the
// `shutdown` request, confirmed when the server closes the connection.
import type { CloseInfo, WsChannel, WsChannelOptions } from "@kernelkit/transport-ws";
import type { ChannelEvents, ExitInfo, Frame, KernelChannel } from "./channel.ts";

/** Options of `KernelClient.connect`: how to connect, plus the client's own settings. */
export interface ConnectOptions extends WsChannelOptions {
  /** How long an interrupted execution may take to end before the kernel is shut down (default 5 s). */
  escalationGraceMs?: number;
  /** How long `shutdown` waits for the server to close the connection (default 1 s). */
  shutdownGraceMs?: number;
  /** Frames that belong to no pending request (output after a request ended, `protocol_error`). */
  onFrame?: (frame: Frame) => void;
}

const SHUTDOWN_ID = "kk-remote-shutdown";
/** Close code the ws server uses when the kernel shuts down. */
const GOING_AWAY = 1001;

export class WsKernelChannel implements KernelChannel {
  private events: ChannelEvents | null = null;
  private closeInfo: CloseInfo | null = null;
  private shutdownAnswered = false;

  constructor(private readonly ws: WsChannel) {
    ws.onFrame((frame) => {
      if (frame.id === SHUTDOWN_ID) {
        if (frame.type === "shutdown_reply") this.shutdownAnswered = true;
        return;
      }
      this.events?.frame(frame);
    });
    void ws.closed.then((info) => {
      this.closeInfo = info;
      const reason =
        info.code === GOING_AWAY
          ? `the kernel shut down (connection closed with ${info.code}${info.reason ? `: ${info.reason}` : ""})`
          : `the connection to the kernel closed (code ${info.code}${info.reason ? `: ${info.reason}` : ""})`;
      const exit: ExitInfo = { code: null, signal: null, reason };
      this.events?.exit(exit);
    });
  }

  attach(events: ChannelEvents): void {
    this.events = events;
  }

  send(message: Record<string, unknown>): void {
    if (!this.ws.isOpen) return; // the close event settles whatever waits
    this.ws.send(message);
  }

  signalInterrupt(): boolean {
    return false;
  }

  async shutdown(graceMs: number): Promise<boolean> {
    if (this.closeInfo) return this.closeInfo.code === GOING_AWAY || this.shutdownAnswered;
    this.send({ id: SHUTDOWN_ID, type: "shutdown" });
    const timer = new Promise<null>((resolve) => setTimeout(() => resolve(null), graceMs).unref());
    const closed = await Promise.race([this.ws.closed, timer]);
    if (closed) return closed.code === GOING_AWAY || this.shutdownAnswered;
    // The server did not close in time: stop waiting for it, and say it was not confirmed.
    await this.ws.close(1000, "client gave up waiting for the kernel to shut down");
    return false;
  }

  get alive(): boolean {
    return this.closeInfo === null && this.ws.isOpen;
  }

  get pid(): number | null {
    return null;
  }

  setBusy(busy: boolean): void {
    const socket = (this.ws.socket as unknown as { _socket?: { ref(): void; unref(): void } })._socket;
    if (busy) socket?.ref();
    else socket?.unref();
  }

  recentStderr(): string[] {
    return [];
  }

  /** Closes the connection without shutting the kernel down. */
  async close(): Promise<void> {
    await this.ws.close();
  }
}

/** Opens the WebSocket (rejects with a coded error, `status` 401/403, when refused). */
export async function connectKernelChannel(
  url: string,
  options: ConnectOptions = {},
): Promise<WsKernelChannel> {
  // Loaded here so that KernelClient.start never pays for the WebSocket library.
  const { WsChannel } = await import("@kernelkit/transport-ws");
  const wsOptions: WsChannelOptions = {};
  if (options.token !== undefined) wsOptions.token = options.token;
  if (options.origin !== undefined) wsOptions.origin = options.origin;
  if (options.headers !== undefined) wsOptions.headers = options.headers;
  if (options.timeoutMs !== undefined) wsOptions.timeoutMs = options.timeoutMs;
  if (options.maxPayload !== undefined) wsOptions.maxPayload = options.maxPayload;
  return new WsKernelChannel(await WsChannel.connect(url, wsOptions));
}
