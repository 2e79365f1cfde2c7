// Who may connect: loopback bind, token on every connection (401 during the upgrade, before
// any message is read), browser Origin allow-list (403), and the page behind the same token.

import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { WsChannel, WsConnectError } from "@kernelkit/transport-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientTextFrame, rawUpgrade, startWsKernel, type TestKernel } from "./helpers.ts";

let k: TestKernel;
beforeAll(async () => {
  k = await startWsKernel();
});
afterAll(async () => {
  await k?.stop();
});

// If the server read this message, the kernel would shut down and later tests would fail.
const SHUTDOWN = clientTextFrame(JSON.stringify({ id: "evil", type: "shutdown" }));

async function kernelStillServes(): Promise<void> {
  const ch = await k.connect();
  const reply = await ch.request({ type: "kernel_info" });
  expect(reply.type).toBe("kernel_info_reply");
  await ch.close();
}

function nonLoopbackIPv4(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return null;
}

describe("ws transport: binding and token", () => {
  it("binds 127.0.0.1 by default and gives a tokenised ws:// URL with a ≥128-bit token", () => {
    expect(k.address.host).toBe("127.0.0.1");
    expect(k.address.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+$/);
    expect(k.address.port).toBeGreaterThan(0);
    const token = new URL(k.address.url).searchParams.get("token")!;
    expect(token).toBe(k.transport.token);
    // base64url: 6 bits per character
    expect(token.length * 6).toBeGreaterThanOrEqual(128);
    // two transports never share a generated token
    expect(
      new (k.transport.constructor as typeof import("@kernelkit/transport-ws").WsTransport)().token,
    ).not.toBe(token);
  });

  it("is not reachable on a non-loopback address", async () => {
    const ip = nonLoopbackIPv4();
    if (!ip) {
      console.warn("ws security test: no non-loopback IPv4 interface here; reachability check skipped");
      return;
    }
    const outcome = await new Promise<string>((resolve) => {
      const s = connect({ host: ip, port: k.address.port });
      s.on("connect", () => {
        s.destroy();
        resolve("connected");
      });
      s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
    });
    expect(outcome).toBe("ECONNREFUSED");
  });

  it("refuses a missing token with 401 during the upgrade, without reading the message sent after it", async () => {
    const r = await rawUpgrade("127.0.0.1", k.address.port, "/", {}, SHUTDOWN);
    expect(r.status).toBe(401);
    expect(r.body).toContain("KK_WS_UNAUTHORIZED");
    await kernelStillServes();
  });

  it("refuses a wrong token (query or header) with 401, without reading the message sent after it", async () => {
    const wrong = `${k.transport.token.slice(0, -1)}${k.transport.token.endsWith("A") ? "B" : "A"}`;
    const q = await rawUpgrade("127.0.0.1", k.address.port, `/?token=${wrong}`, {}, SHUTDOWN);
    expect(q.status).toBe(401);
    const h = await rawUpgrade(
      "127.0.0.1",
      k.address.port,
      "/",
      { Authorization: `Bearer ${wrong}` },
      SHUTDOWN,
    );
    expect(h.status).toBe(401);
    const prefix = await rawUpgrade("127.0.0.1", k.address.port, `/?token=${k.transport.token.slice(0, 10)}`);
    expect(prefix.status).toBe(401);
    await kernelStillServes();
  });

  it("the ws client reports a refusal as a coded error with the HTTP status", async () => {
    const url = k.address.url.replace(/token=[^&]+/, "token=nope");
    const error = await WsChannel.connect(url).catch((e) => e);
    expect(error).toBeInstanceOf(WsConnectError);
    expect(error.status).toBe(401);
    expect(error.code).toBe("KK_WS_UNAUTHORIZED");
    expect(error.message).not.toContain("nope"); // the URL's token is redacted
  });

  it("accepts the token in an Authorization: Bearer header (no query string)", async () => {
    const bare = `ws://127.0.0.1:${k.address.port}/`;
    const ch = await WsChannel.connect(bare, { token: k.transport.token });
    const reply = await ch.request({ type: "kernel_info" });
    expect(reply).toMatchObject({ type: "kernel_info_reply", protocolVersion: "1.1" });
    await ch.close();
  });

  it("refuses a foreign browser Origin with 403 even with the right token, before any message", async () => {
    const r = await rawUpgrade(
      "127.0.0.1",
      k.address.port,
      "/",
      { Authorization: `Bearer ${k.transport.token}`, Origin: "http://evil.example" },
      SHUTDOWN,
    );
    expect(r.status).toBe(403);
    expect(r.body).toContain("KK_WS_FORBIDDEN_ORIGIN");
    const other = await WsChannel.connect(k.address.url, {
      origin: `http://127.0.0.1:${k.address.port + 1}`,
    }).catch((e) => e);
    expect(other.status).toBe(403);
    await kernelStillServes();
  });

  it("accepts the server's own origin on 127.0.0.1 and localhost", async () => {
    for (const origin of [`http://127.0.0.1:${k.address.port}`, `http://localhost:${k.address.port}`]) {
      const ch = await WsChannel.connect(k.address.url, { origin });
      expect((await ch.request({ type: "kernel_info" })).type).toBe("kernel_info_reply");
      await ch.close();
    }
  });

  it("bound to every interface (--host 0.0.0.0), accepts the origins its printed URL and the machine's addresses give", async () => {
    const k2 = await startWsKernel({ host: "0.0.0.0" });
    try {
      const port = k2.address.port;
      expect(k2.address.pageUrl).toContain(`http://0.0.0.0:${port}/`);
      const addresses = Object.values(networkInterfaces())
        .flat()
        .filter((a) => a?.family === "IPv4")
        .map((a) => a!.address);
      expect(addresses.length).toBeGreaterThan(0);
      for (const origin of [`http://0.0.0.0:${port}`, ...addresses.map((a) => `http://${a}:${port}`)]) {
        const ch = await WsChannel.connect(k2.address.url, { origin });
        expect((await ch.request({ type: "kernel_info" })).type, origin).toBe("kernel_info_reply");
        await ch.close();
      }
      const foreign = await WsChannel.connect(k2.address.url, { origin: "https://evil.example" }).catch(
        (e) => e,
      );
      expect(foreign.status).toBe(403);
    } finally {
      await k2.stop();
    }
  });

  it("honours an explicit allow-list", async () => {
    const k2 = await startWsKernel({ allowedOrigins: ["https://notebook.example"] });
    try {
      const ok = await k2.connect({ origin: "https://notebook.example" });
      expect((await ok.request({ type: "kernel_info" })).type).toBe("kernel_info_reply");
      const own = await WsChannel.connect(k2.address.url, {
        origin: `http://127.0.0.1:${k2.address.port}`,
      }).catch((e) => e);
      expect(own.status).toBe(403);
    } finally {
      await k2.stop();
    }
  });

  it("takes the token from options, else KERNELKIT_TOKEN", async () => {
    const k2 = await startWsKernel({ token: "explicit-token-for-test-0123456789" });
    try {
      expect(k2.address.url).toContain("token=explicit-token-for-test-0123456789");
      const ch = await k2.connect();
      expect((await ch.request({ type: "kernel_info" })).type).toBe("kernel_info_reply");
    } finally {
      await k2.stop();
    }
    const saved = process.env.KERNELKIT_TOKEN;
    process.env.KERNELKIT_TOKEN = "from-the-environment-0123456789";
    try {
      const k3 = await startWsKernel();
      expect(k3.transport.token).toBe("from-the-environment-0123456789");
      await k3.stop();
    } finally {
      if (saved === undefined) delete process.env.KERNELKIT_TOKEN;
      else process.env.KERNELKIT_TOKEN = saved;
    }
  });
});

describe("ws transport: the page", () => {
  const get = (path: string) => fetch(`http://127.0.0.1:${k.address.port}${path}`);

  it("serves the page at /?token=… and refuses it without the token", async () => {
    const ok = await get(`/?token=${encodeURIComponent(k.transport.token)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/text\/html/);
    expect(ok.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await ok.text();
    expect(html).toContain('src="/app.js"');
    const refused = await get("/");
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("KK_WS_UNAUTHORIZED");
  });

  it("serves the page's script and style, and 404 for anything else", async () => {
    const js = await get("/app.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(await js.text()).toContain("new WebSocket(");
    expect((await get("/style.css")).status).toBe(200);
    expect((await get("/../package.json")).status).toBe(404);
    expect((await get("/etc/passwd")).status).toBe(404);
  });
});
