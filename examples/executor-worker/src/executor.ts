// A kernelkit executor whose cells run in a worker_threads worker with resourceLimits: a cell
// that allocates without bound stops at the memory cap instead of taking the kernel down, and
// an interrupt that the cell cannot hear (a synchronous loop) terminates the worker. Either
// way a fresh worker is started and given back the notebook's names, from copies the main
// thread keeps of every def (values that cannot be copied — functions, classes — are lost and
// named in the error). Written against @kernelkit/core's public exports only.
import { basename, dirname, relative } from "node:path";
import { Worker } from "node:worker_threads";
import {
  analyzeJsCell,
  CellRuntimeError,
  type CompiledCell,
  type ExecutionContext,
  type Executor,
  InterruptedError,
  KernelkitError,
  type MappedFrame,
  mimeBundle,
  type PluginContext,
  ProcessExitError,
  type Scope,
  userTraceback,
} from "@kernelkit/core";

/** This executor's own error codes (core's ErrorCode names core's only). */
type WorkerErrorCode = "KK_WORKER_MEMORY" | "KK_WORKER_DISPOSED";

export interface WorkerExecutorOptions {
  /** Old-generation heap cap of the worker in MiB (default 512). */
  memoryMb?: number;
  /** Young-generation cap in MiB (default: V8's). */
  youngMemoryMb?: number;
  /** Stack size of the worker's main thread in MiB (default 4). */
  stackMb?: number;
  /** How long an interrupted cell may take to stop by itself before the worker is terminated (default 250 ms). */
  interruptGraceMs?: number;
  /** Folder cells run in and resolve relative paths from (default: the notebook's, else the cwd). */
  cwd?: string;
  notebookPath?: string | null;
  /** Cells are TypeScript when the kernel gave no analysis (default true). */
  typescript?: boolean;
}

/** A cell pushed the worker over its memory cap; the worker was restarted. */
export class MemoryLimitError extends KernelkitError<WorkerErrorCode> {
  constructor(limitMb: number) {
    super("KK_WORKER_MEMORY", `the cell used more than the worker's memory limit of ${limitMb} MiB`, {
      hint: "Work on less data at once, or raise `memoryMb` in the executor's options.",
    });
    this.name = "MemoryLimitError";
  }
}

/** An error raised in the worker, rebuilt on this side of the thread boundary. */
class WorkerError extends Error {
  constructor(name: string, message: string, stack: string) {
    super(message);
    this.name = name;
    this.stack = stack || `${name}: ${message}`;
  }
}

// Beside this module: src/worker.js when run from source, dist/worker.js when built.
const WORKER_URL = new URL("./worker.js", import.meta.url);

interface Pending {
  seq: number;
  cell: CompiledCell;
  ctx: ExecutionContext;
  file: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onAbort(): void;
  escalation: ReturnType<typeof setTimeout> | null;
}

interface ScriptInfo {
  line: number;
  bodyLines: number;
  display: string;
  label: string;
}

type Copy = { value: unknown } | { lost: true };

/** The notebook's names as the kernel sees them: copies of the worker's values. */
class WorkerScope implements Scope {
  readonly copies = new Map<string, Copy>();
  constructor(private readonly post: (m: unknown) => void) {}
  get(name: string): unknown {
    const c = this.copies.get(name);
    return c && "value" in c ? c.value : undefined;
  }
  set(name: string, value: unknown): void {
    this.copies.set(name, { value });
    this.post({ t: "set", name, value });
  }
  delete(name: string): void {
    if (this.copies.delete(name)) this.post({ t: "delete", name });
  }
  has(name: string): boolean {
    return this.copies.has(name);
  }
  names(): Iterable<string> {
    return [...this.copies.keys()];
  }
}

export class WorkerExecutor implements Executor {
  readonly name = "worker";
  readonly language = "javascript";
  readonly provides: readonly string[] = [];
  readonly scope: WorkerScope;
  private readonly options: Required<
    Pick<WorkerExecutorOptions, "memoryMb" | "stackMb" | "interruptGraceMs">
  > &
    WorkerExecutorOptions;
  private readonly cwd: string;
  private readonly notebookPath: string | null;
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private running: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private latest: ExecutionContext | null = null;
  private seq = 0;
  private readonly scripts = new Map<string, ScriptInfo>();
  private disposed = false;
  /** Why the current worker is being replaced (set just before it is terminated). */
  private ending: "interrupt" | "dispose" | null = null;

  constructor(options: WorkerExecutorOptions = {}) {
    this.options = { memoryMb: 512, stackMb: 4, interruptGraceMs: 250, ...options };
    this.notebookPath = options.notebookPath ?? null;
    this.cwd = options.cwd ?? (this.notebookPath ? dirname(this.notebookPath) : process.cwd());
    this.scope = new WorkerScope((m) => this.worker?.postMessage(m));
    this.start();
  }

