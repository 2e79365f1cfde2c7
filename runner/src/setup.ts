// Builds a kernel for a notebook from the config and the CLI's flags, resolving every plugin
// through core's registry: built-in names map to this repository's packages, other names to
// entry points of installed packages or to files. Used by `run` and `serve`.
import { dirname, resolve } from "node:path";
import {
  API_VERSION,
  createKernel,
  createLogger,
  type Discovery,
  discoverEntryPoints,
  type ExecutionLifecycle,
  type Executor,
  findPackageJson,
  type Kernel,
  type KernelPlugin,
  type KernelWarning,
  type Language,
  type LoadedConfig,
  loadConfig,
  type Notebook,
  normalizeSpec,
  type PluginContext,
  type PluginRef,
  PluginRegistry,
  type PluginSpec,
  processInterrupts,
  type RunMode,
  type SchedulerSpec,
  SequentialScheduler,
  type Transport,
} from "@kernelkit/core";

export interface KernelFlags {
  /** --executor: overrides the config's executor; fails loudly when it cannot be used. */
  executor?: string | undefined;
  /** --config: a config file instead of the search from the notebook's folder. */
  config?: string | undefined;
  /** --lifecycle (repeatable): appended to the config's lifecycles, deduplicated by name. */
  lifecycles?: readonly string[] | undefined;
  /** --strict: adds the "strict" lifecycle. */
  strict?: boolean | undefined;
  /** --profile OUT: adds the "profiling" lifecycle writing a Chrome trace to OUT. */
  profile?: string | undefined;
  /** Use the process's SIGINT/deadline machinery (CLI processes do; embedders may not). */
  interrupts?: boolean;
  /** Language of cells when there is no notebook (serve without one). */
  language?: Language;
  /** --mode: overrides the config's `mode` (docs/modes.md). */
  mode?: RunMode | undefined;
  /** --continue-on-error (sequential mode). */
  continueOnError?: boolean | undefined;
}

export interface BuiltKernel {
  kernel: Kernel;
  /** Config and plugin warnings (unknown keys, skipped executor candidates, bad manifests). */
  warnings: KernelWarning[];
  /** The config file used, or null. */
  config: LoadedConfig | null;
  registry: PluginRegistry;
}

/** A variable specifier, so neither TypeScript nor the bundler needs a package that is not installed. */
function importPackage(name: string): Promise<Record<string, unknown>> {
  return import(name) as Promise<Record<string, unknown>>;
}

/** The registry with this repository's built-ins (PLUGINS.md's built-in names). */
export function createRegistry(
  context: PluginContext,
  options: { discoverFrom?: string | null; typescript?: boolean } = {},
): { registry: PluginRegistry; warnings: KernelWarning[]; discovery: Discovery | null } {
  const discovery = options.discoverFrom ? discoverEntryPoints(options.discoverFrom) : null;
  const registry = new PluginRegistry({ context, discovery });
  const typescript = options.typescript ?? true;
  registry
    .defineBuiltin(
      "executor",
      "default",
      async () => {
        const { createDefaultExecutor } = await import("@kernelkit/executor-default");
        return {
          default: (opts: Record<string, unknown> | undefined, ctx: PluginContext) =>
            createDefaultExecutor({ typescript, ...opts }, ctx),
        };
      },
      "@kernelkit/executor-default",
    )
    .defineBuiltin(
      "executor",
      "python",
      () => importPackage("@kernelkit/executor-python"),
      "@kernelkit/executor-python",
    )
    .defineBuiltin(
      "lifecycle",
      "strict",
      () => importPackage("@kernelkit/lifecycle-strict"),
      "@kernelkit/lifecycle-strict",
    )
    .defineBuiltin(
      "lifecycle",
      "profiling",
      () => importPackage("@kernelkit/lifecycle-profiling"),
      "@kernelkit/lifecycle-profiling",
    )
    .defineBuiltin(
      "scheduler",
      "sequential",
      () => ({
        default: (_o: unknown, ctx: { graph: ConstructorParameters<typeof SequentialScheduler>[0] }) =>
          new SequentialScheduler(ctx.graph),
      }),
      "@kernelkit/core",
    )
    .defineBuiltin(
      "transport",
      "stdio",
      () => importPackage("@kernelkit/transport-stdio"),
      "@kernelkit/transport-stdio",
    )
    .defineBuiltin(
      "transport",
      "ws",
      () => importPackage("@kernelkit/transport-ws"),
      "@kernelkit/transport-ws",
    );
  return { registry, warnings: discovery ? [...discovery.warnings] : [], discovery };
}

