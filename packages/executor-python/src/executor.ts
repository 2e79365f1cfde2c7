// The Python executor: cells run in one persistent python3 process per kernel (runner.py).
//
// Requests are answered in order by the runner, so the oldest pending `exec` is the one
// running. An interrupt writes an `interrupt` request and sends SIGINT (KeyboardInterrupt
// in the cell); when the cell has not stopped after `interruptGraceMs`, the process group
// is killed and a new Python starts, and the cell's stderr says that every name was lost.
import { basename, relative } from "node:path";
import {
  type CellAnalysis,
  CellRuntimeError,
  type CodeQuery,
  type CompiledCell,
  type CompletionReply,
  type ExecutionContext,
  type Executor,
  type InspectReply,
  InterruptedError,
  type IsCompleteReply,
  type Logger,
  mimeBundle,
  silentLogger,
} from "@kernelkit/core";
import { PythonError, PythonSystemExit, pythonErrors } from "./errors.ts";
import { PythonProcess, type RunnerMessage } from "./process.ts";
import { PythonScope } from "./scope.ts";

export interface PythonExecutorOptions {
  /** The interpreter (default: $KERNELKIT_PYTHON, else `python3` on PATH). */
  python?: string;
  /** Folder cells run in (default: the notebook's folder, else the current directory). */
  cwd?: string;
  /** The notebook file: tracebacks, `__file__`. */
  notebookPath?: string | null;
  /** Extra environment variables for Python (merged over the host's). */
  env?: Record<string, string | undefined>;
  /** How long a cell may ignore KeyboardInterrupt before Python is restarted (default 2000 ms). */
  interruptGraceMs?: number;
  logger?: Logger;
}

/** What the running interpreter reported at startup. */
export interface PythonInfo {
  pid: number;
  version: string;
  executable: string;
}

interface PendingExec {
  seq: number;
  ctx: ExecutionContext;
  label: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  interruptRequested: boolean;
  interruptSent: boolean;
  escalation: ReturnType<typeof setTimeout> | null;
  onAbort: () => void;
}

interface PendingAnalysis {
  seq: number;
  code: string;
  resolve(value: CellAnalysis): void;
  reject(error: unknown): void;
}

interface ErrorMessage {
  kind?: string;
  ename?: string;
  evalue?: string;
  qualname?: string;
  traceback?: string[];
  exitCode?: number | string | null;
}

const ANALYSIS_CACHE_LIMIT = 20_000;

export class PythonExecutor implements Executor {
  readonly name = "python";
  readonly language = "python";
  /** Python cells share a Python namespace, not a JS scope: lifecycles requiring "shared-js-scope" refuse. */
  readonly provides: readonly string[] = [];
  readonly scope: PythonScope;

  private readonly python: string;
  private readonly cwd: string;
  private readonly notebookPath: string | null;
  private readonly env: NodeJS.ProcessEnv;
  private readonly graceMs: number;
  private readonly logger: Logger;
  private proc: PythonProcess | null = null;
  private readyPromise: Promise<PythonInfo> | null = null;
  private resolveReady: ((info: PythonInfo) => void) | null = null;
  private rejectReady: ((error: unknown) => void) | null = null;
  /** Whether the current process has answered `ready`. */
  private procReady = false;
  private seq = 0;
  private readonly execs: PendingExec[] = [];
  private readonly analyses = new Map<number, PendingAnalysis>();
  private readonly analysisCache = new Map<string, CellAnalysis>();
  /** Code queries (complete/inspect/is_complete) waiting for the interpreter, by seq. */
  private readonly queries = new Map<number, (result: unknown) => void>();
  private latestCtx: ExecutionContext | null = null;
  private shown: { path: string; text: string } | null = null;
  private disposing: Promise<void> | null = null;
  /** The interpreter that runs now (after `ready()`). */
  info: PythonInfo | null = null;

  constructor(options: PythonExecutorOptions = {}) {
    validateOptions(options);
    this.python = options.python ?? process.env.KERNELKIT_PYTHON ?? "python3";
    this.notebookPath = options.notebookPath ?? null;
    this.cwd = options.cwd ?? process.cwd();
    this.env = { ...process.env, ...options.env };
    this.graceMs = options.interruptGraceMs ?? 2000;
    this.logger = options.logger ?? silentLogger;
    this.scope = new PythonScope((line) => {
      if (!this.disposing) this.ensure().sendLine(line);
    });
    this.ensure();
  }

  /** Resolves once the Python process answers (rejects with a KK_PYTHON_START error if it cannot start). */
  ready(): Promise<PythonInfo> {
    this.ensure();
    return this.readyPromise!;
  }