  /** Starts a worker and gives it the names kept from the previous one. */
  private start(): void {
    const limits: NonNullable<ConstructorParameters<typeof Worker>[1]>["resourceLimits"] = {
      maxOldGenerationSizeMb: this.options.memoryMb,
      stackSizeMb: this.options.stackMb,
    };
    if (this.options.youngMemoryMb) limits.maxYoungGenerationSizeMb = this.options.youngMemoryMb;
    const worker = new Worker(WORKER_URL, {
      workerData: { cwd: this.cwd, notebookPath: this.notebookPath },
      resourceLimits: limits,
      stdout: false,
      stderr: false,
    });
    worker.unref();
    this.worker = worker;
    this.ending = null;
    this.ready = new Promise<void>((resolve, reject) => {
      const onReady = (m: { t?: string }) => {
        if (m?.t === "ready") {
          worker.off("message", onReady);
          resolve();
        }
      };
      worker.on("message", onReady);
      worker.once("error", reject);
    });
    this.ready.catch(() => {});
    worker.on("message", (m) => this.onMessage(worker, m));
    worker.on("error", (error) => this.onWorkerGone(worker, error, null));
    worker.on("exit", (code) => this.onWorkerGone(worker, null, code));
    const values: Record<string, unknown> = {};
    for (const [name, c] of this.scope.copies) if ("value" in c) values[name] = c.value;
    if (Object.keys(values).length > 0) worker.postMessage({ t: "restore", values });
  }

  private onMessage(worker: Worker, m: any): void {
    if (worker !== this.worker) return;
    const ctx = this.running?.ctx ?? this.latest;
    switch (m.t) {
      case "out":
        if (!ctx) return;
        if (m.stream === "stderr") ctx.stderr(m.text);
        else ctx.stdout(m.text);
        return;
      case "display":
        ctx?.display(mimeBundle(m.bundle));
        return;
      case "done":
        this.onDone(m);
        return;
    }
  }

  private onDone(m: any): void {
    const p = this.running;
    if (!p || p.seq !== m.seq) return;
    this.finish(p);
    if (m.status === "ok") {
      for (const name of p.cell.defs) {
        if (m.lost.includes(name)) this.scope.copies.set(name, { lost: true });
        else this.scope.copies.set(name, { value: m.defs[name] });
      }
      p.resolve(m.bundle ? mimeBundle(m.bundle) : undefined);
    } else if (m.status === "interrupted") {
      p.reject(new InterruptedError());
    } else {
      const cause = new WorkerError(m.error.name, m.error.message, m.error.stack);
      p.reject(new CellRuntimeError(cause, userTraceback(cause, this.mapFrame)));
    }
  }

  /** The worker exited or crashed: settle the running cell, then start a fresh worker. */
  private onWorkerGone(worker: Worker, error: Error | null, code: number | null): void {
    if (worker !== this.worker) return;
    this.worker = null;
    const why = this.ending;
    const p = this.running;
    if (p) {
      this.finish(p);
      if (why === "interrupt") {
        const lost = this.forgetLost();
        // The kernel reports its own interrupt error; this notice says what the restart cost.
        p.ctx.stderr(
          `the worker was terminated and restarted${lost.length > 0 ? `; these names could not be kept: ${lost.join(", ")} (re-run the cells defining them)` : "; every name was kept"}\n`,
        );
        p.reject(
          new InterruptedError(
            lost.length > 0
              ? `execution was interrupted; the worker was restarted and these names could not be kept: ${lost.join(", ")}`
              : "execution was interrupted; the worker was restarted",
          ),
        );
      } else if (why === "dispose") {
        p.reject(
          new KernelkitError<WorkerErrorCode>(
            "KK_WORKER_DISPOSED",
            "the worker executor was disposed while the cell ran",
          ),
        );
      } else if ((error as { code?: string } | null)?.code === "ERR_WORKER_OUT_OF_MEMORY") {
        this.forgetLost();
        const cause = new MemoryLimitError(this.options.memoryMb);
        p.reject(new CellRuntimeError(cause, [`${cause.name}: ${cause.message}`]));
      } else if (error) {
        this.forgetLost();
        p.reject(new CellRuntimeError(error, userTraceback(error, this.mapFrame)));
      } else {
        // process.exit() in a cell ends the worker only: the kernel lives on.
        this.forgetLost();
        const cause = new ProcessExitError(code ?? 0);
        p.reject(new CellRuntimeError(cause, [`${cause.name}: ${cause.message}`]));
      }
    }
    if (!this.disposed) this.start();
  }

