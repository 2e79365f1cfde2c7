// The built-in plugins, once (as vitest's reporter map): each group's names, the package each
// comes from, and how it loads. The registry, `plugins`, `conformance` and `serve` all read this
// table; core knows no plugin by name.
import {
  type PluginContext,
  type PluginGroup,
  type PluginRegistry,
  SequentialScheduler,
} from "@kernelkit/core";

export interface BuiltinPlugin {
  /** The package it comes from (named when it is not installed). */
  readonly package: string;
  /** Resolves with a module namespace whose default export is the plugin or its factory. */
  load(options: { typescript: boolean }): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** An executor's notebook languages: it runs them when no installed package does. */
  readonly languages?: readonly string[];
}

// Each built-in is a dependency of the runner, imported by a literal specifier only when used.
function fromPackage(
  name: string,
  load: () => Promise<Record<string, unknown>>,
  languages?: readonly string[],
): BuiltinPlugin {
  return languages ? { package: name, load, languages } : { package: name, load };
}

export const BUILTIN_PLUGINS: Readonly<Record<PluginGroup, Readonly<Record<string, BuiltinPlugin>>>> = {
  executor: {
    default: {
      package: "@kernelkit/executor-default",
      languages: ["javascript"],
      async load({ typescript }) {
        const { createDefaultExecutor } = await import("@kernelkit/executor-default");
        return {
          default: (opts: Record<string, unknown> | undefined, ctx: PluginContext) =>
            createDefaultExecutor({ typescript, ...opts }, ctx),
        };
      },
    },
    python: fromPackage("@kernelkit/executor-python", () => import("@kernelkit/executor-python"), ["python"]),
  },
  lifecycle: {
    strict: fromPackage("@kernelkit/lifecycle-strict", () => import("@kernelkit/lifecycle-strict")),
    profiling: fromPackage("@kernelkit/lifecycle-profiling", () => import("@kernelkit/lifecycle-profiling")),
  },
  scheduler: {
    sequential: {
      package: "@kernelkit/core",
      load: () => ({
        default: (_o: unknown, ctx: { graph: ConstructorParameters<typeof SequentialScheduler>[0] }) =>
          new SequentialScheduler(ctx.graph),
      }),
    },
  },
  transport: {
    stdio: fromPackage("@kernelkit/transport-stdio", () => import("@kernelkit/transport-stdio")),
    ws: fromPackage("@kernelkit/transport-ws", () => import("@kernelkit/transport-ws")),
    jupyter: fromPackage("@kernelkit/transport-jupyter", () => import("@kernelkit/transport-jupyter")),
  },
  plugin: {},
};

/** The built-in names of a group, in table order. */
export function builtinNames(group: PluginGroup): string[] {
  return Object.keys(BUILTIN_PLUGINS[group]);
}

/** Defines every built-in on a registry. */
export function defineBuiltins(registry: PluginRegistry, options: { typescript: boolean }): PluginRegistry {
  for (const [group, plugins] of Object.entries(BUILTIN_PLUGINS) as [
    PluginGroup,
    Record<string, BuiltinPlugin>,
  ][]) {
    for (const [name, plugin] of Object.entries(plugins))
      registry.defineBuiltin(group, name, () => plugin.load(options), plugin.package, plugin.languages);
  }
  return registry;
}
