// A kernel subprocess (`kernelkit serve --transport stdio`, spawned as `node runner/dist/cli.js`)
// driven over NDJSON on its stdin/stdout, with as little client code as possible so that the
// figures are the kernel's. Requests may be pipelined; frames are routed by id.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(REPO, "runner", "dist", "cli.js");

const TERMINAL = new Set(["done", "run_done", "error_reply"]);

/** Whether `frame` ends the request `req` (docs/protocol.md "Guarantees"). */
export function endsRequest(req, frame) {
  if (TERMINAL.has(frame.type) || frame.type.endsWith("_reply")) return true;
  return frame.type === "graph" && req.type === "set_cells" && req.run !== true;
}

/**
 * Starts a kernel. Resolves once the process is spawned (not when it is ready: send
 * `kernel_info` for that). `onUnrouted` sees frames whose id matches no pending request.
 */
export function startKernel({ args = [], nodeArgs = [], env, cwd = REPO, onUnrouted } = {}) {
  // nodeArgs: flags for the kernel's node (e.g. --cpu-prof, which NODE_OPTIONS refuses).
  const child = spawn(process.execPath, [...nodeArgs, CLI, "serve", "--transport", "stdio", ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const pending = new Map();
  let stderr = "";
  let buf = "";
  let exited = null;
  const exitWaiters = [];
  child.stderr.setEncoding("utf8").on("data", (d) => {
    stderr += d;
    if (stderr.length > 64 * 1024) stderr = stderr.slice(-32 * 1024);
  });
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    buf += chunk;
    let nl = buf.indexOf("\n");
    if (nl < 0) return;
    let start = 0;
    while (nl >= 0) {
      const line = buf.slice(start, nl);
      start = nl + 1;
      nl = buf.indexOf("\n", start);
      if (line.length === 0) continue;
      let frame;
      try {
        frame = JSON.parse(line);
      } catch {
        api.badLines++;
        continue;
      }
      api.frames++;
      const p = frame.id == null ? undefined : pending.get(frame.id);
      if (!p) {
        onUnrouted?.(frame);
        continue;
      }
      p.onFrame?.(frame);
      if (endsRequest(p.req, frame)) {
        pending.delete(frame.id);
        p.resolve(frame);
      }
    }
    buf = buf.slice(start);
  });
  child.on("exit", (code, signal) => {
    exited = { code, signal };
    for (const p of pending.values())
      p.reject(
        new Error(`kernel exited (${code ?? signal}) before answering ${p.req.type}: ${tail(stderr)}`),
      );
    pending.clear();
    for (const w of exitWaiters) w(exited);
  });
  child.stdin.on("error", () => {});

  let serial = 0;
  const api = {
    child,
    pid: child.pid,
    frames: 0,
    badLines: 0,
    get stderr() {
      return stderr;
    },
    get exited() {
      return exited;
    },
    /** Sends a request (an id is added when missing); resolves with its terminal frame. */
    request(req, onFrame) {
      if (exited)
        return Promise.reject(
          new Error(`kernel has exited (${exited.code ?? exited.signal}): ${tail(stderr)}`),
        );
      const full = req.id === undefined ? { ...req, id: `b${++serial}` } : req;
      return new Promise((resolve, reject) => {
        pending.set(full.id, { req: full, resolve, reject, onFrame });
        child.stdin.write(`${JSON.stringify(full)}\n`);
      });
    },
    /** Writes raw text (already framed or not) to the kernel's input. */
    writeRaw(text) {
      if (!exited) child.stdin.write(text);
    },
    /** Resident set size of the kernel process, in bytes (Linux /proc). */
    rss() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        const m = /VmRSS:\s+(\d+) kB/.exec(status);
        return m ? Number(m[1]) * 1024 : Number.NaN;
      } catch {
        return Number.NaN;
      }
    },
    waitExit(timeoutMs = 10_000) {
      if (exited) return Promise.resolve(exited);
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(null), timeoutMs);
        exitWaiters.push((e) => {
          clearTimeout(t);
          resolve(e);
        });
      });
    },
    /** Ends input (the kernel exits on end of channel); kills it if it lingers. */
    async close() {
      if (exited) return exited;
      child.stdin.end();
      const e = await api.waitExit(5_000);
      if (e) return e;
      child.kill("SIGKILL");
      return api.waitExit(5_000);
    },
  };
  return api;
}

export function tail(text, lines = 6) {
  return text.trim().split("\n").slice(-lines).join(" | ");
}

let availability = null;

/**
 * Whether `serve --transport stdio` exists and answers kernel_info, checked once. Resolves
 * `{ ok: true }` or `{ ok: false, reason }`.
 */
export function serveAvailable() {
  availability ??= (async () => {
    let k;
    try {
      readFileSync(CLI);
    } catch {
      return { ok: false, reason: "runner/dist/cli.js is missing: run `npm run build` first" };
    }
    try {
      k = startKernel();
      const reply = await Promise.race([
        k.request({ type: "kernel_info" }),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("no kernel_info_reply within 15 s")), 15_000),
        ),
      ]);
      if (reply.type !== "kernel_info_reply")
        return { ok: false, reason: `kernel_info answered ${reply.type}` };
      return { ok: true };
    } catch (error) {
      const why = k?.stderr ? tail(k.stderr, 2) : error.message;
      return { ok: false, reason: `\`kernelkit serve --transport stdio\` is not available yet (${why})` };
    } finally {
      await k?.close();
    }
  })();
  return availability;
}
