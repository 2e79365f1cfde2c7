// Composes lifecycles around an executor (docs/semantics.md, "Evaluator contract").
import type { CompiledCell } from "../contract/cell.ts";
import { LifecycleError } from "../contract/errors.ts";
import type { Logger } from "../contract/logger.ts";
import {
  type ExecutionContext,
  type ExecutionLifecycle,
  type Executor,
  isSkip,
  type RunResult,
} from "../contract/plugin.ts";
import { silentLogger } from "../runtime/logger.ts";

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}

function isRunResult(value: unknown): value is RunResult {
  return typeof value === "object" && value !== null && "output" in value && "error" in value;
}

export class Evaluator {
  constructor(
    readonly executor: Executor,
    readonly lifecycles: readonly ExecutionLifecycle[] = [],
    private readonly logger: Logger = silentLogger,
  ) {}

  /**
   * setup in order (a Skip stops the chain and is the result; a throwing setup stops it and
   * gets no teardown), then the body, then teardown in reverse for every lifecycle set up.
   * A teardown error replaces the result's error. Never throws.
   */
  async evaluate(cell: CompiledCell, ctx: ExecutionContext): Promise<RunResult> {
    const lifecycles = this.lifecycles;
    let setUp = 0;
    let result: RunResult | undefined;
    try {
      for (; setUp < lifecycles.length; ) {
        const lc = lifecycles[setUp]!;
        let r: unknown;
        try {
          r = lc.setup ? lc.setup(cell, ctx) : undefined;
          if (isThenable(r)) r = await r;
        } catch (error) {
          // The cell fails, and its error says which lifecycle failed it (docs/plugins/lifecycle.md).
          result = { output: null, error: new LifecycleError(lc.name, "setup", error) };
          break;
        }
        setUp++;
        if (isSkip(r)) {
          result = r.result
            ? { output: r.result.output, error: r.result.error ?? null, skippedBy: lc.name }
            : { output: undefined, error: null, skippedBy: lc.name };
          break;
        }
      }
      if (result === undefined) {
        try {
          result = { output: await this.executor.execute(cell, ctx), error: null };
        } catch (error) {
          result = { output: null, error };
        }
      }
    } catch (error) {
      result = { output: null, error };
    }
    for (let i = setUp - 1; i >= 0; i--) {
      const lc = lifecycles[i]!;
      if (!lc.teardown) continue;
      try {
        let r: unknown = lc.teardown(cell, ctx, result);
        if (isThenable(r)) r = await r;
        if (isRunResult(r)) {
          // A teardown may replace the result; a Skip's mark stays unless it sets its own.
          result = {
            output: r.output,
            error: r.error ?? null,
            skippedBy: r.skippedBy ?? result.skippedBy ?? null,
          };
        }
      } catch (error) {
        if (result.error != null) {
          this.logger.warn(
            { lifecycle: lc.name, replaced: String(result.error) },
            "teardown error replaces an earlier error",
          );
        }
        result = { output: result.output, error };
      }
    }
    return result;
  }
}
