// Who may connect: the token (constant-time comparison) and the browser Origin allow-list.
// Both are checked during the HTTP upgrade, before a WebSocket exists.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/**
 * Compares in constant time: both sides are hashed first, so neither the content nor the
 * length of the expected token leaks through timing.
 */
export function tokenMatches(given: string | null, expected: string): boolean {
  const a = digest(given ?? "");
  const b = digest(expected);
  return timingSafeEqual(a, b) && given !== null;
}

/** `Authorization: Bearer T`, else the `token` query parameter, else null. */
export function tokenFromRequest(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === "string") {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1]!;
  }
  return tokenFromUrl(req.url ?? "/");
}

export function tokenFromUrl(url: string): string | null {
  const q = url.indexOf("?");
  if (q < 0) return null;
  return new URLSearchParams(url.slice(q + 1)).get("token");
}

/** The server's own origins: what a page it served sends as `Origin`. */
export function defaultOrigins(host: string, port: number): string[] {
  const out = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  const own =
    host.includes(":") && !host.startsWith("[") ? `http://[${host}]:${port}` : `http://${host}:${port}`;
  if (!out.includes(own) && host !== "0.0.0.0" && host !== "::") out.push(own);
  return out;
}

/** A request without Origin is not from a browser page and passes; otherwise it must be listed. */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes("*")) return true;
  const o = origin.toLowerCase().replace(/\/$/, "");
  return allowed.some((a) => a.toLowerCase().replace(/\/$/, "") === o);
}
