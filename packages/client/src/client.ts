// KernelClient (docs/client.md): drives a kernel over any KernelChannel. `start` spawns a kernel
// subprocess; `fromChannel` wraps another channel (a WebSocket, in remote.ts).
import { isTerminalFrame } from "@kernelkit/core/protocol";
import type { ChannelEvents, ExitInfo, Frame, KernelChannel } from "./channel.ts";
import { KernelClientError } from "./errors.ts";
import { ProcessChannel } from "./process-channel.ts";
import type { ConnectOptions } from "./remote.ts";
import { type KernelCommandOptions, resolveKernelCommand } from "./resolve.ts";

export interface StartOptions extends KernelCommandOptions {
  /** Merged over the parent's environment. */
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Absolute `Date.now()` timestamp: one budget for spawning and the `kernel_info` handshake. */
  deadlineMs?: number;
  /** How long an interrupted execution may take to end before the kernel is shut down (default 5 s). */
  escalationGraceMs?: number;
  /** Each wait of `shutdown` when no timeoutMs is given (default 1 s). */
  shutdownGraceMs?: number;
  /** Text the kernel process writes on fd 1 / fd 2 (also delivered to the running execution's onChunk). */
  onOutput?: (text: string, stream: "stdout" | "stderr") => void;
  /** Frames that belong to no pending request (output after a request ended, `log`, `protocol_error`). */
  onFrame?: (frame: Frame) => void;
  /** Invalid frames from the kernel are skipped and reported here (default: a warning on stderr). */
  onWarning?: (message: string) => void;
}

export interface ErrorResult {
  name: string;
  value: string;
  traceback: string[];
  code?: string;
}

export interface ExecuteResult {
  status: "ok" | "error";
  executionCount: number;
  error?: ErrorResult;
  cancelled: boolean;
  timedOut: boolean;
  kernelKilled: boolean;
}

export interface ExecuteOptions {
  /** stdout/stderr text, the text/plain of results and displays, and the client's notices, in order. */
  onChunk?: (text: string) => void;
  /** Every `display` and `result` bundle. */
  onDisplay?: (bundle: Record<string, unknown>, kind: "display" | "result") => void;
  /** Interrupt after this long; shut the kernel down if it does not stop within the grace. */
  timeoutMs?: number;
  signal?: AbortSignal;
  silent?: boolean;
  storeHistory?: boolean;
  /** Overrides the client's escalation grace for this execution. */
  escalationGraceMs?: number;
}

export interface RequestOptions {
  onFrame?: (frame: Frame) => void;
}

export interface ShutdownOptions {
  /** Each wait (exit on the channel, then SIGTERM, then SIGKILL); default 1 s. */
  timeoutMs?: number;
}

interface Pending {
  type: string;
  onFrame: (frame: Frame) => void;
  onExit: (info: ExitInfo) => void;
}

function textOf(bundle: unknown): string | null {
  const t = (bundle as Record<string, unknown> | null)?.["text/plain"];
  return typeof t === "string" ? t : null;
}

const DEFAULT_GRACE_MS = 5000;
const DEFAULT_SHUTDOWN_GRACE_MS = 1000;

export class KernelClient {
  /** The kernel's `kernel_info_reply` from the handshake. */
  info: Record<string, unknown> | null = null;

  private readonly pending = new Map<string, Pending>();
  private nextId = 0;
  /** An execution is running; the ones after it wait here, first in, first out. */
  private executing = false;
  private readonly waiting: (() => void)[] = [];
  private exitInfo: ExitInfo | null = null;
  private current: ExecuteOptions | null = null;
  private lastCount = 0;
  private shuttingDown: Promise<{ confirmed: boolean }> | null = null;
  private readonly graceMs: number;
  private readonly shutdownGraceMs: number;
  private readonly options: StartOptions;

  private constructor(
    private readonly channel: KernelChannel,
    options: StartOptions = {},
  ) {
    this.options = options;
    this.graceMs = options.escalationGraceMs ?? DEFAULT_GRACE_MS;
    this.shutdownGraceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    const events: ChannelEvents = {
      frame: (frame) => this.onFrame(frame),
      output: (text, stream) => {
        this.options.onOutput?.(text, stream);
        this.current?.onChunk?.(text);
      },
      exit: (info) => this.onExit(info),
    };
    channel.attach(events);
  }

