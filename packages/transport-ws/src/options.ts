// Options of the WebSocket transport and the values derived from them (token, URLs, limits).
import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { KernelkitError } from "@kernelkit/core";

export interface WsTransportOptions {
  /** Interface to bind; 127.0.0.1 unless told otherwise (anything else is warned about). */
  host?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** The shared secret every connection must present. Default: KERNELKIT_TOKEN, else generated (256 bits). */
  token?: string;
  /** Accept a token shorter than MIN_TOKEN_LENGTH (refused otherwise, `KK_WS_WEAK_TOKEN`). */
  allowWeakToken?: boolean;
  /**
   * Browser origins allowed to connect (exact `scheme://host:port` strings, or "*").
   * Default: the server's own origin on 127.0.0.1, localhost and [::1].
   * Connections without an Origin header (non-browser clients) are not affected.
   */
  allowedOrigins?: readonly string[];
  /** Largest request accepted (bytes); a bigger one gets `protocol_error FRAME_TOO_LARGE`. Default 16 MiB. */
  maxMessageBytes?: number;
  /**
   * Frames a connection may have waiting to be written (bytes) before it is cut off with close
   * code 1008: a client that stops reading cannot grow the kernel's memory. Checked before each
   * frame, so the bound is this plus one frame. Default 16 MiB.
   */
  maxBufferedBytes?: number;
  /**
   * A connection whose unwritten frames stay above half of maxBufferedBytes, without going down,
   * for this long is cut off (close 1008, KK_WS_SLOW_CLIENT). While a connection is that full
   * the kernel waits for it, as a program waits for a full terminal. Default 5 s.
   */
  stallMs?: number;
  /** A peer that does not answer a ping within this interval is dropped. Default 30 s; 0 disables. */
  pingIntervalMs?: number;
  /** Send SIGINT to this process on an `interrupt` request, so even a synchronous loop stops. Default true. */
  signalInterrupts?: boolean;
  /** Serve the browser page at `/` (default true). */
  page?: boolean;
  /** How long a graceful close waits for peers before dropping them. Default 1 s. */
  closeTimeoutMs?: number;
}

export interface ResolvedWsOptions {
  host: string;
  port: number;
  token: string;
  allowedOrigins: string[] | null;
  maxMessageBytes: number;
  maxBufferedBytes: number;
  stallMs: number;
  pingIntervalMs: number;
  signalInterrupts: boolean;
  page: boolean;
  closeTimeoutMs: number;
}

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
export const DEFAULT_PING_INTERVAL_MS = 30_000;
export const DEFAULT_STALL_MS = 5_000;

/** Shorter tokens are refused unless allowWeakToken: 16 characters are the least that resists guessing. */
export const MIN_TOKEN_LENGTH = 16;

/** 256 random bits, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** `--token`, then KERNELKIT_TOKEN, then a fresh one. */
export function resolveToken(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  const fromEnv = env.KERNELKIT_TOKEN;
  if (fromEnv) return fromEnv;
  return generateToken();
}

export function resolveOptions(options: WsTransportOptions = {}): ResolvedWsOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw Object.assign(new RangeError(`port must be an integer from 0 to 65535, got ${port}`), {
      code: "KK_USAGE",
    });
  }
  const token = resolveToken(options.token);
  if (token.length < MIN_TOKEN_LENGTH && options.allowWeakToken !== true) {
    const from = options.token ? "--token" : "KERNELKIT_TOKEN";
    throw new KernelkitError(
      "KK_WS_WEAK_TOKEN",
      `the token (${from}) has ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are needed, since anyone who guesses it can run code in this kernel`,
      {
        hint: `Leave ${from} out and one is generated, or make one with: node -e "console.log(crypto.randomBytes(24).toString('base64url'))" (--allow-weak-token accepts a short one anyway).`,
      },
    );
  }
  return {
    host: options.host ?? DEFAULT_HOST,
    port,
    token,
    allowedOrigins: options.allowedOrigins ? [...options.allowedOrigins] : null,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    stallMs: options.stallMs ?? DEFAULT_STALL_MS,
    pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    signalInterrupts: options.signalInterrupts ?? true,
    page: options.page ?? true,
    closeTimeoutMs: options.closeTimeoutMs ?? 1000,
  };
}

/** 127.0.0.0/8, ::1 and "localhost". */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (h.startsWith("::ffff:")) return h.slice(7).startsWith("127.");
  return false;
}

/** `host:port` as it appears in a URL (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The ready URL: `ws://HOST:PORT/?token=…`. */
export function wsUrl(host: string, port: number, token: string): string {
  return `ws://${hostPort(host, port)}/?token=${encodeURIComponent(token)}`;
}

/** The page's URL: `http://HOST:PORT/?token=…`. */
export function pageUrl(host: string, port: number, token: string): string {
  return `http://${hostPort(host, port)}/?token=${encodeURIComponent(token)}`;
}
