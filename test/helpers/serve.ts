// A raw NDJSON session with `kernelkit serve --transport stdio` (fd 0 in, fd 1 out), for tests
// that speak the wire protocol byte by byte.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { CLI, REPO } from "./cli.ts";

export type Frame = { type: string; id: string | null; [key: string]: unknown };

export interface ServeSession {
  child: ChildProcessWithoutNullStreams;
  frames: Frame[];
  /** Raw stdout lines that were not JSON (must stay empty). */
  garbage: string[];
  stderr(): string;
  /** Writes raw text to the kernel's stdin. */
  write(text: string): void;
  send(request: Record<string, unknown>): void;
  /** Resolves with the first frame (from `from` on) matching `pred`. */
  waitFor(pred: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Sends a request and resolves with all its frames, up to its terminal frame. */
  request(request: Record<string, unknown> & { id: string }, timeoutMs?: number): Promise<Frame[]>;
  framesOf(id: string): Frame[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  close(): Promise<void>;
}

export function isTerminal(f: Frame, setCellsWithoutRun = false): boolean {
  return (
    f.type === "done" ||
    f.type === "run_done" ||
    f.type.endsWith("_reply") ||
    (setCellsWithoutRun && f.type === "graph")
  );
}

export function startServe(
  args: string[] = [],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ServeSession {
  const child = spawn(process.execPath, [CLI, "serve", ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const frames: Frame[] = [];
  const garbage: string[] = [];
  let err = "";
  let buf = "";
  const waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    buf += d;
    let i = buf.indexOf("\n");
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let f: Frame | null = null;
      try {
        f = JSON.parse(line) as Frame;
      } catch {
        garbage.push(line);
      }
      if (f) {
        frames.push(f);
        for (const w of [...waiters]) {
          if (w.pred(f)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(f);
          }
        }
      }
      i = buf.indexOf("\n");
    }
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  child.stdin.on("error", () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  const session: ServeSession = {
    child,
    frames,
    garbage,
    stderr: () => err,
    write: (text) => child.stdin.write(text),
    send: (request) => child.stdin.write(`${JSON.stringify(request)}\n`),
    waitFor(pred, timeoutMs = 20_000) {
      const hit = frames.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `no matching frame within ${timeoutMs} ms; frames: ${JSON.stringify(frames.slice(-10))}\nstderr: ${err.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        waiters.push({
          pred,
          resolve: (f) => {
            clearTimeout(timer);
            resolve(f);
          },
        });
      });
    },
    async request(request, timeoutMs) {
      const graphTerminal = request.type === "set_cells" && request.run !== true;
      session.send(request);
      await session.waitFor((f) => f.id === request.id && isTerminal(f, graphTerminal), timeoutMs);
      return session.framesOf(request.id);
    },
    framesOf: (id) => frames.filter((f) => f.id === id),
    exited,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        const t = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  return session;
}

/** True while a process with this pid exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
