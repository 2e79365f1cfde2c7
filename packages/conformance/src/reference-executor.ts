// A small JS executor the lifecycle suite runs cells with when the author names none: cells
// run in one `node:vm` context whose global object is the scope ("shared-js-scope"), with
// core's cell rewrite, wrapped errors and interrupts through the signal. It is a test bench,
// not a kernel's executor (no SIGINT guard, no process-wide output capture).
import { Console } from "node:console";
import { EventEmitter } from "node:events";
import { basename } from "node:path";
import vm from "node:vm";
import {
  analyzeJsCell,
  CellRuntimeError,
  type CellSlot,
  type CompiledCell,
  type ExecutionContext,
  type Executor,
  InterruptedError,
  KernelkitError,
  newCellSlot,
  type PluginContext,
  SHARED_JS_SCOPE,
  userTraceback,
  VmContextScope,
} from "@kernelkit/core";

const HOST = [
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "queueMicrotask",
  "structuredClone",
  "process",
  "Buffer",
  "URL",
  "URLSearchParams",
  "TextEncoder",
  "TextDecoder",
  "fetch",
  "performance",
];

export class ReferenceExecutor implements Executor {
  readonly name = "conformance-reference";
  readonly language = "javascript";
  readonly provides = [SHARED_JS_SCOPE];
  readonly scope: VmContextScope;
  private readonly sandbox: Record<string, unknown> = {};
  private readonly context: vm.Context;
  private current: ExecutionContext | null = null;
  private stop: ((error: unknown) => void) | null = null;
  private readonly files = new Map<string, { line: number; file: string; bodyLines: number }>();
  private serial = 0;
  private disposed = false;

  constructor(private readonly typescript = true) {
    this.context = vm.createContext(this.sandbox, { name: "kernelkit-conformance" });
    this.scope = new VmContextScope(this.sandbox, this.context);
    const hidden = (name: string, value: unknown) => this.scope.defineHidden(name, value);
    for (const name of HOST) hidden(name, (globalThis as Record<string, unknown>)[name]);
    const stream = (write: (ctx: ExecutionContext, text: string) => void) => {
      const s = new EventEmitter() as EventEmitter & { write(chunk: unknown): boolean };
      s.write = (chunk) => {
        if (this.current) write(this.current, String(chunk));
        return true;
      };
      return s as unknown as NodeJS.WritableStream;
    };
    hidden(
      "console",
      new Console({
        stdout: stream((c, t) => c.stdout(t)),
        stderr: stream((c, t) => c.stderr(t)),
        colorMode: false,
      }),
    );
    hidden("display", (value: unknown) => this.current?.display(value));
  }

  private readonly mapFrame = (file: string, line: number, column: number, fn: string | null) => {
    const info = this.files.get(file);
    if (!info) return undefined;
    if (line < 2 || line > info.bodyLines + 1) return null;
    return {
      file: info.file,
      line: info.line + line - 2,
      column,
      fn: fn?.includes("__kk_cell") ? "<cell>" : fn,
    };
  };

  async execute(cell: CompiledCell, ctx: ExecutionContext): Promise<unknown> {
    if (this.disposed) {
      throw new KernelkitError("KK_EXECUTOR_DISPOSED", "the reference executor was disposed", {
        hint: "Create a new executor.",
      });
    }
    let js = cell.js ?? null;
    if (!js) {
      const a = analyzeJsCell(cell.code, this.typescript);
      if (a.error) throw new KernelkitError("KK_SYNTAX", `${a.error.message} (line ${a.error.line})`);
      js = a.compiled!;
    }
    const filename = `kernelkit-conformance-cell-${++this.serial}.js`;
    this.files.set(filename, {
      line: cell.line,
      file: cell.path ? basename(cell.path) : "<cell>",
      bodyLines: js.bodyLines,
    });
    const slot = newCellSlot();
    this.sandbox.__kk_slot = slot;
    this.current = ctx;
    try {
      let completion: Promise<CellSlot>;
      try {
        completion = new vm.Script(js.source, { filename }).runInContext(this.context) as Promise<CellSlot>;
      } catch (error) {
        throw new CellRuntimeError(error, userTraceback(error, this.mapFrame));
      }
      if (slot.done === 0) {
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(new InterruptedError());
          if (ctx.signal.aborted) return onAbort();
          ctx.signal.addEventListener("abort", onAbort, { once: true });
          this.stop = reject;
          completion.then(
            () => resolve(),
            (error) => reject(new CellRuntimeError(error, userTraceback(error, this.mapFrame))),
          );
        });
      }
      if (slot.done === 2) throw new CellRuntimeError(slot.error, userTraceback(slot.error, this.mapFrame));
      for (const name of cell.defs) this.scope.set(name, slot.defs?.[name]);
      return slot.value;
    } finally {
      this.sandbox.__kk_slot = undefined;
      this.current = null;
      this.stop = null;
    }
  }

  interrupt(): void {
    this.stop?.(new InterruptedError());
  }

  dispose(): void {
    this.disposed = true;
    this.files.clear();
  }
}

/** Factory form: `(ctx) => executor`. */
export function createReferenceExecutor(_ctx?: PluginContext): ReferenceExecutor {
  return new ReferenceExecutor();
}
