// The parent's handle on one batch worker (batch-worker.ts): a child process in a process group
// of its own, fed one notebook at a time over IPC. A worker that dies mid-notebook answers for
// that notebook with its exit code and last stderr lines, as a `run` process that died would.
import { type ChildProcess, spawn } from "node:child_process";
import type { BatchJob, BatchJobDone } from "./batch-worker.ts";
import type { RunOptions } from "./commands/run.ts";

export class BatchWorker {
  /** The notebook running now, else the last one (what stray output is attributed to). */
  current: string | null = null;
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private pending: ((done: BatchJobDone) => void) | null = null;
  private piped = "";
  private exited = false;
  private stopping = false;

  /** `onStray`: stderr the worker wrote while no notebook was running, with the last notebook. */
  constructor(entry: string, onStray: (text: string, last: string | null) => void) {
    // Its own process group: Ctrl-C reaches the batch only, which passes it on exactly once,
    // and killing the group also ends what a notebook started (Python, subprocesses).
    this.child = spawn(process.execPath, [entry], {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      detached: true,
    });
    this.ready = new Promise((resolve) => {
      const onReady = (m: { type?: string }) => {
        if (m?.type !== "ready") return;
        this.child.off("message", onReady);
        resolve();
      };
      this.child.on("message", onReady);
      this.child.once("exit", () => resolve());
    });
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      if (this.pending) this.piped += d;
      else onStray(d, this.current);
    });
    this.child.on("message", (m: BatchJobDone) => {
      if (m?.type !== "done") return;
      this.finish({ ...m, stderr: m.stderr + this.takePiped() });
    });
    this.child.on("close", (code, signal) => {
      this.exited = true;
      this.finish({
        type: "done",
        stdout: "",
        stderr: this.takePiped(),
        exitCode: code ?? 128 + signalNumber(signal),
        retire: true,
      });
    });
    this.child.on("error", () => {});
  }

  /** False once the worker retired, was stopped or died: the next notebook needs a new one. */
  get usable(): boolean {
    return !this.exited && !this.stopping;
  }

  async run(path: string, options: RunOptions): Promise<BatchJobDone> {
    this.current = path;
    const answer = new Promise<BatchJobDone>((resolve) => (this.pending = resolve));
    await this.ready;
    if (this.exited)
      this.finish({ type: "done", stdout: "", stderr: this.takePiped(), exitCode: 1, retire: true });
    else this.child.send({ type: "run", path, options } satisfies BatchJob);
    return answer;
  }

  /** SIGINT to the worker itself (its kernel interrupts the cell and reports); SIGKILL to the group. */
  signal(signal: "SIGINT" | "SIGKILL"): void {
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return;
    try {
      if (signal === "SIGINT") process.kill(pid, signal);
      else process.kill(-pid, signal);
    } catch {}
  }

  /** No more notebooks: the worker exits when its channel closes. */
  stop(): void {
    this.stopping = true;
    if (this.child.connected) this.child.disconnect();
  }

  private takePiped(): string {
    const text = this.piped;
    this.piped = "";
    return text;
  }

  private finish(done: BatchJobDone): void {
    const resolve = this.pending;
    this.pending = null;
    resolve?.(done);
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 1;
}