function refOf(spec: PluginSpec, baseDir: string): PluginRef {
  const { name, options } = normalizeSpec(spec);
  return { name, options, baseDir };
}

/** Config lifecycles, then the flags' — a flag naming one already there replaces its options. */
function mergeRefs(base: PluginRef[], extra: PluginRef[]): PluginRef[] {
  const out = [...base];
  for (const ref of extra) {
    const i = out.findIndex((r) => r.name === ref.name);
    if (i === -1) out.push(ref);
    else if (ref.options !== undefined) out[i] = ref;
  }
  return out;
}

/** The lifecycles the config and the flags ask for, in order. */
export function lifecycleRefs(
  config: LoadedConfig | null,
  flags: KernelFlags,
  cwd = process.cwd(),
): PluginRef[] {
  const fromConfig = (config?.config.lifecycles ?? []).map((s) => refOf(s, config!.dir));
  const fromFlags: PluginRef[] = (flags.lifecycles ?? []).map((name) => ({ name, baseDir: cwd }));
  if (flags.strict) fromFlags.push({ name: "strict", baseDir: cwd });
  if (flags.profile !== undefined)
    fromFlags.push({ name: "profiling", options: { out: resolve(cwd, flags.profile) }, baseDir: cwd });
  return mergeRefs(fromConfig, fromFlags);
}

async function disposeAll(items: readonly { dispose?: () => unknown }[]): Promise<void> {
  for (const item of [...items].reverse()) {
    try {
      await item.dispose?.();
    } catch {}
  }
}

export async function buildKernel(notebook: Notebook | null, flags: KernelFlags = {}): Promise<BuiltKernel> {
  const cwd = notebook?.path ? dirname(notebook.path) : process.cwd();
  const language = notebook?.language ?? flags.language ?? "javascript";
  const loaded = await loadConfig({ from: cwd, configPath: flags.config ?? null });
  const config = loaded?.config ?? {};
  const logger = createLogger(config.log?.level ? { level: config.log.level } : {});
  const context: PluginContext = {
    logger,
    cwd,
    notebookPath: notebook?.path ?? null,
    language,
    apiVersion: API_VERSION,
  };
  // Discovery reads the package.json nearest the notebook, else the one nearest the config.
  const projectFrom = findPackageJson(cwd) ? cwd : loaded ? loaded.dir : cwd;
  const { registry, warnings } = createRegistry(context, {
    discoverFrom: projectFrom,
    typescript: notebook?.typescript ?? true,
  });
  if (loaded) warnings.unshift(...loaded.warnings);

  const explicit: PluginRef | null =
    flags.executor !== undefined
      ? { name: flags.executor, baseDir: process.cwd() }
      : config.executor !== undefined
        ? refOf(config.executor, loaded!.dir)
        : null;
  const resolution = await registry.resolveExecutor({
    explicit,
    language,
    strictPlugins: config.strictPlugins === true,
  });
  warnings.push(...resolution.warnings);
  const executor: Executor = resolution.executor;
  const built: { dispose?: () => unknown }[] = [executor];
  try {
    const lifecycles: ExecutionLifecycle[] = [];
    for (const ref of lifecycleRefs(loaded, flags)) {
      const lc = await registry.loadLifecycle(ref);
      lifecycles.push(lc);
      built.push(lc);
    }
    PluginRegistry.checkRequires(executor, lifecycles);
    let scheduler: SchedulerSpec | undefined;
    if (config.scheduler !== undefined)
      scheduler = await registry.loadScheduler(refOf(config.scheduler, loaded!.dir));
    const plugins: KernelPlugin[] = [];
    for (const spec of config.plugins ?? [])
      plugins.push(await registry.loadPlugin(refOf(spec, loaded!.dir)));
    const kernel = await createKernel({
      executor,
      lifecycles,
      ...(scheduler ? { scheduler } : {}),
      plugins,
      notebook,
      cwd,
      logger,
      language,
      config,
      ...(config.autorun !== undefined ? { autorun: config.autorun } : {}),
      mode: flags.mode ?? config.mode ?? "reactive",
      continueOnError: flags.continueOnError === true,
      interrupts: flags.interrupts === false ? null : processInterrupts(),
    });
    return { kernel, warnings, config: loaded, registry };
  } catch (error) {
    await disposeAll(built);
    throw error;
  }
}

/** The transport the config names (serve), or null when it names none. */
export async function configTransport(built: BuiltKernel): Promise<Transport | null> {
  const spec = built.config?.config.transport;
  if (spec === undefined) return null;
  return built.registry.loadTransport(refOf(spec, built.config!.dir));
}
