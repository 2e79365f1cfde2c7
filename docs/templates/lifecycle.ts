// A lifecycle template (docs/plugins/lifecycle.md): times every cell and, with `{ skipAbove }`,
// skips a cell whose last run took longer. Copy it, rename it, put your own work in setup and
// teardown. It passes the lifecycle kit as it is (test/docs/templates.test.ts).
import {
  type CompiledCell,
  defineLifecycle,
  type ExecutionContext,
  type ExecutionLifecycle,
  type RunResult,
  Skip,
} from "@kernelkit/core";

export interface TimingOptions {
  /** Skip a cell whose previous run took longer than this many milliseconds (default: never). */
  skipAbove?: number;
}

export function createTimingLifecycle(options: TimingOptions = {}): ExecutionLifecycle {
  const started = new Map<string, number>();
  const lastMs = new Map<string, number>();
  return {
    name: "timing-template",
    // requires: ["shared-js-scope"],  // when the lifecycle needs the executor's JS realm
    setup(cell: CompiledCell, ctx: ExecutionContext) {
      const last = lastMs.get(cell.id);
      if (options.skipAbove !== undefined && last !== undefined && last > options.skipAbove) {
        // The result of a Skip is the cell's result; teardown still runs for this lifecycle.
        return new Skip({ output: `skipped: the last run took ${Math.round(last)} ms`, error: null });
      }
      started.set(cell.id, performance.now());
      ctx.logger.debug({ cellId: cell.id }, "cell starting");
      return undefined;
    },
    teardown(cell: CompiledCell, ctx: ExecutionContext, result: RunResult) {
      const t0 = started.get(cell.id);
      started.delete(cell.id);
      if (t0 === undefined) return;
      const ms = performance.now() - t0;
      lastMs.set(cell.id, ms);
      ctx.logger.info({ cellId: cell.id, ms, failed: result.error !== null }, "cell timed");
    },
  };
}

/** The module's default export: a factory `(options, ctx) => lifecycle`. */
export default defineLifecycle((options: TimingOptions) => createTimingLifecycle(options));
