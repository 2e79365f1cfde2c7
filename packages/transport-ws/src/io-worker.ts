// The I/O thread of the WebSocket transport (a separate build entry: workers cannot run TS).
// It owns every socket, so requests are read — and an `interrupt` request is forwarded by core's
// `ioThread()` helper (docs/transports.md) — even while the main thread is stuck in a
// synchronous cell.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import { createRequire } from "node:module";
import type { Duplex } from "node:stream";
import { ioThread, isInterruptRequest } from "@kernelkit/core/io-thread";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { defaultOrigins, originAllowed, tokenFromRequest, tokenMatches } from "./auth.ts";
import { FLOW_INBOUND, FLOW_OUTBOUND, FLOW_PEER_FULL, INBOUND_HIGH_WATER } from "./flow.ts";
import type { IoData, IoEvent, IoFailure, ToIo } from "./wire.ts";

const io = ioThread<IoData>();
const cfg = io.data.config;
const flow = new Int32Array(io.data.flow);
const event = (e: IoEvent) => io.event(e);
const log = (level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) =>
  event(fields ? { log: level, message, fields } : { log: level, message });
const fail = (failure: IoFailure) => io.fail(failure);

/**
 * ws closes a connection with 1009 above this. Below it a message over maxMessageBytes is
 * answered with FRAME_TOO_LARGE and the connection stays: a user's oversized paste costs an
 * error, not the session (docs/reliability.md). ws must hold a message whole to read it, so
 * this bounds what one message can cost in memory: 1 GiB.
 */
const hardLimit = Math.max(cfg.maxMessageBytes * 2, 1024 * 1024 * 1024);
/** Strict: invalid UTF-8 in a text message is INVALID_JSON, not a closed connection (1007). */
const utf8 = new TextDecoder("utf-8", { fatal: true });

interface Peer {
  id: number;
  ws: WebSocket;
  alive: boolean;
  /** Cut off or closing: frames for it are dropped. */
  dead: boolean;
  /** While above the half-full mark: the lowest bufferedAmount seen, and when it last went down. */
  low: number;
  progressAt: number;
}

const peers = new Map<number, Peer>();
let nextPeer = 1;
let closing = false;
let pausedInbound = false;

// ---- connections ----

function attach(ws: WebSocket, remote: string): Peer {
  const peer: Peer = { id: nextPeer++, ws, alive: true, dead: false, low: 0, progressAt: 0 };
  peers.set(peer.id, peer);
  event({ open: peer.id, remote });
  ws.on("message", (data, isBinary) => onData(peer, data, isBinary));
  ws.on("pong", () => {
    peer.alive = true;
  });
  ws.on("close", (code, reason) => {
    if (peers.get(peer.id) === peer) {
      peers.delete(peer.id);
      io.end(peer.id, `${code} ${reason.toString()}`.trimEnd());
    }
    if (closing) maybeClosed();
  });
  ws.on("error", (error) => log("debug", `connection ${peer.id}: ${error.message}`));
  if (pausedInbound) ws.pause();
  return peer;
}

/** Sends a frame straight from this thread (protocol errors need no kernel). */
function direct(peer: Peer, frame: Record<string, unknown>): void {
  if (peer.dead || peer.ws.readyState !== WebSocket.OPEN || !checkBuffered(peer)) return;
  peer.ws.send(JSON.stringify(frame));
}

function protocolError(peer: Peer, code: "INVALID_JSON" | "FRAME_TOO_LARGE", message: string): void {
  direct(peer, { type: "protocol_error", id: null, error: { code, message } });
}

