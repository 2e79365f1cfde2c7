// The host side of a WebSocket connection to a kernel: send requests, receive frames.
// (KernelClient.connect builds the docs/client.md API on top of this.)
import { type ErrorCode, type Frame, isTerminalFrame, KernelkitError } from "@kernelkit/core";
import WebSocket from "ws";

export interface WsChannelOptions {
  /** Sent as `Authorization: Bearer`; by default the URL's `?token=` is used as it is. */
  token?: string;
  /** An `Origin` header, as a browser would send. */
  origin?: string;
  headers?: Record<string, string>;
  /** Give up connecting after this long (default 10 s). */
  timeoutMs?: number;
  /** Largest frame accepted from the kernel (default 256 MiB). */
  maxPayload?: number;
  /** Answer the server's pings (default true; false only to test dead-peer detection). */
  autoPong?: boolean;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** A refused or failed connection; `status` is the HTTP status of a refused upgrade. */
export class WsConnectError extends KernelkitError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number | null,
    hint?: string,
  ) {
    super(code, message, { hint });
    this.name = "WsConnectError";
  }
}

/** A request's terminal frame: `done`, `run_done`, any `*_reply`, or `graph` for set_cells without run. */
export function isTerminalFor(request: { type?: unknown; run?: unknown }, frame: Frame): boolean {
  return isTerminalFrame(frame.type, request);
}

const redact = (url: string) => url.replace(/([?&]token=)[^&]*/, "$1…");

export class WsChannel {
  private readonly listeners = new Set<(frame: Frame) => void>();
  private readonly pending = new Map<
    string,
    {
      request: Record<string, unknown>;
      onFrame?: (f: Frame) => void;
      resolve: (f: Frame) => void;
      reject: (e: unknown) => void;
    }
  >();
  private counter = 0;
  private closeInfo: CloseInfo | null = null;
  /** Resolves when the connection has closed, with the close code and reason. */
  readonly closed: Promise<CloseInfo>;

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise<CloseInfo>((resolve) => {
      socket.on("close", (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        const error = new KernelkitError(
          "KK_WS_CLOSED",
          `the connection to the kernel closed (code ${code}${this.closeInfo.reason ? `: ${this.closeInfo.reason}` : ""})`,
          { hint: "Reconnect, or start the kernel again if it shut down." },
        );
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
        resolve(this.closeInfo);
      });
    });
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      let frame: Frame;
      try {
        frame = JSON.parse(data.toString()) as Frame;
      } catch {
        return; // invalid JSON from the kernel is skipped
      }
      this.onFrameIn(frame);
    });
  }

  /** Opens a connection; rejects with WsConnectError (status 401/403/…) when refused. */
  static connect(url: string, options: WsChannelOptions = {}): Promise<WsChannel> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    const socket = new WebSocket(url, {
      headers,
      ...(options.origin ? { origin: options.origin } : {}),
      maxPayload: options.maxPayload ?? 256 * 1024 * 1024,
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs ?? 10_000,
      autoPong: options.autoPong ?? true,
    });
    return new Promise<WsChannel>((resolve, reject) => {
      let settled = false;
      socket.once("open", () => {
        settled = true;
        resolve(new WsChannel(socket));
      });
      socket.once("unexpected-response", (_req, res) => {
        settled = true;
        const status = res.statusCode ?? 0;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => {
          const code =
            status === 401
              ? "KK_WS_UNAUTHORIZED"
              : status === 403
                ? "KK_WS_FORBIDDEN_ORIGIN"
                : "KK_WS_CONNECT";
          reject(
            new WsConnectError(
              code,
              `the kernel at ${redact(url)} refused the connection: HTTP ${status}${body ? ` (${body.split("\n")[0]})` : ""}`,
              status,
              status === 401 ? "Use the URL with ?token=… that the kernel printed." : undefined,
            ),
          );
          socket.terminate();
        });
      });
      socket.once("error", (error) => {
        if (settled) return;
        settled = true;
        reject(
          new WsConnectError(
            "KK_WS_CONNECT",
            `cannot connect to ${redact(url)}: ${error.message}`,
            null,
            "Is the kernel running?",
          ),
        );
      });
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** The close code and reason once closed, else null. */
  get closeStatus(): CloseInfo | null {
    return this.closeInfo;
  }

  /** Sends any JSON value (one text message). */
  send(message: unknown): void {
    this.sendText(JSON.stringify(message));
  }

  /** Sends raw text as one message (for testing how the kernel takes bad input). */
  sendText(text: string): void {
    if (!this.isOpen) {
      throw new KernelkitError("KK_WS_CLOSED", "the connection to the kernel is closed", {
        hint: "Reconnect with KernelClient.connect(url).",
      });
    }
    this.socket.send(text);
  }

  /** Every frame the kernel sends on this connection. Returns an unsubscribe function. */
  onFrame(listener: (frame: Frame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a request (an id is made up when it has none) and resolves with its terminal frame. */
  request(request: Record<string, unknown>, onFrame?: (frame: Frame) => void): Promise<Frame> {
    const id = typeof request.id === "string" ? request.id : `c${++this.counter}`;
    const req = { ...request, id };
    return new Promise<Frame>((resolve, reject) => {
      if (!this.isOpen) {
        reject(new KernelkitError("KK_WS_CLOSED", "the connection to the kernel is closed"));
        return;
      }
      this.pending.set(id, { request: req, resolve, reject, ...(onFrame ? { onFrame } : {}) });
      this.send(req);
    });
  }

  private onFrameIn(frame: Frame): void {
    for (const l of [...this.listeners]) l(frame);
    if (typeof frame.id !== "string") return;
    const p = this.pending.get(frame.id);
    if (!p) return;
    p.onFrame?.(frame);
    if (isTerminalFor(p.request, frame)) {
      this.pending.delete(frame.id);
      p.resolve(frame);
    }
  }

  /** Closes the connection (normal closure) and waits until it is closed. */
  close(code = 1000, reason = ""): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(code, reason);
      const t = setTimeout(() => this.socket.terminate(), 2000);
      t.unref();
    }
    return this.closed;
  }
}
