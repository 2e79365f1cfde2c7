// The built-in executor: JS/TS cells in one `node:vm` context shared by the notebook.
//
// Each cell runs as an async function (core's rewrite) that writes its defs to the
// context's global object. The context drains its own microtask queue
// (`microtaskMode: "afterEvaluate"`) and every entry into user code goes through a script
// run with `breakOnSigint`, so SIGINT stops a synchronous loop before or after an `await`
// without killing the kernel.
import { executionAsyncId } from "node:async_hooks";
import { createRequire } from "node:module";
import { basename, dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { promiseHooks } from "node:v8";
import vm from "node:vm";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import {
  analyzeJsCell,
  CELL_FUNCTION_NAME,
  CellRuntimeError,
  type CellSlot,
  type CodeQuery,
  type CompiledCell,
  type CompiledJs,
  type CompletionReply,
  type ExecutionContext,
  type Executor,
  HOST_GLOBALS,
  type InspectReply,
  InterruptedError,
  KernelkitError,
  type MappedFrame,
  newCellSlot,
  processInterrupts,
  registerKernelSource,
  rich,
  userTraceback,
  VmContextScope,
} from "@kernelkit/core";
import { restoreAsyncStack } from "./async-stack.ts";
import { createCellConsole } from "./console.ts";
import { completeLive, inspectLive, type LiveNames } from "./live-completion.ts";
import { activate, type OutputOwner, registerOwner, type Stream, unregisterOwner } from "./output.ts";
import { errorStackFiles, stackFiles } from "./stack-files.ts";

registerKernelSource(new URL("../", import.meta.url).href);

export interface DefaultExecutorOptions {
  /** Folder cells run in and resolve relative imports from (default: the notebook's folder, else the cwd). */
  cwd?: string;
  /** The notebook file, for `import.meta`, `require` and tracebacks. */
  notebookPath?: string | null;
  /** Cells are TypeScript when core's analysis was not given (default true). */
  typescript?: boolean;
}

const SIGINT_CODE = "ERR_SCRIPT_EXECUTION_INTERRUPTED";

function isSigint(error: unknown): boolean {
  return (error as { code?: string })?.code === SIGINT_CODE;
}

interface ScriptInfo {
  key: string;
  script: vm.Script;
  js: CompiledJs;
  cellLine: number;
  label: string;
  displayFile: string;
  /** Scratch scripts: the execution that ran it last, whose name labels and files it (`<execute N>`). */
  executionCount?: number;
  traceMap: TraceMap | null;
  /** The execution that ran this script last: owner of what its functions write later. */
  lastCtx?: ExecutionContext;
}

let suppressWarningOnce = true;

const HOST_GLOBAL_SET: ReadonlySet<string> = new Set(HOST_GLOBALS);

const interrupts = processInterrupts();

/** Guarded runs in progress: code running now is the cells' own. */
let guardedDepth = 0;

/** Runs a script under `breakOnSigint`, telling the interrupt machinery the main thread is in one. */
function runGuarded<T>(script: vm.Script, context: vm.Context): T {
  interrupts.enterGuarded();
  const entered = executionAsyncId();
  guardedDepth++;
  try {
    return script.runInContext(context, { breakOnSigint: true }) as T;
  } catch (error) {
    if (isSigint(error)) restoreAsyncStack(entered);
    throw error;
  } finally {
    guardedDepth--;
    interrupts.leaveGuarded();
  }
}

export class DefaultExecutor implements Executor, OutputOwner {
  readonly name = "default";
  readonly language = "javascript";
  readonly provides = ["shared-js-scope"] as const;
  readonly scope: VmContextScope;
  readonly context: vm.Context;

  private readonly sandbox: Record<string, unknown>;
  private readonly cwd: string;
  private readonly notebookPath: string | null;
  private readonly typescript: boolean;
  private readonly scripts = new Map<string, ScriptInfo>();
  private readonly byFile = new Map<string, ScriptInfo>();
  private readonly byCell = new WeakMap<CompiledCell, ScriptInfo>();
  /** Scratch scripts by their analysis (cached per source by core): no key string per execution. */
  private readonly byJs = new WeakMap<CompiledJs, ScriptInfo>();
  private serial = 0;
  /** The execution running now (from its start to its end, awaits included). */
  private current: ExecutionContext | null = null;
  private callbackOwner: ExecutionContext | null = null;
  private rejectCurrent: ((error: unknown) => void) | null = null;
  private readonly drainScript = new vm.Script("", { filename: "kernelkit:drain" });
  private readonly invokeScript = new vm.Script("__kk_cb.apply(undefined, __kk_args)", {
    filename: "kernelkit:invoke",
  });
  private stopHook: (() => void) | null = null;
  private drainScheduled = false;
  private draining = false;
  private pendingAsync = 0;
  private readonly idlePump: ReturnType<typeof setInterval>;
  private disposed = false;
  private readonly onRejection = (reason: unknown) =>
    this.reportBackgroundError(reason, "Unhandled promise rejection");
  private readonly onException = (error: unknown) => this.reportBackgroundError(error, "Uncaught exception");

  constructor(options: DefaultExecutorOptions = {}) {
    this.notebookPath = options.notebookPath ?? null;
    this.cwd = options.cwd ?? (this.notebookPath ? dirname(this.notebookPath) : process.cwd());
    this.typescript = options.typescript ?? true;
    this.sandbox = {};
    this.context = vm.createContext(this.sandbox, { name: "kernelkit", microtaskMode: "afterEvaluate" });
    this.scope = new VmContextScope(this.sandbox, this.context, (name) => this.defineGlobal(name));
    for (const name of HOST_GLOBALS) this.defineGlobal(name);
    const globalProxy = vm.runInContext("globalThis", this.context);
    const hidden = (name: string, value: unknown) => this.scope.defineHidden(name, value);
    hidden("global", globalProxy);
    hidden(
      "console",
      createCellConsole((stream, text) => this.write(stream, text)),
    );
    hidden("setTimeout", this.wrapTimer(setTimeout));
    hidden("setInterval", this.wrapTimer(setInterval));
    hidden("setImmediate", this.wrapTimer(setImmediate as never));
    const anchor = this.notebookPath ?? join(this.cwd, "__kernelkit__.js");
    hidden("require", createRequire(anchor));
    hidden("__filename", anchor);
    hidden("__dirname", dirname(anchor));
    hidden("__kk_meta", { url: pathToFileURL(anchor).href, filename: anchor, dirname: dirname(anchor) });
    hidden("display", this.makeDisplay());
    // Outputs and input of the running cell (docs/protocol.md v1.1).
    hidden("clearOutput", (wait?: boolean) => this.cellCtx()?.clearOutput?.(wait === true));
    hidden("prompt", (message?: unknown, _default?: unknown) => this.prompt(message));
    hidden("page", (value: unknown) => this.cellCtx()?.display(value, { page: true }));
    registerOwner(this);
    process.on("unhandledRejection", this.onRejection);
    process.on("uncaughtException", this.onException);
    // Continuations of background work (a floating promise) run at the latest after 20 ms.
    this.idlePump = setInterval(() => {
      if (!this.draining && this.pendingAsync === 0) this.drain();
    }, 20);
    this.idlePump.unref();
  }

  /** Forwards a host global (console, process, fetch, …) lazily, so unused ones cost nothing. */
  private defineGlobal(name: string): void {
    if (!HOST_GLOBAL_SET.has(name)) return;
    Object.defineProperty(this.sandbox, name, {
      get: () => (globalThis as Record<string, unknown>)[name],
      set: (value) =>
        Object.defineProperty(this.sandbox, name, {
          value,
          writable: true,
          configurable: true,
          enumerable: false,
        }),
      configurable: true,
      enumerable: false,
    });
  }

  /**
   * The execution the running code works for: the cell whose timer callback runs, else the cell
   * running now when the code is the cells' (inside a guarded run), else the cell whose function
   * is on the stack (a cell's I/O callback or late promise: its latest execution), else none —
   * a plugin's hook tap or timer, whose text is the kernel's own (docs/decisions.md).
   */
  private owner(): ExecutionContext | null {
    if (this.callbackOwner) return this.callbackOwner;
    if (guardedDepth > 0 && this.current) return this.current;
    return this.ownerOfFiles(stackFiles());
  }

  private ownerOfFiles(files: readonly (string | null | undefined)[]): ExecutionContext | null {
    for (const file of files) {
      if (!file) continue;
      const info = this.byFile.get(file);
      if (info?.lastCtx) return info.lastCtx;
    }
    return null;
  }

  /** OutputOwner: text written by user code (console, process.stdout, libraries); false when no cell's. */
  write(stream: Stream, text: string): boolean {
    const ctx = this.owner();
    if (!ctx) return false;
    if (stream === "stdout") ctx.stdout(text);
    else ctx.stderr(text);
    return true;
  }

  /** The cell that display/clearOutput/prompt/page act for (the same rule as its output). */
  private cellCtx(): ExecutionContext | null {
    return this.owner();
  }

  /**
   * `prompt()` asks the client for a line when the request allowed stdin, else gets end of
   * file (null, as a browser's cancelled dialog). It returns a promise — `await prompt("…")` —
   * because the answer arrives on the main thread, which a synchronous wait would block.
   */
  private prompt(message: unknown): Promise<string | null> {
    const ctx = this.cellCtx();
    if (!ctx?.input) return Promise.resolve(null);
    return ctx.input(message === undefined ? "" : String(message));
  }

  private makeDisplay(): unknown {
    const display = (value: unknown, options?: { displayId?: string }) => {
      const ctx = this.cellCtx();
      if (options && typeof options === "object" && typeof options.displayId === "string") {
        ctx?.display(value, { displayId: options.displayId });
      } else ctx?.display(value);
    };
    Object.assign(display, {
      html: (html: string) => display(rich.html(html)),
      markdown: (md: string) => display(rich.markdown(md)),
      json: (value: unknown) => display(rich.json(value)),
      image: (data: Uint8Array | string, mime?: string) => display(rich.image(data, mime)),
      svg: (svg: string) => display(rich.svg(svg)),
    });
    return display;
  }

  /** Timer callbacks from cells run under the SIGINT watchdog, with output going to the cell that set them. */
  private wrapTimer<F extends (...args: any[]) => unknown>(host: F): F {
    return ((fn: unknown, ms?: number, ...args: unknown[]) => {
      if (typeof fn !== "function") return host(fn, ms, ...args);
      const owner = this.owner();
      return host(() => this.invoke(fn as (...a: unknown[]) => unknown, args, owner), ms);
    }) as unknown as F;
  }

  private invoke(fn: (...a: unknown[]) => unknown, args: unknown[], owner: ExecutionContext | null): void {
    if (this.disposed) return;
    const prev = this.callbackOwner;
    this.callbackOwner = owner;
    const restore = activate(this);
    this.sandbox.__kk_cb = fn;
    this.sandbox.__kk_args = args;
    try {
      runGuarded(this.invokeScript, this.context);
    } catch (error) {
      if (isSigint(error)) {
        // The interrupt is for whatever runs now: the awaiting cell if there is one.
        if (this.rejectCurrent) this.rejectCurrent(new InterruptedError());
        else
          this.reportBackgroundError(new InterruptedError("a timer callback was interrupted"), "Interrupted");
      } else this.reportBackgroundError(error, "Uncaught exception in a timer");
    } finally {
      this.sandbox.__kk_cb = undefined;
      this.sandbox.__kk_args = undefined;
      this.callbackOwner = prev;
      restore();
    }
  }

  private reportBackgroundError(error: unknown, what: string): void {
    const ctx = this.callbackOwner ?? this.ownerOfFiles(errorStackFiles(error)) ?? this.owner();
    const lines = userTraceback(error, this.mapFrame);
    const text = `${what}: ${lines.join("\n")}\n`;
    if (ctx) ctx.stderr(text);
    else process.stderr.write(text);
  }

  // ---- microtask pump ----

  private readonly onSettled = () => {
    if (!this.drainScheduled && !this.draining) {
      this.drainScheduled = true;
      queueMicrotask(this.drainTask);
    }
  };

  private readonly drainTask = () => {
    this.drainScheduled = false;
    this.drain();
  };

  private drain(): void {
    if (this.disposed) return;
    this.draining = true;
    const restore = activate(this);
    try {
      runGuarded(this.drainScript, this.context);
    } catch (error) {
      if (isSigint(error)) this.rejectCurrent?.(new InterruptedError());
      else this.reportBackgroundError(error, "Uncaught exception");
    } finally {
      this.draining = false;
      restore();
    }
  }

  // ---- execution ----

  private scriptFor(cell: CompiledCell, js: CompiledJs): ScriptInfo {
    // Scratch executions (`execute`) share one script per source: compiling costs ~30 µs, more
    // than the rest of a trivial round trip. Their labels follow the latest execution.
    const scratch = cell.executionCount !== undefined;
    // A kernel keeps one CompiledCell object per cell version: identity is the cheap key.
    if (!scratch) {
      const known = this.byCell.get(cell);
      if (known && known.js === js) return known;
    } else {
      const known = this.byJs.get(js);
      if (known && this.scripts.has(known.key)) {
        known.executionCount = cell.executionCount;
        return known;
      }
    }
    const key = scratch ? `\0execute\0${js.source}` : `${cell.id}\0${cell.line}\0${js.source}`;
    const hit = this.scripts.get(key);
    if (hit) {
      if (scratch) {
        hit.executionCount = cell.executionCount;
        this.byJs.set(js, hit);
      } else this.byCell.set(cell, hit);
      return hit;
    }
    const file = `${this.notebookPath ?? join(this.cwd, "__execute__")}#kk${++this.serial}`;
    if (suppressWarningOnce) {
      // USE_MAIN_CONTEXT_DEFAULT_LOADER warns once that it is experimental; the warning is noise to users.
      suppressWarningOnce = false;
      const emit = process.emitWarning;
      process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
        if (String(warning).includes("USE_MAIN_CONTEXT_DEFAULT_LOADER")) return;
        (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
      }) as typeof process.emitWarning;
    }
    const script = new vm.Script(js.source, {
      filename: file,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const displayFile =
      cell.path !== null
        ? relative(this.cwd, cell.path) || basename(cell.path)
        : `<execute${cell.executionCount !== undefined ? ` ${cell.executionCount}` : ""}>`;
    const info: ScriptInfo = {
      key,
      script,
      js,
      cellLine: cell.line,
      label:
        cell.executionCount !== undefined
          ? `<execute ${cell.executionCount}>`
          : `<cell ${cell.name ?? cell.id}>`,
      displayFile,
      traceMap: null,
    };
    if (!scratch) this.byCell.set(cell, info);
    else {
      info.executionCount = cell.executionCount;
      this.byJs.set(js, info);
    }
    if (this.scripts.size >= 2000) {
      const oldest = this.scripts.keys().next().value!;
      this.scripts.delete(oldest);
    }
    this.scripts.set(key, info);
    this.byFile.set(file, info);
    return info;
  }

  private readonly mapFrame = (
    file: string,
    line: number,
    column: number,
    fn: string | null,
  ): MappedFrame | null | undefined => {
    if (file.startsWith("kernelkit:")) return null;
    const info = this.byFile.get(file);
    if (!info) return undefined;
    // The wrapper's own lines (the call that starts the cell) are not the user's.
    if (line > info.js.bodyLines + 1) return null;
    let bodyLine = line - 1;
    let col0 = column - 1;
    const ins = info.js.exprInsert;
    if (ins && bodyLine === ins.line && col0 >= ins.column + ins.length) col0 -= ins.length;
    let cellLine = Math.max(1, bodyLine);
    let cellCol = col0 + 1;
    if (info.js.map && bodyLine >= 1) {
      info.traceMap ??= new TraceMap({ ...info.js.map, file: "cell.js" } as never);
      const orig = originalPositionFor(info.traceMap, { line: bodyLine, column: col0 });
      if (orig.line !== null) {
        cellLine = orig.line;
        cellCol = (orig.column ?? 0) + 1;
      }
    }
    if (bodyLine < 1) bodyLine = 1;
    const scratchName = info.executionCount !== undefined ? `<execute ${info.executionCount}>` : null;
    return {
      file: scratchName ?? info.displayFile,
      line: info.cellLine + cellLine - 1,
      column: cellCol,
      fn:
        fn === CELL_FUNCTION_NAME || fn === `async ${CELL_FUNCTION_NAME}` ? (scratchName ?? info.label) : fn,
    };
  };

  async execute(cell: CompiledCell, ctx: ExecutionContext): Promise<unknown> {
    if (this.disposed) throw new KernelkitError("KK_INTERNAL", "the executor was disposed");
    let js = cell.js ?? null;
    if (!js) {
      const analysis = analyzeJsCell(cell.code, this.typescript);
      if (analysis.error) {
        const e = analysis.error;
        throw new KernelkitError(
          "KK_SYNTAX",
          `${e.message} (line ${cell.line + e.line - 1}, column ${e.column})`,
        );
      }
      js = analysis.compiled!;
    }
    const info = this.scriptFor(cell, js);
    const slot = newCellSlot();
    this.sandbox.__kk_slot = slot;
    this.current = ctx;
    info.lastCtx = ctx;
    const restore = activate(this);
    try {
      let completion: Promise<CellSlot>;
      try {
        completion = runGuarded<Promise<CellSlot>>(info.script, this.context);
      } catch (error) {
        if (isSigint(error)) throw new InterruptedError();
        throw new CellRuntimeError(error, userTraceback(error, this.mapFrame));
      } finally {
        this.sandbox.__kk_slot = undefined;
      }
      if (slot.done === 0) await this.awaitCompletion(completion, ctx);
      if (slot.done === 2) throw new CellRuntimeError(slot.error, userTraceback(slot.error, this.mapFrame));
      const defs = slot.defs;
      if (defs) for (const name of cell.defs) this.scope.set(name, defs[name]);
      return slot.value;
    } finally {
      this.current = null;
      restore();
    }
  }

  /** Waits for an async cell while pumping the context's microtasks; an interrupt wins the race. */
  private awaitCompletion(completion: Promise<CellSlot>, ctx: ExecutionContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener("abort", onAbort);
        this.rejectCurrent = null;
        if (--this.pendingAsync === 0 && this.stopHook) {
          this.stopHook();
          this.stopHook = null;
        }
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => finish(ctx.signal.reason ?? new InterruptedError());
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      this.rejectCurrent = (error) => finish(error);
      this.pendingAsync++;
      this.stopHook ??= promiseHooks.onSettled(this.onSettled) as () => void;
      completion.then(
        () => finish(),
        (error) => finish(new CellRuntimeError(error, userTraceback(error, this.mapFrame))),
      );
      // Work queued by the sync part (a resolved host promise) may already be waiting.
      this.onSettled();
    });
  }

  interrupt(): void {
    this.rejectCurrent?.(new InterruptedError());
  }

  /** The names cells see, read without running user code (live-completion.ts). */
  private liveNames(): LiveNames {
    const sandbox = this.sandbox;
    const realm = vm.runInContext("globalThis", this.context) as object;
    const scope = this.scope;
    return {
      *names() {
        yield* scope.names();
        yield* Object.getOwnPropertyNames(sandbox);
        yield* Object.getOwnPropertyNames(realm);
      },
      lookup(name) {
        const d =
          Object.getOwnPropertyDescriptor(sandbox, name) ?? Object.getOwnPropertyDescriptor(realm, name);
        return d && "value" in d ? { value: d.value } : undefined;
      },
    };
  }

  complete(query: CodeQuery): CompletionReply | null {
    return completeLive(this.liveNames(), query);
  }

  inspect(query: CodeQuery): InspectReply | null {
    return inspectLive(this.liveNames(), query);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.idlePump);
    this.stopHook?.();
    this.stopHook = null;
    process.off("unhandledRejection", this.onRejection);
    process.off("uncaughtException", this.onException);
    unregisterOwner(this);
    this.scripts.clear();
    this.byFile.clear();
  }
}

/** Factory form (docs/plugins.md): `(options, ctx) => executor`. */
export function createDefaultExecutor(
  options: DefaultExecutorOptions = {},
  ctx?: { cwd?: string; notebookPath?: string | null },
): DefaultExecutor {
  return new DefaultExecutor({
    cwd: options.cwd ?? ctx?.cwd,
    notebookPath: options.notebookPath ?? ctx?.notebookPath ?? null,
    typescript: options.typescript,
  } as DefaultExecutorOptions);
}
