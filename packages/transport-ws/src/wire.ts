import type { ErrorCode } from "@kernelkit/core";
// Messages between the main thread (the kernel) and the I/O thread (sockets).

/** workerData of the I/O thread. */
export interface IoConfig {
  mode: "listen" | "connect";
  host: string;
  port: number;
  token: string;
  /** connect mode: the server to dial. */
  url?: string;
  allowedOrigins: string[] | null;
  maxMessageBytes: number;
  maxBufferedBytes: number;
  stallMs: number;
  pingIntervalMs: number;
  signalInterrupts: boolean;
  page: boolean;
  /** Folder of the page's static files. */
  staticDir: string;
  closeTimeoutMs: number;
}

/** main → I/O thread */
export type ToIo =
  /** Frames (already JSON text) for one connection, in order. */
  | { t: "send"; c: number; d: string[] }
  /** Close every connection with this code, stop listening, then answer `closed`. */
  | { t: "close"; code: number; reason: string };

/** I/O thread → main */
export type FromIo =
  | { t: "listening"; host: string; port: number }
  | { t: "failed"; code: ErrorCode; message: string; hint: string }
  | { t: "open"; c: number; remote: string }
  /**
   * One request's JSON text (already known to parse). On an `interrupt` the I/O thread
   * forwards: `seq`, the execution count when it was read, and `ticket`, its InterruptRelay
   * ticket (the main thread takes it as it receives the request).
   */
  | { t: "msg"; c: number; d: string; seq?: number; ticket?: number }
  | { t: "gone"; c: number; code: number; reason: string }
  | { t: "log"; level: "debug" | "info" | "warn" | "error"; msg: string; fields?: Record<string, unknown> }
  | { t: "closed" };
