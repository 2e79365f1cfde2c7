// Starts `kernelkit serve --transport ws` (the built CLI) and waits for its ready line.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { WsChannel, type WsChannelOptions } from "@kernelkit/transport-ws";
import { CLI, REPO } from "./cli.ts";

export const READY_LINE = /^kernelkit: listening on (ws:\/\/\S+)$/m;

export interface WsServer {
  child: ChildProcess;
  url: string;
  token: string;
  port: number;
  stderr(): string;
  /** Resolves once stderr contains `text` (rejects if the process exits first). */
  waitForStderr(text: string): Promise<void>;
  connect(options?: WsChannelOptions): Promise<WsChannel>;
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Peak resident set size of the kernel process, in bytes (Linux /proc). */
  peakRss(): number;
  stop(): Promise<void>;
}

export async function startWsServer(
  args: string[] = [],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<WsServer> {
  const child = spawn(process.execPath, [CLI, "serve", "--transport", "ws", "--port", "0", ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const stderrWaiters = new Set<() => void>();
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      for (const w of [...stderrWaiters]) w();
      const m = READY_LINE.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`serve exited (${code ?? signal}) before its ready line:\n${stderr}`)),
    );
  });
  const parsed = new URL(url);
  const channels: WsChannel[] = [];
  return {
    child,
    url,
    token: parsed.searchParams.get("token")!,
    port: Number(parsed.port),
    stderr: () => stderr,
    waitForStderr(text) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!stderr.includes(text)) return;
          stderrWaiters.delete(check);
          resolve();
        };
        stderrWaiters.add(check);
        check();
        void exited.then(() => {
          if (!stderr.includes(text))
            reject(new Error(`serve exited without printing '${text}':\n${stderr}`));
        });
      });
    },
    async connect(opts) {
      const ch = await WsChannel.connect(url, opts);
      channels.push(ch);
      return ch;
    },
    exited,
    peakRss() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
    },
    async stop() {
      for (const ch of channels) ch.socket.terminate();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