  private ensure(): PythonProcess {
    if (this.proc?.alive) return this.proc;
    if (this.disposing) throw pythonErrors.disposed();
    this.readyPromise = new Promise<PythonInfo>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody may be waiting for readiness; a start failure also fails the pending requests.
    this.readyPromise.catch(() => {});
    this.procReady = false;
    const proc: PythonProcess = new PythonProcess({
      python: this.python,
      cwd: this.cwd,
      env: this.env,
      notebookPath: this.notebookPath,
      onText: (stream, text) => {
        if (proc === this.proc) this.onText(stream, text);
      },
      onMessage: (m) => {
        if (proc === this.proc) this.onMessage(m);
      },
      onExit: (code, signal, tail) => {
        if (proc === this.proc) this.onExit(code, signal, tail);
      },
    });
    // Starting up counts as waiting for Python (until `ready`).
    proc.ref();
    this.proc = proc;
    return proc;
  }

  // ---- execution ----

  execute(cell: CompiledCell, ctx: ExecutionContext): Promise<unknown> {
    if (this.disposing) return Promise.reject(pythonErrors.disposed());
    const proc = this.ensure();
    const seq = ++this.seq;
    const scratch = cell.executionCount !== undefined || cell.path === null;
    const label = scratch ? `<execute ${cell.executionCount ?? seq}>` : `<cell ${cell.name ?? cell.id}>`;
    const file = cell.path ?? `<execute ${cell.executionCount ?? seq}>`;
    const display = cell.path ? this.shownPath(cell.path) : file;
    this.latestCtx = ctx;
    return new Promise<unknown>((resolve, reject) => {
      const pending: PendingExec = {
        seq,
        ctx,
        label: cell.name ?? cell.id,
        resolve,
        reject,
        interruptRequested: false,
        interruptSent: false,
        escalation: null,
        onAbort: () => this.requestInterrupt(pending),
      };
      this.execs.push(pending);
      proc.ref();
      const line = JSON.stringify({
        op: "exec",
        seq,
        code: cell.code,
        file,
        display,
        line: cell.line,
        label,
      });
      if (ctx.signal.aborted) {
        // In the same write as the request: Python reads them together and never starts the cell.
        proc.sendLine(`${line}\n{"op":"interrupt","seq":${seq}}`);
        this.requestInterrupt(pending, false);
      } else {
        proc.sendLine(line);
        ctx.signal.addEventListener("abort", pending.onAbort, { once: true });
      }
    });
  }

  /** How tracebacks name a notebook file (path.relative is costly enough to remember). */
  private shownPath(path: string): string {
    if (this.shown?.path !== path) {
      this.shown = { path, text: relative(this.cwd, path) || basename(path) };
    }
    return this.shown.text;
  }

  analyze(code: string): CellAnalysis | Promise<CellAnalysis> {
    const hit = this.analysisCache.get(code);
    if (hit) return hit;
    if (this.disposing) return Promise.reject(pythonErrors.disposed());
    const seq = ++this.seq;
    return new Promise<CellAnalysis>((resolve, reject) => {
      this.analyses.set(seq, { seq, code, resolve, reject });
      const proc = this.ensure();
      proc.ref();
      proc.send({ op: "analyze", seq, code });
    });
  }

  // ---- code queries (protocol v1.1): answered by the interpreter, in order with cells ----

  private query<T>(fields: Record<string, unknown>): Promise<T | null> {
    if (this.disposing) return Promise.resolve(null);
    const seq = ++this.seq;
    return new Promise<T | null>((resolve) => {
      this.queries.set(seq, resolve as (result: unknown) => void);
      const proc = this.ensure();
      proc.ref();
      proc.send({ op: "query", seq, ...fields });
    });
  }

  complete(q: CodeQuery): Promise<CompletionReply | null> {
    return this.query({ query: "complete", code: q.code, cursorPos: q.cursorPos });
  }

  inspect(q: CodeQuery): Promise<InspectReply | null> {
    return this.query({
      query: "inspect",
      code: q.code,
      cursorPos: q.cursorPos,
      detailLevel: q.detailLevel ?? 0,
    });
  }

  async isComplete(code: string): Promise<IsCompleteReply> {
    return (await this.query<IsCompleteReply>({ query: "is_complete", code })) ?? { status: "unknown" };
  }

  /** Queries the old process never answered get "no answer" (the kernel replies with empty results). */
  private dropQueries(proc: PythonProcess | null): void {
    for (const resolve of this.queries.values()) {
      proc?.unref();
      resolve(null);
    }
    this.queries.clear();
  }

  /** Stops the running cell: KeyboardInterrupt, then a restart if it is ignored. */
  interrupt(): void {
    const head = this.execs[0];
    if (head) this.requestInterrupt(head);
  }