  /** Names whose values could not be copied die with the worker; the kernel must see them gone. */
  private forgetLost(): string[] {
    const lost: string[] = [];
    for (const [name, c] of this.scope.copies) if ("lost" in c) lost.push(name);
    for (const name of lost) this.scope.copies.delete(name);
    return lost;
  }

  private finish(p: Pending): void {
    if (p.escalation) clearTimeout(p.escalation);
    p.ctx.signal.removeEventListener("abort", p.onAbort);
    if (this.running === p) this.running = null;
  }

  private readonly mapFrame = (
    file: string,
    line: number,
    column: number,
    fn: string | null,
  ): MappedFrame | null | undefined => {
    const info = this.scripts.get(file);
    if (!info) return file.includes("[worker eval]") || file.endsWith("/worker.js") ? null : undefined;
    if (line < 2 || line > info.bodyLines + 1) return null;
    return {
      file: info.display,
      line: info.line + line - 2,
      column,
      fn: fn === "__kk_cell" || fn === "async __kk_cell" ? info.label : fn,
    };
  };

  execute(cell: CompiledCell, ctx: ExecutionContext): Promise<unknown> {
    if (this.disposed) {
      return Promise.reject(
        new KernelkitError<WorkerErrorCode>("KK_WORKER_DISPOSED", "the worker executor was disposed", {
          hint: "Start a new kernel.",
        }),
      );
    }
    // One cell at a time: the kernel never overlaps executions, but nothing else prevents it.
    const run = this.queue.then(() => this.run(cell, ctx));
    this.queue = run.catch(() => {});
    return run;
  }

  private async run(cell: CompiledCell, ctx: ExecutionContext): Promise<unknown> {
    let js = cell.js ?? null;
    if (!js) {
      const a = analyzeJsCell(cell.code, this.options.typescript ?? true);
      if (a.error) {
        throw new KernelkitError("KK_SYNTAX", `${a.error.message} (line ${cell.line + a.error.line - 1})`);
      }
      js = a.compiled!;
    }
    await this.ready;
    if (this.disposed)
      throw new KernelkitError<WorkerErrorCode>("KK_WORKER_DISPOSED", "the worker executor was disposed");
    const seq = ++this.seq;
    const file = `${this.notebookPath ?? `${this.cwd}/__execute__`}#kkw${seq}`;
    this.scripts.set(file, {
      line: cell.line,
      bodyLines: js.bodyLines,
      display:
        cell.path !== null
          ? relative(this.cwd, cell.path) || basename(cell.path)
          : `<execute${cell.executionCount !== undefined ? ` ${cell.executionCount}` : ""}>`,
      label:
        cell.executionCount !== undefined
          ? `<execute ${cell.executionCount}>`
          : `<cell ${cell.name ?? cell.id}>`,
    });
    if (this.scripts.size > 2000) this.scripts.delete(this.scripts.keys().next().value!);
    this.latest = ctx;
    return new Promise<unknown>((resolve, reject) => {
      const p: Pending = {
        seq,
        cell,
        ctx,
        file,
        resolve,
        reject,
        escalation: null,
        onAbort: () => this.interruptPending(p),
      };
      this.running = p;
      this.worker!.postMessage({ t: "exec", seq, source: js.source, file, defs: cell.defs });
      if (ctx.signal.aborted) this.interruptPending(p);
      else ctx.signal.addEventListener("abort", p.onAbort, { once: true });
    });
  }

  /** Asks the worker to stop the cell; a cell that does not stop in time takes the worker with it. */
  private interruptPending(p: Pending): void {
    if (this.running !== p || p.escalation) return;
    const worker = this.worker;
    worker?.postMessage({ t: "interrupt", seq: p.seq });
    p.escalation = setTimeout(() => {
      if (this.running !== p || this.worker !== worker || !worker) return;
      this.ending = "interrupt";
      void worker.terminate();
    }, this.options.interruptGraceMs);
  }

  interrupt(): void {
    if (this.running) this.interruptPending(this.running);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const worker = this.worker;
    if (worker) {
      this.ending = "dispose";
      await worker.terminate();
    }
    this.scripts.clear();
  }
}

/** The entry point's factory (docs/plugins.md): `(options, ctx) => executor`. */
export function createWorkerExecutor(
  options: WorkerExecutorOptions = {},
  ctx?: Partial<Pick<PluginContext, "cwd" | "notebookPath">>,
): WorkerExecutor {
  return new WorkerExecutor({
    ...options,
    cwd: options.cwd ?? ctx?.cwd,
    notebookPath: options.notebookPath ?? ctx?.notebookPath ?? null,
  });
}
