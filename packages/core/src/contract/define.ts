// Identity helpers that give plugin authors types and nothing else (PLUGINS.md).
import type { LogLevel } from "./logger.ts";
import type {
  ExecutionLifecycle,
  Executor,
  KernelPlugin,
  PluginContext,
  Scheduler,
  SchedulerFactory,
} from "./plugin.ts";
import type { Transport } from "./transport.ts";

/** A plugin module default-exports the plugin itself or a factory `(options, ctx) => plugin`. */
export type PluginFactory<T> = (options: any, ctx: PluginContext) => T | Promise<T>;

export function defineExecutor<T extends Executor | PluginFactory<Executor>>(executor: T): T {
  return executor;
}
export function defineLifecycle<T extends ExecutionLifecycle | PluginFactory<ExecutionLifecycle>>(
  lifecycle: T,
): T {
  return lifecycle;
}
export function defineTransport<T extends Transport | PluginFactory<Transport>>(transport: T): T {
  return transport;
}
export function definePlugin<T extends KernelPlugin | PluginFactory<KernelPlugin>>(plugin: T): T {
  return plugin;
}
export function defineScheduler<T extends Scheduler | SchedulerFactory>(scheduler: T): T {
  return scheduler;
}

/** A plugin slot: a name or path, `[name, options]`, or `{ use, options }`. */
export type PluginSpec = string | [string, unknown] | { use: string; options?: unknown };

export interface KernelkitConfig {
  executor?: PluginSpec;
  lifecycles?: PluginSpec[];
  scheduler?: PluginSpec;
  transport?: PluginSpec;
  plugins?: PluginSpec[];
  /** false: descendants of a run are marked stale instead of re-run. Default true. */
  autorun?: boolean;
  /** How cells run: "reactive" (default; the dataflow graph) or "sequential" (top to bottom, docs/modes.md). */
  mode?: "reactive" | "sequential";
  /** true: a plugin that fails to load is a startup error instead of a warning. */
  strictPlugins?: boolean;
  log?: { level?: LogLevel };
}

export function defineConfig(config: KernelkitConfig): KernelkitConfig {
  return config;
}