function onData(peer: Peer, data: RawData, isBinary: boolean): void {
  peer.alive = true;
  const buf = Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data as ArrayBuffer);
  if (buf.length > cfg.maxMessageBytes) {
    protocolError(
      peer,
      "FRAME_TOO_LARGE",
      `message of ${buf.length} bytes is over the limit of ${cfg.maxMessageBytes} bytes; it was discarded`,
    );
    return;
  }
  if (isBinary) {
    protocolError(
      peer,
      "INVALID_JSON",
      "binary message: send each request as one JSON object in a text message",
    );
    return;
  }
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    protocolError(peer, "INVALID_JSON", "the message is not valid UTF-8; it was discarded");
    return;
  }
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (error) {
    protocolError(peer, "INVALID_JSON", `invalid JSON: ${(error as Error).message}`);
    return;
  }
  if (Atomics.add(flow, FLOW_INBOUND, text.length) + text.length > INBOUND_HIGH_WATER) pauseInbound();
  // The text is posted (cheaper to copy than the object; the main thread parses it again). An
  // interrupt the main thread does not take at once is forwarded by SIGINT while no other
  // execution has started (the main thread counts `started` frames), and only until the main
  // thread posts anything: then it is out of the loop, and more signals could land between two
  // guarded runs and end the process.
  io.request(text, peer.id, {
    interrupt: isInterruptRequest(msg) && typeof (msg as { id?: unknown }).id === "string",
    progress: () => mainPosts,
  });
}

/** The main thread is behind (blocked, or flooded): stop reading sockets until it catches up. */
function pauseInbound(): void {
  if (pausedInbound) return;
  pausedInbound = true;
  for (const p of peers.values()) p.ws.pause();
  const timer = setInterval(() => {
    if (Atomics.load(flow, FLOW_INBOUND) > INBOUND_HIGH_WATER / 2) return;
    clearInterval(timer);
    pausedInbound = false;
    for (const p of peers.values()) p.ws.resume();
  }, 5);
}

/** A peer that does not read cannot make us buffer without bound: cut it off. */
function checkBuffered(peer: Peer): boolean {
  const buffered = peer.ws.bufferedAmount;
  if (buffered <= cfg.maxBufferedBytes) return true;
  cutOff(
    peer,
    1008,
    `kernelkit KK_WS_SLOW_CLIENT: ${buffered} bytes unread (limit ${cfg.maxBufferedBytes}); read faster`,
  );
  return false;
}

// ---- a connection that reads slower than the kernel writes ----

const halfFull = Math.floor(cfg.maxBufferedBytes / 2);
const fullPeers = new Set<Peer>();
let fullTimer: ReturnType<typeof setInterval> | null = null;

/** After frames went to a peer: above the half-full mark, the main thread waits for it. */
function watchFull(peer: Peer): void {
  if (peer.dead || fullPeers.has(peer) || peer.ws.bufferedAmount <= halfFull) return;
  peer.low = peer.ws.bufferedAmount;
  peer.progressAt = Date.now();
  fullPeers.add(peer);
  Atomics.store(flow, FLOW_PEER_FULL, 1);
  fullTimer ??= setInterval(pollFull, 10);
}

/** Releases the main thread once every peer drained below the mark; cuts off one that stalls. */
function pollFull(): void {
  const now = Date.now();
  for (const peer of fullPeers) {
    const buffered = peer.ws.bufferedAmount;
    if (peer.dead || peer.ws.readyState !== WebSocket.OPEN || buffered <= halfFull) {
      fullPeers.delete(peer);
    } else if (buffered < peer.low) {
      peer.low = buffered;
      peer.progressAt = now;
    } else if (now - peer.progressAt >= cfg.stallMs) {
      fullPeers.delete(peer);
      cutOff(
        peer,
        1008,
        `kernelkit KK_WS_SLOW_CLIENT: ${buffered} bytes unread, none taken for ${cfg.stallMs} ms; read faster`,
      );
    }
  }
  if (fullPeers.size > 0) return;
  clearInterval(fullTimer!);
  fullTimer = null;
  Atomics.store(flow, FLOW_PEER_FULL, 0);
  Atomics.notify(flow, FLOW_PEER_FULL);
}

function cutOff(peer: Peer, code: number, reason: string): void {
  if (peer.dead) return;
  peer.dead = true;
  log("warn", `connection ${peer.id} closed: ${reason}`);
  peers.delete(peer.id);
  io.end(peer.id, `${code} ${reason}`);
  try {
    peer.ws.close(code, reason.slice(0, 123));
  } catch {
    // already closing
  }
  // A peer that does not read will not take the close frame either.
  setTimeout(() => peer.ws.terminate(), cfg.closeTimeoutMs).unref();
}

