// Who may connect: the token (constant-time comparison) and the browser Origin allow-list.
// Both are checked during the HTTP upgrade, before a WebSocket exists.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { hostname, type NetworkInterfaceInfo, networkInterfaces } from "node:os";

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

const originOf = (host: string, port: number) =>
  host.includes(":") && !host.startsWith("[") ? `http://[${host}]:${port}` : `http://${host}:${port}`;

/**
 * The server's own origins: what a page it served sends as `Origin`. A server bound to every
 * interface (0.0.0.0, ::) prints its URL with that address and is reached through any of the
 * machine's addresses or its host name, so each of those is its own origin too.
 */
export function defaultOrigins(
  host: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
  name: string = hostname(),
): string[] {
  const out = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  const add = (h: string) => {
    const o = originOf(h, port);
    if (!out.includes(o)) out.push(o);
  };
  add(host);
  if (host === "0.0.0.0" || host === "::" || host === "[::]") {
    const v6 = host !== "0.0.0.0";
    for (const list of Object.values(interfaces)) {
      for (const a of list ?? []) {
        if (a.family === "IPv4" || v6) add(a.address);
      }
    }
    if (name) add(name.toLowerCase());
  }
  return out;
}

/** A request without Origin is not from a browser page and passes; otherwise it must be listed. */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes("*")) return true;
  const o = origin.toLowerCase().replace(/\/$/, "");
  return allowed.some((a) => a.toLowerCase().replace(/\/$/, "") === o);
}
