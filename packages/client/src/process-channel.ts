// A kernel subprocess (docs/client.md "The channel"): started as a process-group leader with
// fd 0 = /dev/null, fd 1 and fd 2 = pipes delivered as text, fd 3 = one socket pair carrying
// requests and frames both ways. Interrupts go to the pid; SIGTERM and SIGKILL to the group.
import { type ChildProcess, spawn } from "node:child_process";
import type { Socket } from "node:net";
import { NdjsonDecoder } from "@kernelkit/transport-stdio/framing";
import type { ChannelEvents, ExitInfo, Frame, KernelChannel } from "./channel.ts";
import type { ResolvedCommand } from "./resolve.ts";

export interface ProcessChannelOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Called for frames that are not JSON (logged and skipped). */
  onInvalidFrame?: (message: string) => void;
  /**
   * Interrupt with SIGINT to the pid (a foreign kernel command) rather than the `interrupt`
   * request, which a kernelkit kernel reads on its I/O thread even while a cell blocks it.
   */
  interruptBySignal?: boolean;
}

const STDERR_LINES = 20;
/** After the process exits, how long to wait for the channel's last frames. */
const DRAIN_MS = 500;

export class ProcessChannel implements KernelChannel {
  readonly child: ChildProcess;
  private readonly socket: Socket;
  private events: ChannelEvents | null = null;
  private exited: ExitInfo | null = null;
  private exitedAt: { code: number | null; signal: string | null } | null = null;
  private socketClosed = false;
  private readonly exitWaiters: (() => void)[] = [];
  private readonly stderrTail: string[] = [];
  private stderrPartial = "";
  private spawnError: Error | null = null;
  private readonly interruptBySignal: boolean;

  constructor(command: ResolvedCommand, options: ProcessChannelOptions) {
    this.child = spawn(command.file, command.args, {
      cwd: options.cwd,
      env: { ...options.env, KERNELKIT_CHANNEL_FD: "3" },
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      detached: true,
    });
    this.socket = this.child.stdio[3] as Socket;
    this.interruptBySignal = options.interruptBySignal ?? true;
    const decoder = new NdjsonDecoder({
      maxFrameBytes: 1024 * 1024 * 1024,
      onMessage: (value) => {
        if (typeof value === "object" && value !== null && typeof (value as Frame).type === "string")
          this.events?.frame(value as Frame);
        else options.onInvalidFrame?.(`a frame that is not a protocol object: ${JSON.stringify(value)}`);
      },
      onError: (_code, message) => options.onInvalidFrame?.(message),
    });
    this.socket.on("data", (chunk: Buffer) => decoder.push(chunk));
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      decoder.end();
      this.socketClosed = true;
      this.maybeExited();
    });
    this.child.stdout!.setEncoding("utf8").on("data", (text: string) => this.events?.output(text, "stdout"));
    this.child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      this.keepStderr(text);
      this.events?.output(text, "stderr");
    });
    this.child.on("error", (error) => {
      // spawn failed (ENOENT, EACCES): there is no process.
      this.spawnError = error;
      this.exitedAt ??= { code: null, signal: null };
      this.socketClosed = true;
      this.maybeExited();
    });
    this.child.on("exit", (code, signal) => {
      this.exitedAt = { code, signal };
      // The kernel's children may keep fd 1/2 open; only fd 3 is waited for, briefly.
      setTimeout(() => {
        this.socketClosed = true;
        this.maybeExited();
      }, DRAIN_MS).unref();
      this.maybeExited();
    });
  }

  attach(events: ChannelEvents): void {
    this.events = events;
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  get alive(): boolean {
    return this.exitedAt === null && this.spawnError === null;
  }

  /** The exit, once seen (null while running). */
  get exitInfo(): ExitInfo | null {
    return this.exited;
  }

  send(message: Record<string, unknown>): void {
    if (!this.alive || this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  signalInterrupt(): boolean {
    if (!this.interruptBySignal) return false;
    const pid = this.child.pid;
    if (pid === undefined || !this.alive) return true;
    try {
      process.kill(pid, "SIGINT");
    } catch {
      // already gone
    }
    return true;
  }

  /** Signals the kernel's whole process group (the kernel is its leader). */
  signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // no such group: everything in it is gone
    }
  }

  /** Resolves true once the exit was seen, false after `ms`. */
  waitExit(ms: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.exitWaiters.indexOf(done);
        if (i >= 0) this.exitWaiters.splice(i, 1);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.exitWaiters.push(done);
    });
  }

  async shutdown(graceMs: number): Promise<boolean> {
    this.setBusy(true);
    if (!this.exited) {
      if (this.alive && !this.socket.destroyed) {
        this.socket.end(`${JSON.stringify({ type: "exit" })}\n`);
      }
      if (!(await this.waitExit(graceMs))) {
        this.signalGroup("SIGTERM");
        if (!(await this.waitExit(graceMs))) {
          this.signalGroup("SIGKILL");
          await this.waitExit(Math.max(graceMs, 2000));
        }
      }
    }
    // Whatever the kernel's cells left running in its group goes with it.
    this.signalGroup("SIGKILL");
    this.socket.destroy();
    this.setBusy(false);
    return this.exited !== null;
  }

  /** Kills the whole group at once (startup failed or was abandoned) and waits for the exit. */
  async kill(): Promise<void> {
    this.signalGroup("SIGKILL");
    if (this.child.pid !== undefined) await this.waitExit(5000);
    this.socket.destroy();
  }

  setBusy(busy: boolean): void {
    const stdout = this.child.stdout as Socket | null;
    const stderr = this.child.stderr as Socket | null;
    if (busy) {
      this.child.ref();
      this.socket.ref();
      stdout?.ref?.();
      stderr?.ref?.();
    } else {
      this.child.unref();
      this.socket.unref();
      stdout?.unref?.();
      stderr?.unref?.();
    }
  }

  recentStderr(): string[] {
    const tail = this.stderrPartial ? [...this.stderrTail, this.stderrPartial] : [...this.stderrTail];
    return tail.slice(-STDERR_LINES);
  }

  get startError(): Error | null {
    return this.spawnError;
  }

  private keepStderr(text: string): void {
    const lines = (this.stderrPartial + text).split("\n");
    this.stderrPartial = lines.pop() ?? "";
    for (const line of lines) {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_LINES) this.stderrTail.shift();
    }
    if (this.stderrPartial.length > 4096) this.stderrPartial = this.stderrPartial.slice(-4096);
  }

  private maybeExited(): void {
    if (this.exited || !this.exitedAt || !this.socketClosed) return;
    const { code, signal } = this.exitedAt;
    const reason = this.spawnError
      ? `the kernel could not be started: ${this.spawnError.message}`
      : signal
        ? `the kernel exited with signal ${signal}`
        : `the kernel exited with code ${code}`;
    this.exited = { code, signal, reason };
    this.socket.destroy();
    for (const w of this.exitWaiters.splice(0)) w();
    this.events?.exit(this.exited);
  }
}
