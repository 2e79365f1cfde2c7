// The kernel's tapable hooks (PLUGINS.md). A tap that throws is reported with the tap's
// (plugin's) name and the hook's name, and never breaks the kernel or the run.
import { AsyncSeriesHook, SyncHook, SyncWaterfallHook } from "tapable";
import type { CompiledCell } from "../contract/cell.ts";
import { KernelkitError } from "../contract/errors.ts";
import type { MimeBundle } from "../contract/mime.ts";
import type { RunResult } from "../contract/plugin.ts";

export interface RunSummary {
  requestId: string | null;
  ok: boolean;
  interrupted: boolean;
  cells: Record<string, RunStatus>;
  durationMs: number;
}

export type RunStatus = "success" | "exception" | "cancelled" | "interrupted" | "disabled" | "error";

export interface KernelHooks {
  readonly configured: SyncHook<[unknown]>;
  readonly cellsChanged: SyncHook<[readonly CompiledCell[]]>;
  readonly preExecution: AsyncSeriesHook<[CompiledCell]>;
  readonly postExecution: AsyncSeriesHook<[CompiledCell, RunResult]>;
  readonly runFinished: AsyncSeriesHook<[RunSummary]>;
  readonly formatOutput: SyncWaterfallHook<[MimeBundle, unknown]>;
  readonly teardown: AsyncSeriesHook<[]>;
}

/** A tap failed. `plugin` is the tap's name, `hook` the hook's. */
export class HookError extends KernelkitError {
  constructor(
    readonly hook: string,
    readonly plugin: string,
    cause: unknown,
  ) {
    super(
      "KK_HOOK_FAILED",
      `plugin '${plugin}' failed in hook '${hook}': ${(cause as Error)?.message ?? String(cause)}`,
      {
        cause,
        hint: `Fix or remove the plugin '${plugin}'; the kernel went on without its '${hook}' tap.`,
      },
    );
    this.name = "HookError";
  }
}

type TapInfo = { type: "sync" | "async" | "promise"; name: string; fn: (...args: any[]) => any };

export function createHooks(onTapError: (error: HookError) => void): KernelHooks {
  const hooks = {
    configured: new SyncHook<[unknown]>(["config"]),
    cellsChanged: new SyncHook<[readonly CompiledCell[]]>(["cells"]),
    preExecution: new AsyncSeriesHook<[CompiledCell]>(["cell"]),
    postExecution: new AsyncSeriesHook<[CompiledCell, RunResult]>(["cell", "result"]),
    runFinished: new AsyncSeriesHook<[RunSummary]>(["summary"]),
    formatOutput: new SyncWaterfallHook<[MimeBundle, unknown]>(["bundle", "value"]),
    teardown: new AsyncSeriesHook<[]>([]),
  };
  for (const [hookName, hook] of Object.entries(hooks)) {
    const waterfall = hookName === "formatOutput";
    (hook as any).intercept({
      register(tap: TapInfo): TapInfo {
        const fn = tap.fn;
        const report = (error: unknown) => onTapError(new HookError(hookName, tap.name, error));
        if (tap.type === "sync") {
          return {
            ...tap,
            fn: (...args: any[]) => {
              try {
                const r = fn(...args);
                return waterfall && r === undefined ? args[0] : r;
              } catch (error) {
                report(error);
                return waterfall ? args[0] : undefined;
              }
            },
          };
        }
        if (tap.type === "promise") {
          return {
            ...tap,
            fn: (...args: any[]) => {
              try {
                return Promise.resolve(fn(...args)).then(undefined, report);
              } catch (error) {
                report(error);
                return Promise.resolve();
              }
            },
          };
        }
        return {
          ...tap,
          fn: (...args: any[]) => {
            const callback = args.pop();
            try {
              fn(...args, (error: unknown, value: unknown) => {
                if (error) report(error);
                callback(null, value);
              });
            } catch (error) {
              report(error);
              callback(null);
            }
          },
        };
      },
    });
  }
  return Object.freeze(hooks);
}

/**
 * Calls an AsyncSeriesHook. When every tap is synchronous and no interceptor other than
 * ours is installed, the taps are called directly (in tapable's order, stages included) and
 * nothing is returned: no promise, no microtask per cell. Otherwise it is `hook.promise()`.
 */
export function callSeries(hook: AsyncSeriesHook<any>, ...args: unknown[]): Promise<void> | undefined {
  const h = hook as unknown as {
    taps: { type: string; fn: (...a: unknown[]) => unknown }[];
    interceptors: unknown[];
  };
  if (h.taps.length === 0) return undefined;
  if (h.interceptors.length === 1 && h.taps.every((t) => t.type === "sync")) {
    for (const t of h.taps) t.fn(...args);
    return undefined;
  }
  return hook.promise(...(args as [never]));
}