/** Messages the main thread posted: it is not stuck while this moves. */
let mainPosts = 0;

io.onMessage((message) => {
  mainPosts++;
  const m = message as ToIo;
  let bytes = 0;
  const peer = peers.get(m.connection);
  for (const s of m.frames) bytes += s.length;
  if (peer && !peer.dead && peer.ws.readyState === WebSocket.OPEN) {
    // Checked before each frame: one frame bigger than the limit still goes to a peer that
    // keeps up; a peer that left the last ones unread is cut off.
    for (const s of m.frames) {
      if (!checkBuffered(peer)) break;
      peer.ws.send(s);
    }
  }
  Atomics.sub(flow, FLOW_OUTBOUND, bytes);
  Atomics.notify(flow, FLOW_OUTBOUND);
  if (peer) watchFull(peer);
});
io.onClose(() => shutdown(cfg.closeCode, cfg.closeReason));

// ---- liveness ----

let pinger: ReturnType<typeof setInterval> | null = null;
if (cfg.pingIntervalMs > 0) {
  pinger = setInterval(() => {
    // While reading is paused, pongs cannot be read either.
    if (pausedInbound) return;
    for (const peer of [...peers.values()]) {
      if (!peer.alive) {
        log("info", `connection ${peer.id} dropped: no pong within ${cfg.pingIntervalMs} ms`);
        peers.delete(peer.id);
        io.end(peer.id, "1006 ping timeout");
        peer.dead = true;
        peer.ws.terminate();
        continue;
      }
      peer.alive = false;
      try {
        peer.ws.ping();
      } catch {
        // closing
      }
    }
  }, cfg.pingIntervalMs);
  pinger.unref();
}

// ---- shutdown ----

let closeDone: (() => void) | null = null;
function maybeClosed(): void {
  if (peers.size === 0 && closeDone) closeDone();
}

let server: ReturnType<typeof createServer> | null = null;

async function shutdown(code: number, reason: string): Promise<void> {
  if (closing) return;
  closing = true;
  if (pinger) clearInterval(pinger);
  server?.close();
  server?.closeAllConnections();
  const all = [...peers.values()];
  for (const peer of all) {
    try {
      peer.ws.close(code, reason);
    } catch {
      // already closing
    }
  }
  await new Promise<void>((resolve) => {
    closeDone = resolve;
    maybeClosed();
    setTimeout(resolve, cfg.closeTimeoutMs).unref();
  });
  for (const peer of all) peer.ws.terminate();
}

// ---- HTTP: the page and the upgrade ----

/** A file of an npm package the page uses (served from here: no CDN), or undefined when missing. */
function vendorFile(specifier: string): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch {
    return undefined;
  }
}

const STATIC: Record<string, { file: string; type: string; path?: string | undefined }> = {
  "/vendor/markdown-it.min.js": {
    file: "markdown-it.min.js",
    type: "text/javascript; charset=utf-8",
    path: vendorFile("markdown-it/dist/markdown-it.min.js"),
  },
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};
const assets = new Map<string, Buffer>();
if (cfg.page) {
  for (const { file, path } of Object.values(STATIC)) {
    if (assets.has(file)) continue;
    try {
      assets.set(file, readFileSync(path ?? new URL(file, cfg.staticDir)));
    } catch (error) {
      log("warn", `the browser page is unavailable: cannot read ${file}: ${(error as Error).message}`);
    }
  }
}

const PAGE_HEADERS = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  // The token is in the page's URL: never send it on as a referrer.
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'",
};

