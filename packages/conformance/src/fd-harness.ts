// A transport harness for transports that read requests from one fd and write frames to
// another (stdio-like): two named pipes (mkfifo; POSIX), the transport's ends opened first so
// neither side blocks, and a client that writes raw bytes and reads NDJSON frames.
import { execFileSync } from "node:child_process";
import { closeSync, constants, fstatSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { Transport } from "@kernelkit/core";
import { conformanceFolder } from "./executor-harness.ts";
import type { TransportHarness, WireClient } from "./transport-suite.ts";

export interface FdPair {
  /** Where the transport reads requests. */
  inFd: number;
  /** Where the transport writes frames. */
  outFd: number;
  /** The transport's request size limit, when the case sets one. */
  maxFrameBytes?: number;
}

// The client reads frames on a thread of its own: a stdio-like transport writes synchronously
// from the main thread and blocks while the pipe is full, so a reader on the main thread
// would never drain it. Lines are posted to the main thread as they complete.
const READER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { Socket } = require("node:net");
const s = new Socket({ fd: workerData.fd, readable: true, writable: false });
s.setEncoding("utf8");
let pending = "";
s.on("data", (text) => {
  pending += text;
  const lines = pending.split("\\n");
  pending = lines.pop();
  if (lines.length > 0) parentPort.postMessage(lines);
});
s.on("error", () => {});
s.on("close", () => parentPort.postMessage(null));
parentPort.on("message", () => (s.destroyed ? parentPort.postMessage(null) : s.destroy()));
`;

/** Closes `fd` only if it is still the file we opened (an fd number may be reused once closed). */
function closeIfOurs(fd: number, path: string): void {
  try {
    // bigint: a plain stat of a FIFO misdirects later require()s (nodejs/node#51142).
    const a = fstatSync(fd, { bigint: true });
    const b = statSync(path, { bigint: true });
    if (a.ino === b.ino && a.dev === b.dev) closeSync(fd);
  } catch {}
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
    }
  }
}

/** Certifies a stream transport built on an fd pair: `fifoHarness(({inFd, outFd}) => createX({inFd, outFd}))`. */
export function fifoHarness(create: (fds: FdPair) => Transport | Promise<Transport>): TransportHarness {
  return {
    framing: "stream",
    frameLimit: true,
    async create({ maxFrameBytes }) {
      const dir = mkdtempSync(join(conformanceFolder(), "fifo-"));
      const reqPath = join(dir, "requests");
      const framePath = join(dir, "frames");
      execFileSync("mkfifo", [reqPath, framePath]);
      const inFd = openSync(reqPath, constants.O_RDONLY | constants.O_NONBLOCK);
      const clientWrite = openSync(reqPath, constants.O_WRONLY);
      const clientRead = openSync(framePath, constants.O_RDONLY | constants.O_NONBLOCK);
      const outFd = openSync(framePath, constants.O_WRONLY);
      const transport = await create({ inFd, outFd, ...(maxFrameBytes ? { maxFrameBytes } : {}) });
      let reader: Worker | null = null;
      let ended = false;
      return {
        transport,
        async connect(): Promise<WireClient> {
          const listeners: ((f: unknown) => void)[] = [];
          reader = new Worker(READER_SOURCE, { eval: true, workerData: { fd: clientRead } });
          reader.unref();
          reader.on("error", () => {});
          reader.on("message", (lines: string[] | null) => {
            for (const l of lines ?? []) {
              if (l.trim() === "") continue;
              let frame: unknown;
              try {
                frame = JSON.parse(l);
              } catch {
                frame = { type: "kk-unparseable-line", line: l };
              }
              for (const fn of listeners) fn(frame);
            }
          });
          return {
            write(data) {
              writeAll(clientWrite, typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data));
            },
            onFrame: (fn) => void listeners.push(fn),
            end() {
              if (ended) return;
              ended = true;
              closeIfOurs(clientWrite, reqPath);
            },
          };
        },
        async cleanup() {
          // The reader's socket owns its fd: let it close, and the thread end, before any fd
          // is closed here; a late close in a dying thread could hit a reused fd number.
          const r = reader;
          if (r) {
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, 2000);
              r.on("message", (m) => {
                if (m === null) {
                  clearTimeout(t);
                  resolve();
                }
              });
              r.postMessage("stop");
            });
            await r.terminate();
          }
          closeIfOurs(clientRead, framePath);
          if (!ended) closeIfOurs(clientWrite, reqPath);
          closeIfOurs(inFd, reqPath);
          closeIfOurs(outFd, framePath);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}
