// A transport from an installed package that is not a built-in (test/fixtures/transport-unix,
// written with @kernelkit/core's public exports only, on the InterruptRelay helper): it passes
// the transport kit, and `kernelkit serve --transport unix` serves a kernel on it — requests,
// an interrupt of a synchronous loop, shutdown.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { describeTransportConformance, type WireClient } from "@kernelkit/conformance";
import { afterEach, describe, expect, it } from "vitest";
import { UnixTransport } from "../fixtures/transport-unix/index.js";
import { CLI, REPO, tempDir } from "../helpers/cli.ts";

const FIXTURE = join(REPO, "test", "fixtures", "transport-unix");

type Frame = { type: string; id: string | null; [key: string]: unknown };

/** A client on the socket: NDJSON frames in, raw bytes out. */
async function dial(
  path: string,
): Promise<{ socket: Socket; frames: Frame[]; onFrame(fn: (f: Frame) => void): void }> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  const frames: Frame[] = [];
  const listeners: ((f: Frame) => void)[] = [];
  let pending = "";
  socket.setEncoding("utf8").on("data", (text: string) => {
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const l of lines) {
      if (l.trim() === "") continue;
      const f = JSON.parse(l) as Frame;
      frames.push(f);
      for (const fn of listeners) fn(f);
    }
  });
  socket.on("error", () => {});
  return { socket, frames, onFrame: (fn) => void listeners.push(fn) };
}

describeTransportConformance("unix (a third-party transport)", {
  framing: "stream",
  create() {
    const dir = tempDir("kk-unix-");
    const path = join(dir, "k.sock");
    const transport = new UnixTransport({ path, signalInterrupts: false });
    return {
      transport,
      async connect(): Promise<WireClient> {
        const client = await dial(path);
        return {
          write: (data) => new Promise<void>((resolve) => client.socket.write(data, () => resolve())),
          onFrame: (fn) => client.onFrame(fn),
          end: () => new Promise<void>((resolve) => client.socket.end(() => resolve())),
        };
      },
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

describe("kernelkit serve --transport unix (a discovered transport entry point)", () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    child?.kill("SIGKILL");
    child = null;
  });

  /** A project whose package.json depends on the fixture package (installed as a symlink). */
  function project(): string {
    const dir = tempDir("kk-unix-serve-");
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    symlinkSync(FIXTURE, join(dir, "node_modules", "kernelkit-transport-unix"), "dir");
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "p", private: true, dependencies: { "kernelkit-transport-unix": "1.0.0" } }),
    );
    return dir;
  }

  it("serves requests, interrupts a synchronous loop by request, and shuts down with exit code 0", async () => {
    const dir = project();
    const sock = join(dir, "kernel.sock");
    child = spawn(process.execPath, [CLI, "serve", "--transport", "unix"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1", KERNELKIT_UNIX_SOCKET: sock },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child!.on("close", (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!stderr.includes("listening on")) {
      if (Date.now() > deadline) throw new Error(`the unix transport never listened:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(existsSync(sock)).toBe(true);
    const client = await dial(sock);
    const until = async (pred: (f: Frame) => boolean, what: string) => {
      const end = Date.now() + 20_000;
      while (!client.frames.some(pred)) {
        if (Date.now() > end)
          throw new Error(`${what}: no such frame in ${JSON.stringify(client.frames)}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return client.frames.find(pred)!;
    };
    const send = (request: Record<string, unknown>) => client.socket.write(`${JSON.stringify(request)}\n`);

    send({ id: "1", type: "execute", code: "6 * 7" });
    const result = await until((f) => f.id === "1" && f.type === "result", "the result");
    expect((result.bundle as Record<string, string>)["text/plain"]).toBe("42");

    send({ id: "2", type: "execute", code: "while (true) {}" });
    await until((f) => f.id === "2" && f.type === "started", "the loop's started frame");
    send({ id: "3", type: "interrupt" });
    const done = await until((f) => f.id === "2" && f.type === "done", "the loop's done frame");
    expect(done).toMatchObject({ status: "error", cancelled: true });
    const error = client.frames.find((f) => f.id === "2" && f.type === "error")!;
    expect(error.code).toBe("KK_INTERRUPTED");
    await until((f) => f.id === "3" && f.type === "interrupt_reply", "the interrupt_reply");

    send({ id: "4", type: "execute", code: "'still alive'" });
    const after = await until((f) => f.id === "4" && f.type === "result", "a result after the interrupt");
    expect((after.bundle as Record<string, string>)["text/plain"]).toContain("still alive");

    send({ id: "5", type: "shutdown" });
    await until((f) => f.id === "5" && f.type === "shutdown_reply", "the shutdown_reply");
    expect(await exited).toBe(0);
  });

  it("an unknown transport name is a startup error naming what is known (exit 2)", () => {
    const dir = project();
    const r = spawn(process.execPath, [CLI, "serve", "--transport", "nope"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    r.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    return new Promise<void>((resolve) =>
      r.on("close", (code) => {
        expect(code).toBe(2);
        expect(err).toContain("nope");
        expect(err).toMatch(/unix/);
        resolve();
      }),
    );
  });
});