function textResponse(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...PAGE_HEADERS, ...extra });
  res.end(body);
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0]!;
  const entry = cfg.page ? STATIC[path] : undefined;
  const body = entry ? assets.get(entry.file) : undefined;
  if (req.method !== "GET" && req.method !== "HEAD") {
    textResponse(res, 405, "kernelkit: only GET is served here\n", { Allow: "GET, HEAD" });
    return;
  }
  if (path === "/favicon.ico") {
    res.writeHead(204, PAGE_HEADERS);
    res.end();
    return;
  }
  if (!entry || !body) {
    textResponse(res, 404, "kernelkit: not found\n");
    return;
  }
  if (entry.file === "index.html" && !tokenMatches(tokenFromRequest(req), cfg.token)) {
    textResponse(
      res,
      401,
      "kernelkit KK_WS_UNAUTHORIZED: this page needs the kernel's token.\nhint: open the URL printed by `kernelkit serve --transport ws`, with its ?token=…\n",
      { "WWW-Authenticate": 'Bearer realm="kernelkit"' },
    );
    return;
  }
  res.writeHead(200, { "Content-Type": entry.type, "Content-Length": body.length, ...PAGE_HEADERS });
  res.end(req.method === "HEAD" ? undefined : body);
}

function refuse(socket: Duplex, status: number, code: string, message: string, hint: string): void {
  const body = `kernelkit ${code}: ${message}\nhint: ${hint}\n`;
  const extra = status === 401 ? 'WWW-Authenticate: Bearer realm="kernelkit"\r\n' : "";
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

function listen(): void {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: hardLimit,
    // Checked in onData (INVALID_JSON) instead of closing the connection with 1007.
    skipUTF8Validation: true,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const srv = createServer(onRequest);
  server = srv;
  let origins: string[] = cfg.allowedOrigins ?? [];
  srv.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {});
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    if (closing) {
      refuse(socket, 503, "KK_WS_CLOSING", "the kernel is shutting down", "Start a new kernel.");
      return;
    }
    if (!tokenMatches(tokenFromRequest(req), cfg.token)) {
      log("info", `refused ${remote}: missing or wrong token`);
      refuse(
        socket,
        401,
        "KK_WS_UNAUTHORIZED",
        "missing or wrong token",
        "Send `Authorization: Bearer <token>` or connect to the URL printed by the server (?token=…).",
      );
      return;
    }
    const origin = req.headers.origin;
    if (!originAllowed(origin, origins)) {
      log("info", `refused ${remote}: origin ${origin} is not allowed`);
      refuse(
        socket,
        403,
        "KK_WS_FORBIDDEN_ORIGIN",
        `origin ${origin} is not allowed`,
        "Open the page this server serves, or list the origin in the ws transport's allowedOrigins.",
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, remote));
  });
  srv.on("error", (error: NodeJS.ErrnoException) => {
    fail({
      code: "KK_WS_LISTEN",
      message: `cannot listen on ${cfg.host}:${cfg.port}: ${error.code ?? error.message}`,
      hint:
        error.code === "EADDRINUSE"
          ? "The port is taken: pick another with --port, or --port 0 for a free one."
          : "Check --host and --port.",
    });
  });
  srv.listen({ host: cfg.host, port: cfg.port, exclusive: true }, () => {
    const addr = srv.address();
    const actual = typeof addr === "object" && addr ? addr.port : cfg.port;
    if (!cfg.allowedOrigins) origins = defaultOrigins(cfg.host, actual);
    io.ready({ host: cfg.host, port: actual });
  });
}

function connect(): void {
  const url = cfg.url!;
  const ws = new WebSocket(url, {
    headers: { Authorization: `Bearer ${cfg.token}` },
    maxPayload: hardLimit,
    perMessageDeflate: false,
  });
  let opened = false;
  ws.on("open", () => {
    opened = true;
    attach(ws, url.replace(/\?.*$/, ""));
    io.ready({ host: cfg.host, port: cfg.port });
  });
  ws.on("unexpected-response", (_req, res) => {
    fail({
      code: res.statusCode === 401 ? "KK_WS_UNAUTHORIZED" : "KK_WS_CONNECT",
      message: `the server at ${url.replace(/\?.*$/, "")} answered HTTP ${res.statusCode}`,
      hint: res.statusCode === 401 ? "Check the token." : "Check the URL.",
    });
    ws.terminate();
  });
  ws.on("error", (error) => {
    if (!opened)
      fail({
        code: "KK_WS_CONNECT",
        message: `cannot connect to ${url.replace(/\?.*$/, "")}: ${error.message}`,
        hint: "Check that the server is running and the URL is right.",
      });
  });
}

if (cfg.mode === "connect") connect();
else listen();
