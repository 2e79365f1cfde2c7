import type { ErrorCode } from "@kernelkit/core";
// What the main thread (the kernel) and the I/O thread (sockets) say to each other beyond what
// core's io-thread helper carries for them (requests, end of a connection, ready, close).

/** workerData of the I/O thread (`ioThread<IoData>().data`). */
export interface IoData {
  config: IoConfig;
  /** Flow control (flow.ts). */
  flow: SharedArrayBuffer;
}

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
  page: boolean;
  /** Folder of the page's static files. */
  staticDir: string;
  closeTimeoutMs: number;
  /** What every connection is closed with when the transport closes. */
  closeCode: number;
  closeReason: string;
}

/** main → I/O thread: frames (already JSON text) for one connection, in order. */
export interface ToIo {
  connection: number;
  frames: string[];
}

/** I/O thread → main, besides requests and ends: a peer connected, or a log line. */
export type IoEvent =
  | { open: number; remote: string }
  | {
      log: "debug" | "info" | "warn" | "error";
      message: string;
      fields?: Record<string, unknown>;
    };

/** What the I/O thread fails with when it cannot listen or connect (`ready` rejects with it). */
export interface IoFailure {
  code: ErrorCode;
  message: string;
  hint: string;
}

/** What the I/O thread is ready with: where it listens (or the dialled address). */
export interface IoReady {
  host: string;
  port: number;
}
