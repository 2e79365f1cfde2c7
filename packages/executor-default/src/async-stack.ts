// Repairs Node's async context stack after an interrupt. With any async hook enabled (our own
// cell-context.ts, or a cell's library using AsyncLocalStorage), Node pushes a context before
// each promise job and pops it after. An interrupt that stops a cell inside a job of the cells'
// microtask queue (`await x; while (true) {}`) skips the pop, and the next pop of the callback
// that ran us aborts the process: "async hook stack has become corrupted". After an
// interrupted guarded run we pop what the stopped jobs left, down to the context we entered in.
import { executionAsyncId } from "node:async_hooks";

type AsyncWrapBinding = { popAsyncContext(asyncId: number): boolean };
let binding: AsyncWrapBinding | null | undefined;

function asyncWrap(): AsyncWrapBinding | null {
  if (binding !== undefined) return binding;
  // Node 20 has no public way to pop a context. process.binding('async_wrap') warns once
  // (DEP0111); the warning is noise to users, so it is dropped.
  const emit = process.emitWarning;
  process.emitWarning = (() => {}) as typeof process.emitWarning;
  try {
    const b = (process as unknown as { binding(name: string): unknown }).binding(
      "async_wrap",
    ) as AsyncWrapBinding;
    binding = typeof b?.popAsyncContext === "function" ? b : null;
  } catch {
    binding = null;
  } finally {
    process.emitWarning = emit;
  }
  return binding;
}

/** Pops the async contexts left above `entered` (the executionAsyncId() before the run). */
export function restoreAsyncStack(entered: number): void {
  if (executionAsyncId() === entered) return;
  const b = asyncWrap();
  if (!b) return;
  for (let i = 0; i < 10_000 && executionAsyncId() !== entered; i++) {
    if (!b.popAsyncContext(executionAsyncId())) break;
  }
}