  /** Wraps a channel that is already connected (e.g. a WebSocket); runs the handshake. */
  static async fromChannel(channel: KernelChannel, options: StartOptions = {}): Promise<KernelClient> {
    const client = new KernelClient(channel, options);
    client.channel.setBusy(false);
    const info = await client.request({ type: "kernel_info" });
    client.info = info;
    return client;
  }

  /**
   * The same API over WebSocket, to a kernel started with `kernelkit serve --transport ws`
   * (`ws://HOST:PORT/?token=…`, or the token in `options.token`). There is no process to
   * signal: interrupt is the `interrupt` request and shutdown the `shutdown` request.
   */
  static async connect(url: string, options: ConnectOptions = {}): Promise<KernelClient> {
    const { connectKernelChannel } = await import("./remote.ts");
    const channel = await connectKernelChannel(url, options);
    try {
      return await KernelClient.fromChannel(channel, options);
    } catch (error) {
      await channel.close();
      throw error;
    }
  }

  /** Whether a kernel could be started with these options, without starting one. */
  static checkAvailability(options: KernelCommandOptions = {}): { ok: boolean; reason?: string } {
    const r = resolveKernelCommand(options);
    return r.ok ? { ok: true } : { ok: false, reason: r.reason };
  }

  /** Spawns a kernel and waits for its `kernel_info_reply`, all within one deadline. */
  static async start(options: StartOptions = {}): Promise<KernelClient> {
    const started = Date.now();
    const fail = (message: string, hint?: string, pid?: number) =>
      new KernelClientError("KK_KERNEL_START", message, { hint, pid });
    if (options.signal?.aborted) throw fail("the kernel start was aborted before it began");
    if (options.deadlineMs !== undefined && options.deadlineMs <= started) {
      throw fail(
        "the startup deadline had already passed; no kernel was started",
        "Pass a later deadlineMs.",
      );
    }
    const resolved = resolveKernelCommand(options);
    if (!resolved.ok) {
      throw new KernelClientError("KK_KERNEL_UNAVAILABLE", resolved.reason, {
        hint: "Install the `kernelkit` package in the project (or pass `command`).",
      });
    }
    const cwd = options.cwd ?? process.cwd();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const warn =
      options.onWarning ?? ((message: string) => process.stderr.write(`kernelkit client: ${message}\n`));
    const channel = new ProcessChannel(resolved.command, {
      cwd,
      env,
      onInvalidFrame: warn,
      // A kernelkit kernel takes the interrupt request even while a cell blocks it, without
      // the hazards of a signal landing as a cell starts; a foreign command gets SIGINT.
      interruptBySignal: options.command !== undefined,
    });
    const client = new KernelClient(channel, options);
    const pid = channel.pid ?? undefined;

    let timer: ReturnType<typeof setTimeout> | null = null;
    let onAbort: (() => void) | null = null;
    const budget = new Promise<never>((_, reject) => {
      if (options.deadlineMs !== undefined) {
        const ms = Math.max(0, options.deadlineMs - Date.now());
        timer = setTimeout(
          () =>
            reject(
              fail(
                `the kernel did not become ready within the startup deadline (${options.deadlineMs! - started} ms)`,
                "Allow more time (deadlineMs), or check the kernel's stderr.",
                pid,
              ),
            ),
          ms,
        );
      }
      if (options.signal) {
        onAbort = () => reject(fail("the kernel start was aborted", undefined, pid));
        options.signal.addEventListener("abort", onAbort, { once: true });
      }
    });
    const handshake = client.request({ type: "kernel_info" });
    handshake.catch(() => {});
    budget.catch(() => {});
    try {
      const info = await Promise.race([handshake, budget]);
      client.info = info;
      return client;
    } catch (error) {
      await channel.kill();
      let e = error as Error;
      if (error instanceof KernelClientError && error.code === "KK_KERNEL_EXITED") {
        const spawnError = channel.startError;
        const tail = channel.recentStderr().filter((l) => l.trim() !== "");
        e = fail(
          spawnError
            ? `the kernel could not be started (${resolved.command.description}): ${spawnError.message}`
            : `${client.exitInfo?.reason ?? "the kernel exited"} before it was ready${
                tail.length > 0 ? `; its last stderr lines:\n${tail.join("\n")}` : ""
              }`,
          "Run the kernel command by hand to see why it fails.",
          pid,
        );
      } else if (!(error instanceof KernelClientError)) {
        e = fail(`the kernel failed to start: ${(error as Error)?.message ?? error}`, undefined, pid);
      }
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The kernel's pid (null over a channel without a local process). */
  get pid(): number | null {
    return this.channel.pid;
  }

  isAlive(): boolean {
    return this.exitInfo === null && this.channel.alive;
  }

  /**
   * Sends any docs/protocol.md request and resolves with its terminal frame; `onFrame` sees every
   * frame of it. Rejects when the kernel exits first.
   */
  request(request: Record<string, unknown>, options: RequestOptions = {}): Promise<Frame> {
    if (request.type === "exit") {
      return Promise.reject(
        new KernelClientError("KK_USAGE", "`exit` has no answer; use shutdown() to end the kernel"),
      );
    }
    if (!this.isAlive()) return Promise.reject(this.notRunning());
    const id = typeof request.id === "string" ? request.id : `kk-${++this.nextId}`;
    if (this.pending.has(id)) {
      return Promise.reject(new KernelClientError("KK_USAGE", `request id '${id}' is already in flight`));
    }
    return new Promise<Frame>((resolve, reject) => {
      const pending: Pending = {
        type: String(request.type),
        onFrame: (frame) => {
          options.onFrame?.(frame);
          if (isTerminalFrame(frame.type, request)) {
            this.settle(id);
            resolve(frame);
          }
        },
        onExit: (info) =>
          reject(
            new KernelClientError("KK_KERNEL_EXITED", `${info.reason} before answering '${pending.type}'`),
          ),
      };
      if (this.pending.size === 0) this.channel.setBusy(true);
      this.pending.set(id, pending);
      this.channel.send({ ...request, id });
    });
  }

  /**
   * Runs code in the kernel's global scope. Executions are serialised. Never rejects for
   * kernel-side failures; rejects only when the kernel is not running.
   */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    if (!this.isAlive()) return Promise.reject(this.notRunning());
    if (!this.executing) return this.startExecute(code, options);
    return new Promise<ExecuteResult>((resolve, reject) =>
      this.waiting.push(() => this.startExecute(code, options).then(resolve, reject)),
    );
  }

  /** Runs one execution now; the next waiting one starts when it settles. */
  private startExecute(code: string, options: ExecuteOptions): Promise<ExecuteResult> {
    this.executing = true;
    let run: Promise<ExecuteResult>;
    try {
      run = this.runExecute(code, options);
    } catch (error) {
      run = Promise.reject(error);
    }
    run.then(this.nextExecute, this.nextExecute);
    return run;
  }

  private readonly nextExecute = (): void => {
    const next = this.waiting.shift();
    if (next) next();
    else this.executing = false;
  };

  private runExecute(code: string, options: ExecuteOptions): Promise<ExecuteResult> {
    const killed = (info: ExitInfo, timedOut: boolean): ExecuteResult => ({
      status: "error",
      executionCount: this.lastCount,
      error: { name: "KernelExited", value: info.reason, traceback: [], code: "KK_KERNEL_EXITED" },
      cancelled: true,
      timedOut,
      kernelKilled: true,
    });
    if (this.exitInfo) {
      const info = this.exitInfo;
      options.onChunk?.(`${info.reason}\n`);
      return Promise.resolve(killed(info, false));
    }
    if (options.signal?.aborted) {
      return Promise.resolve({
        status: "error",
        executionCount: this.lastCount,
        error: {
          name: "Interrupted",
          value: "the execution was aborted before it started",
          traceback: [],
          code: "KK_INTERRUPTED",
        },
        cancelled: true,
        timedOut: false,
        kernelKilled: false,
      });
    }
    const id = `kk-${++this.nextId}`;
    return new Promise<ExecuteResult>((resolve) => {
      let error: ErrorResult | undefined;
      let timedOut = false;
      let escalated = false;
      let killing = false;
      let timeoutTimer: ReturnType<typeof setTimeout> | null = null;
      let graceTimer: ReturnType<typeof setTimeout> | null = null;
      const cleanup = () => {
        if (timeoutTimer) clearTimeout(timeoutTimer);
        if (graceTimer) clearTimeout(graceTimer);
        options.signal?.removeEventListener("abort", escalate);
        if (this.current === options) this.current = null;
      };
      const escalate = () => {
        if (escalated) return;
        escalated = true;
        void this.interrupt();
        graceTimer = setTimeout(() => {
          graceTimer = null;
          // From here the kernel is being killed: a late `done` does not change that; the exit settles this.
          killing = true;
          void this.shutdown();
        }, options.escalationGraceMs ?? this.graceMs);
      };
      const pending: Pending = {
        type: "execute",
        onFrame: (frame) => {
          switch (frame.type) {
            case "stdout":
            case "stderr":
              if (typeof frame.data === "string") options.onChunk?.(frame.data);
              break;
            case "display":
            case "result": {
              const bundle = (frame.bundle ?? {}) as Record<string, unknown>;
              options.onDisplay?.(bundle, frame.type);
              const text = textOf(bundle);
              if (text !== null) options.onChunk?.(text.endsWith("\n") ? text : `${text}\n`);
              break;
            }
            case "error": {
              const e: ErrorResult = {
                name: String(frame.ename ?? "Error"),
                value: String(frame.evalue ?? ""),
                traceback: Array.isArray(frame.traceback) ? frame.traceback.map(String) : [],
              };
              if (typeof frame.code === "string") e.code = frame.code;
              error = e;
              break;
            }
            case "done": {
              if (killing) break;
              this.settle(id);
              cleanup();
              const count = typeof frame.executionCount === "number" ? frame.executionCount : this.lastCount;
              this.lastCount = count;
              const result: ExecuteResult = {
                status: frame.status === "ok" ? "ok" : "error",
                executionCount: count,
                cancelled: frame.cancelled === true,
                timedOut,
                kernelKilled: false,
              };
              if (error) result.error = error;
              resolve(result);
              break;
            }
            case "error_reply": {
              this.settle(id);
              cleanup();
              const err = (frame.error ?? {}) as { code?: unknown; message?: unknown };
              resolve({
                status: "error",
                executionCount: this.lastCount,
                error: {
                  name: "ProtocolError",
                  value: String(err.message ?? "the kernel refused the request"),
                  traceback: [],
                  code: String(err.code ?? "INTERNAL"),
                },
                cancelled: false,
                timedOut,
                kernelKilled: false,
              });
              break;
            }
          }
        },
        onExit: (info) => {
          options.onChunk?.(`${info.reason}\n`);
          cleanup();
          resolve(killed(info, timedOut));
        },
      };
      if (this.pending.size === 0) this.channel.setBusy(true);
      this.pending.set(id, pending);
      this.current = options;
      const message: Record<string, unknown> = { id, type: "execute", code };
      if (options.silent !== undefined) message.silent = options.silent;
      if (options.storeHistory !== undefined) message.storeHistory = options.storeHistory;
      this.channel.send(message);
      if (options.timeoutMs !== undefined) {
        timeoutTimer = setTimeout(() => {
          timeoutTimer = null;
          timedOut = true;
          escalate();
        }, options.timeoutMs);
      }
      options.signal?.addEventListener("abort", escalate, { once: true });
    });
  }

  /**
   * Interrupts the running cell: the `interrupt` request (a kernelkit kernel), or SIGINT to
   * the kernel's pid (a foreign command) — never to its group.
   */
  async interrupt(): Promise<void> {
    if (!this.isAlive()) return;
    if (this.channel.signalInterrupt()) return;
    await this.request({ type: "interrupt" }).catch(() => {});
  }

  /** `exit` on the channel, then SIGTERM, then SIGKILL to the kernel's process group. */
  shutdown(options: ShutdownOptions = {}): Promise<{ confirmed: boolean }> {
    this.shuttingDown ??= this.channel
      .shutdown(options.timeoutMs ?? this.shutdownGraceMs)
      .then((confirmed) => ({ confirmed }));
    return this.shuttingDown;
  }

  private settle(id: string): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.channel.setBusy(false);
  }

  private onFrame(frame: Frame): void {
    const pending = typeof frame.id === "string" ? this.pending.get(frame.id) : undefined;
    if (pending) pending.onFrame(frame);
    else this.options.onFrame?.(frame);
  }

  private onExit(info: ExitInfo): void {
    this.exitInfo = info;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.onExit(info);
    this.channel.setBusy(false);
  }

  private notRunning(): KernelClientError {
    return new KernelClientError(
      "KK_KERNEL_NOT_RUNNING",
      this.exitInfo ? `the kernel is not running (${this.exitInfo.reason})` : "the kernel is not running",
      { hint: "Start a new kernel with KernelClient.start()." },
    );
  }
}
