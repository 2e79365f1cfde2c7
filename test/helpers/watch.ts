// Drives `kernelkit watch --json` (the built CLI): collects its NDJSON events and waits for them.
import { type ChildProcess, spawn } from "node:child_process";
import { CLI } from "./cli.ts";

export interface WatchEvent {
  event: "run" | "error" | "types";
  trigger?: "initial" | "notebook" | "module";
  changed?: string[];
  deleted?: string[];
  cells?: any[];
  error?: { code: string; message: string; hint?: string | null };
  /** `types` events (`--types`): no cell has a type error; how many there are. */
  ok?: boolean;
  count?: number;
}

export interface WatchProcess {
  child: ChildProcess;
  events: WatchEvent[];
  stderr(): string;
  /** The next event after the ones already taken (rejects after `timeoutMs` or on exit). */
  next(timeoutMs?: number): Promise<WatchEvent>;
  /** The next event of one kind, skipping the others (a run and its type check race). */
  nextOf(kind: WatchEvent["event"], timeoutMs?: number): Promise<WatchEvent>;
  /** Waits until stderr contains `text`. */
  waitForStderr(text: string, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export async function startWatch(args: string[], options: { cwd: string }): Promise<WatchProcess> {
  const child = spawn(process.execPath, [CLI, "watch", "--json", ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: WatchEvent[] = [];
  let taken = 0;
  let stdout = "";
  let stderr = "";
  const wake = new Set<() => void>();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      resolve({ code, signal });
      for (const w of [...wake]) w();
    }),
  );
  let exitedNow = false;
  void exited.then(() => (exitedNow = true));
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    let nl = stdout.indexOf("\n");
    while (nl !== -1) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      if (line.trim()) events.push(JSON.parse(line));
      nl = stdout.indexOf("\n");
    }
    for (const w of [...wake]) w();
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    for (const w of [...wake]) w();
  });
  const until = (ready: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (ready()) {
          wake.delete(check);
          clearTimeout(timer);
          resolve();
        } else if (exitedNow) {
          wake.delete(check);
          clearTimeout(timer);
          reject(new Error(`watch exited while waiting for ${what}\nstderr: ${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        wake.delete(check);
        reject(
          new Error(
            `timed out waiting for ${what}\nevents: ${JSON.stringify(events).slice(0, 3000)}\nstderr: ${stderr}`,
          ),
        );
      }, timeoutMs);
      wake.add(check);
      check();
    });
  const proc: WatchProcess = {
    child,
    events,
    stderr: () => stderr,
    async next(timeoutMs = 20_000) {
      await until(() => events.length > taken, "the next watch event", timeoutMs);
      return events[taken++]!;
    },
    async nextOf(kind, timeoutMs = 20_000) {
      for (;;) {
        const e = await proc.next(timeoutMs);
        if (e.event === kind) return e;
      }
    },
    waitForStderr: (text, timeoutMs = 20_000) =>
      until(() => stderr.includes(text), `stderr "${text}"`, timeoutMs),
    exited,
    async stop() {
      if (!exitedNow) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  return proc;
}

/** A cell object of an event, by name or id. */
export function cellOf(event: WatchEvent, name: string): any {
  return event.cells?.find((c) => c.name === name || c.id === name);
}

export function ranNames(event: WatchEvent): string[] {
  return (event.cells ?? []).map((c) => c.name ?? c.id);
}