  private requestInterrupt(p: PendingExec, write = true): void {
    if (p.interruptRequested || !this.execs.includes(p)) return;
    p.interruptRequested = true;
    // Written before the signal: a cell that has not started yet learns it was interrupted.
    if (write) this.proc?.send({ op: "interrupt", seq: p.seq });
    // Before `ready`, Python has no SIGINT handler yet (a signal would kill it); the
    // request alone stops the cell from starting, and the signal follows readiness.
    if (this.execs[0] === p && this.procReady) this.signalInterrupt(p);
  }

  private signalInterrupt(p: PendingExec): void {
    p.interruptSent = true;
    this.proc?.signal("SIGINT");
    p.escalation = setTimeout(() => this.escalate(p), this.graceMs);
  }

  /** The cell ignored KeyboardInterrupt: kill Python (and its subprocesses) and start afresh. */
  private escalate(p: PendingExec): void {
    if (this.execs[0] !== p || !this.proc) return;
    const old = this.proc;
    this.proc = null;
    old.kill();
    const note =
      `kernelkit: the cell did not stop within ${this.graceMs} ms of KeyboardInterrupt, so the Python ` +
      `process was restarted; every name it held is lost (re-run the cells you need).\n`;
    p.ctx.stderr(note);
    this.logger.warn({ cell: p.label }, note.trim());
    this.replaceProcess(old, (exec) =>
      exec === p
        ? new InterruptedError(
            `interrupted; Python ignored KeyboardInterrupt for ${this.graceMs} ms and was restarted (its names are lost)`,
          )
        : pythonErrors.restarted("a cell ignored an interrupt"),
    );
    if (!this.disposing) this.ensure();
  }

  /** Fails the old process's executions, forgets its names, and re-sends pending analyses. */
  private replaceProcess(old: PythonProcess, errorFor: (exec: PendingExec | null) => unknown): void {
    this.scope.clear();
    this.dropQueries(old);
    const execs = this.execs.splice(0);
    for (const exec of execs) {
      this.finish(exec, old);
      exec.reject(errorFor(exec));
    }
    const analyses = [...this.analyses.values()];
    for (let i = 0; i < analyses.length; i++) old.unref();
    if (analyses.length > 0 && this.procReady && !this.disposing) {
      const proc = this.ensure();
      for (const a of analyses) {
        proc.ref();
        proc.send({ op: "analyze", seq: a.seq, code: a.code });
      }
    } else {
      this.analyses.clear();
      const error = errorFor(null);
      for (const a of analyses) a.reject(error);
    }
  }

  private finish(p: PendingExec, proc: PythonProcess | null): void {
    if (p.escalation) clearTimeout(p.escalation);
    p.escalation = null;
    p.ctx.signal.removeEventListener("abort", p.onAbort);
    proc?.unref();
  }

  // ---- messages from Python ----

  private onText(stream: "stdout" | "stderr", text: string): void {
    const ctx = this.execs[0]?.ctx ?? this.latestCtx;
    if (ctx) {
      if (stream === "stdout") ctx.stdout(text);
      else ctx.stderr(text);
    } else if (stream === "stderr") this.logger.warn({ python: true }, text.trimEnd());
    else this.logger.info({ python: true }, text.trimEnd());
  }

  private onMessage(m: RunnerMessage): void {
    switch (m.op) {
      case "done":
        this.onDone(m);
        return;
      case "analysis":
        this.onAnalysis(m);
        return;
      case "query_reply": {
        const resolve = this.queries.get(m.seq as number);
        if (!resolve) return;
        this.queries.delete(m.seq as number);
        this.proc?.unref();
        resolve(m.result ?? null);
        return;
      }
      case "display": {
        const exec = this.execs.find((e) => e.seq === m.seq) ?? this.execs[0];
        const ctx = exec?.ctx ?? this.latestCtx;
        ctx?.display(mimeBundle(m.bundle as Record<string, unknown>));
        return;
      }
      case "ready": {
        this.procReady = true;
        this.proc?.unref();
        const head = this.execs[0];
        if (head?.interruptRequested && !head.interruptSent) this.signalInterrupt(head);
        this.info = {
          pid: m.pid as number,
          version: m.version as string,
          executable: m.executable as string,
        };
        this.resolveReady?.(this.info);
        return;
      }
      case "log":
        this.logger.error({ python: true }, String(m.msg));
        return;
    }
  }

  private onDone(m: RunnerMessage): void {
    const i = this.execs.findIndex((e) => e.seq === m.seq);
    if (i === -1) return;
    const [p] = this.execs.splice(i, 1);
    this.finish(p!, this.proc);
    this.scope.record(
      m.defs as string[] | undefined,
      m.values as Record<string, unknown> | undefined,
      m.types as Record<string, string> | undefined,
      m.gone as string[] | undefined,
    );
    // The next cell may have been interrupted while it waited: signal it now that it runs.
    const next = this.execs[0];
    if (next?.interruptRequested && !next.interruptSent && this.procReady) this.signalInterrupt(next);
    if (m.status === "ok") {
      p!.resolve(m.bundle ? mimeBundle(m.bundle as Record<string, unknown>) : undefined);
    } else if (m.status === "interrupted") {
      p!.reject(new InterruptedError());
    } else {
      p!.reject(toError((m.error ?? {}) as ErrorMessage));
    }
  }

