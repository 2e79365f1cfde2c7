// Drives a PythonExecutor directly, the way the kernel does: analyze, then execute with a context.
import type { CompiledCell, ExecutionContext, MimeBundle } from "@kernelkit/core";
import { silentLogger } from "@kernelkit/core";
import type { PythonExecutor } from "../src/index.ts";

export interface Run {
  ctx: ExecutionContext;
  /** Every output in arrival order: "stdout:…", "stderr:…", "display:<text/plain>". */
  events: string[];
  stdout: () => string;
  stderr: () => string;
  displays: MimeBundle[];
  controller: AbortController;
  /** Resolves once stdout contains `text`. */
  waitForStdout(text: string): Promise<void>;
}

export function context(executor: PythonExecutor, cellId = "cell"): Run {
  const out: string[] = [];
  const err: string[] = [];
  const displays: MimeBundle[] = [];
  const events: string[] = [];
  const controller = new AbortController();
  const waiters: { text: string; resolve: () => void }[] = [];
  const check = () => {
    const all = out.join("");
    for (const w of [...waiters]) {
      if (all.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const ctx: ExecutionContext = {
    interrupt: () => {
      controller.abort();
      executor.interrupt();
    },
    cellId,
    requestId: null,
    scope: executor.scope,
    signal: controller.signal,
    stdout: (t) => {
      out.push(t);
      events.push(`stdout:${t}`);
      check();
    },
    stderr: (t) => {
      err.push(t);
      events.push(`stderr:${t}`);
    },
    display: (b) => {
      displays.push(b as MimeBundle);
      events.push(`display:${(b as MimeBundle)["text/plain"]}`);
    },
    logger: silentLogger,
  };
  return {
    ctx,
    events,
    stdout: () => out.join(""),
    stderr: () => err.join(""),
    displays,
    controller,
    waitForStdout: (text) =>
      new Promise<void>((resolve) => {
        waiters.push({ text, resolve });
        check();
      }),
  };
}

export interface CellOptions {
  name?: string;
  line?: number;
  path?: string | null;
  /** Scratch executions (no path) are numbered like the kernel's `execute` requests. */
  executionCount?: number;
}

/** Analyses `code` with the executor (as the kernel does) and builds the cell to execute. */
export async function compile(
  executor: PythonExecutor,
  code: string,
  o: CellOptions = {},
): Promise<CompiledCell> {
  const a = await executor.analyze(code);
  if (a.error) throw new Error(`syntax error in test cell: ${a.error.message}`);
  return {
    id: o.name ?? "cell",
    name: o.name ?? null,
    code,
    language: "python",
    path: o.path === undefined ? null : o.path,
    line: o.line ?? 1,
    defs: a.defs,
    refs: a.refs,
    ...(o.path ? {} : { executionCount: o.executionCount ?? 1 }),
  };
}

/** Runs one cell; resolves with its output (or the error it rejected with) and what it printed. */
export async function run(executor: PythonExecutor, code: string, o: CellOptions = {}) {
  const cell = await compile(executor, code, o);
  const r = context(executor, cell.id);
  try {
    const output = await executor.execute(cell, r.ctx);
    return { output: output as MimeBundle | undefined, error: null as any, ...r };
  } catch (error) {
    return { output: undefined, error: error as any, ...r };
  }
}