  private onAnalysis(m: RunnerMessage): void {
    const a = this.analyses.get(m.seq as number);
    if (!a) return;
    this.analyses.delete(a.seq);
    this.proc?.unref();
    const e = m.error as {
      message: string;
      line: number;
      column: number;
      code?: string;
      name?: string;
    } | null;
    const analysis: CellAnalysis = {
      defs: (m.defs as string[]) ?? [],
      refs: (m.refs as string[]) ?? [],
      globalRefs: (m.globalRefs as string[]) ?? [],
      writes: [],
      error: e
        ? {
            name: e.name ?? "SyntaxError",
            code: e.code ?? "KK_SYNTAX",
            message: e.message,
            line: e.line,
            column: e.column,
          }
        : null,
    };
    if (Array.isArray(m.starImports))
      analysis.starImports = m.starImports as { module: string; line: number }[];
    if (this.analysisCache.size >= ANALYSIS_CACHE_LIMIT) {
      this.analysisCache.delete(this.analysisCache.keys().next().value!);
    }
    this.analysisCache.set(a.code, analysis);
    a.resolve(analysis);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, tail: string): void {
    const old = this.proc!;
    this.proc = null;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!this.procReady) {
      const error =
        tail === "ENOENT"
          ? pythonErrors.notFound(this.python)
          : pythonErrors.startFailed(this.python, how, tail);
      this.rejectReady?.(error);
      this.replaceProcess(old, () => error);
      return;
    }
    if (this.disposing) return;
    this.logger.warn({ code, signal }, `the Python process ended (${how}); a new one starts on demand`);
    this.replaceProcess(old, (exec) =>
      exec === null
        ? pythonErrors.restarted(`it ended with ${how}`)
        : exec.interruptSent
          ? new InterruptedError(`interrupted; the Python process ended (${how}) and its names are lost`)
          : pythonErrors.exited(how, `cell '${exec.label}'`),
    );
    this.ensure();
  }

  dispose(): Promise<void> {
    if (this.disposing) return this.disposing;
    this.disposing = (async () => {
      const error = pythonErrors.disposed();
      for (const exec of this.execs.splice(0)) {
        this.finish(exec, this.proc);
        exec.reject(error);
      }
      for (const a of this.analyses.values()) a.reject(error);
      this.analyses.clear();
      this.dropQueries(this.proc);
      const proc = this.proc;
      this.proc = null;
      if (proc) await proc.close(1000);
    })();
    return this.disposing;
  }
}

function toError(info: ErrorMessage): unknown {
  const traceback = info.traceback ?? [];
  if (info.kind === "internal") return pythonErrors.internal(info.evalue ?? "unknown error");
  if (info.kind === "exit")
    return new CellRuntimeError(new PythonSystemExit(info.exitCode ?? null), traceback);
  const cause = new PythonError(
    info.ename ?? "Exception",
    info.evalue ?? "",
    info.qualname ?? info.ename ?? "Exception",
    traceback,
  );
  return new CellRuntimeError(cause, traceback);
}

function validateOptions(options: PythonExecutorOptions): void {
  if (options === null || typeof options !== "object")
    throw pythonErrors.options("options must be an object");
  if (options.python !== undefined && (typeof options.python !== "string" || options.python === "")) {
    throw pythonErrors.options("`python` must be a non-empty string (the interpreter to run)");
  }
  const grace = options.interruptGraceMs;
  if (grace !== undefined && (typeof grace !== "number" || !(grace >= 0))) {
    throw pythonErrors.options("`interruptGraceMs` must be a number ≥ 0");
  }
  if (options.env !== undefined && (options.env === null || typeof options.env !== "object")) {
    throw pythonErrors.options("`env` must be an object of strings");
  }
}

/** Factory form (PLUGINS.md): `(options, ctx) => executor`; resolves once Python answers. */
export async function createPythonExecutor(
  options: PythonExecutorOptions = {},
  ctx?: { cwd?: string; notebookPath?: string | null; logger?: Logger },
): Promise<PythonExecutor> {
  const executor = new PythonExecutor({
    ...(options ?? {}),
    cwd: options?.cwd ?? ctx?.cwd,
    notebookPath: options?.notebookPath ?? ctx?.notebookPath ?? null,
    logger: options?.logger ?? ctx?.logger,
  });
  try {
    await executor.ready();
  } catch (error) {
    await executor.dispose();
    throw error;
  }
  return executor;
}
