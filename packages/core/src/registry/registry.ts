// The plugin registry: names → modules → constructed plugins (docs/plugins.md, "Naming"), and the
// executor resolution of docs/semantics.md. Built-ins are given by the embedder (core imports no
// plugin); entry points come from discovery or from programmatic registration.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ErrorCode } from "../contract/errors.ts";
import { isStandardSchema, type StandardSchemaV1, validateOptions } from "../contract/options-schema.ts";
import type {
  ExecutionLifecycle,
  Executor,
  KernelPlugin,
  KernelWarning,
  PluginContext,
  Scheduler,
} from "../contract/plugin.ts";
import type { Transport } from "../contract/transport.ts";
import { DataflowGraph } from "../notebook/graph.ts";
import { pluginDiagnostics as diag } from "./diagnostics.ts";
import {
  checkApiRange,
  type Discovery,
  type EntryPoint,
  type PluginFilter,
  type PluginGroup,
  pluginFilter,
} from "./entry-points.ts";
import { importFile } from "./import-module.ts";

/** A plugin named in config or flags, with its options and where relative paths start. */
export interface PluginRef {
  name: string;
  options?: unknown;
  /** Folder relative paths resolve from: the config file's folder, or the cwd for flags. */
  baseDir?: string;
}

/** Loads a built-in: resolves with its module namespace (its default export is used). */
export type BuiltinLoader = () => Promise<Record<string, unknown>> | Record<string, unknown>;

interface Builtin {
  load: BuiltinLoader;
  /** The package it comes from, named when it is not installed. */
  package: string;
  /** An executor's languages: it serves them when no package does. */
  languages: readonly string[];
}

export interface RegisterOptions {
  /** Executors: the languages served (default ["javascript"]). */
  languages?: readonly string[];
  /** The plugin API range it was written for (checked like a manifest's). */
  api?: string;
}

type Target =
  | { kind: "path"; label: string; file: string }
  | { kind: "builtin"; label: string; builtin: Builtin }
  | { kind: "entry"; label: string; entry: EntryPoint };

export interface ExecutorResolution {
  executor: Executor;
  /** How it was chosen. */
  source: "explicit" | "discovered" | "builtin";
  /** One per skipped candidate: its name and the reason. */
  warnings: KernelWarning[];
}

export type SchedulerSpec = Scheduler | ((graph: DataflowGraph) => Scheduler);

export interface RegistryOptions {
  context: PluginContext;
  /** Entry points found in installed packages (see discoverEntryPoints); none when omitted. */
  discovery?: Discovery | null;
  /** For KERNELKIT_PLUGINS_ALLOW / _DENY on programmatic registrations (process.env by default). */
  env?: NodeJS.ProcessEnv;
}

const SHAPES: Record<PluginGroup, { methods: string[]; named: boolean; what: string }> = {
  executor: { methods: ["execute"], named: true, what: "an executor (name, language, execute)" },
  lifecycle: { methods: [], named: true, what: "a lifecycle (name, setup?, teardown?)" },
  scheduler: {
    methods: ["enqueue", "next", "cancel", "isCancelled", "interrupt"],
    named: false,
    what: "a scheduler (enqueue, next, cancel, isCancelled, interrupt)",
  },
  transport: { methods: ["start", "close"], named: false, what: "a transport (start, close)" },
  plugin: { methods: ["apply"], named: true, what: "a kernel plugin (name, apply)" },
};

function isClass(fn: unknown): boolean {
  return typeof fn === "function" && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Why `value` is not a plugin of `group`, or null when it is one. */
export function shapeProblem(group: PluginGroup, value: unknown): string | null {
  const shape = SHAPES[group];
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return `is ${kindOf(value)}, not ${shape.what}`;
  const v = value as Record<string, unknown>;
  if (shape.named && (typeof v.name !== "string" || v.name === "")) return `has no string 'name'`;
  for (const m of shape.methods) if (typeof v[m] !== "function") return `has no '${m}' method`;
  if (group === "executor" && typeof v.language !== "string") return `has no string 'language'`;
  if (group === "lifecycle") {
    for (const m of ["setup", "teardown"])
      if (v[m] !== undefined && typeof v[m] !== "function") return `has a '${m}' that is not a function`;
    if (
      v.requires !== undefined &&
      !(Array.isArray(v.requires) && v.requires.every((r) => typeof r === "string"))
    )
      return `has a 'requires' that is not an array of strings`;
  }
  return null;
}

export class PluginRegistry {
  readonly context: PluginContext;
  private readonly builtins = new Map<string, Builtin>();
  private readonly discovered: readonly EntryPoint[];
  private readonly registered: EntryPoint[] = [];
  private readonly filter: PluginFilter;
  /** optionsSchema exported beside a module's default export, keyed by that export. */
  private readonly schemas = new WeakMap<object, StandardSchemaV1>();

  constructor(options: RegistryOptions) {
    this.context = options.context;
    this.discovered = options.discovery?.entryPoints ?? [];
    this.filter = pluginFilter(options.env ?? process.env);
  }

  /** The names `defineBuiltin` gave this group, in the order they were defined. */
  builtinNames(group: PluginGroup): string[] {
    const prefix = `${group}:`;
    return [...this.builtins.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  /**
   * Declares how to load a built-in (the embedder maps names to its own packages). An executor
   * serves `languages` (default javascript) when no package does; the first defined wins.
   */
  defineBuiltin(
    group: PluginGroup,
    name: string,
    load: BuiltinLoader,
    pkg = name,
    languages: readonly string[] = group === "executor" ? ["javascript"] : [],
  ): this {
    this.builtins.set(`${group}:${name}`, { load, package: pkg, languages });
    return this;
  }

  /** The built-in executors that serve `language`, in the order they were defined. */
  private builtinExecutorsFor(language: string): string[] {
    return this.builtinNames("executor").filter((name) =>
      this.builtins.get(`executor:${name}`)!.languages.includes(language),
    );
  }

  /**
   * Adds an entry point without a package (tests, embedding): the plugin itself, or a factory
   * `(options, ctx) => plugin`. It is then resolved by name like a discovered one, and an
   * executor is an automatic candidate for the languages it serves.
   */
  register(group: PluginGroup, name: string, plugin: unknown, options: RegisterOptions = {}): this {
    const incompatible = checkApiRange(options.api);
    const denied = this.filter.check(name, null);
    this.registered.push({
      group,
      name,
      package: null,
      version: null,
      api: options.api ?? null,
      languages: group === "executor" ? [...(options.languages ?? ["javascript"])] : null,
      path: null,
      status: denied ? "denied" : incompatible ? "incompatible" : "compatible",
      reason: denied ?? incompatible,
      load: () => plugin,
    });
    return this;
  }

  /** Every known entry point: discovered ones, then registered ones. */
  entryPoints(group?: PluginGroup): EntryPoint[] {
    const all = [...this.discovered, ...this.registered];
    return group ? all.filter((e) => e.group === group) : all;
  }

  /** The naming rules: path, built-in, entry-point name, then package with one entry of the group. */
  private find(group: PluginGroup, ref: PluginRef): Target {
    const name = ref.name;
    if (name.startsWith(".") || name.startsWith("/")) {
      const file = resolve(ref.baseDir ?? this.context.cwd, name);
      if (!existsSync(file)) throw diag.pathNotFound(group, name, file);
      return { kind: "path", label: name, file };
    }
    const builtin = this.builtins.get(`${group}:${name}`);
    if (builtin) return { kind: "builtin", label: name, builtin };
    const entries = this.entryPoints(group);
    let byName = entries.filter((e) => e.name === name);
    if (byName.length > 1) {
      const usable = byName.filter((e) => e.status !== "denied");
      if (usable.length > 0) byName = usable;
      if (byName.length > 1)
        throw diag.ambiguous(
          group,
          name,
          byName.map((e) => e.package ?? "(registered)"),
        );
    }
    if (byName.length === 1) return { kind: "entry", label: name, entry: byName[0]! };
    const byPackage = entries.filter((e) => e.package === name);
    if (byPackage.length > 1)
      throw diag.packageAmbiguous(
        group,
        name,
        byPackage.map((e) => e.name),
      );
    if (byPackage.length === 1) return { kind: "entry", label: byPackage[0]!.name, entry: byPackage[0]! };
    const known = [...this.builtinNames(group), ...new Set(entries.map((e) => e.name))];
    throw diag.notFound(group, name, known);
  }

  /** Imports the target's module and returns its default export (the plugin or its factory). */
  private async importTarget(group: PluginGroup, target: Target): Promise<unknown> {
    const entry = target.kind === "entry" ? target.entry : null;
    if (entry?.load) {
      try {
        return await entry.load();
      } catch (error) {
        throw diag.load(group, target.label, entry, error);
      }
    }
    let ns: Record<string, unknown>;
    try {
      if (target.kind === "builtin") ns = await target.builtin.load();
      else ns = await importFile(target.kind === "path" ? target.file : entry!.path!);
    } catch (error) {
      if (target.kind === "builtin")
        throw diag.builtinMissing(group, target.label, target.builtin.package, error);
      throw diag.load(group, target.label, entry, error);
    }
    if (ns === null || typeof ns !== "object" || !("default" in ns) || ns.default === undefined)
      throw diag.shape(group, target.label, entry, "has no default export");
    const schema = (ns as { optionsSchema?: unknown }).optionsSchema;
    if (schema !== undefined) {
      if (!isStandardSchema(schema))
        throw diag.shape(
          group,
          target.label,
          entry,
          "exports an optionsSchema that is not a Standard Schema (no '~standard' with version 1 and validate)",
        );
      const d = ns.default;
      if ((typeof d === "object" && d !== null) || typeof d === "function") this.schemas.set(d, schema);
    }
    return ns.default;
  }

  /** Options checked against the module's optionsSchema (when it exports one): its output, or KK_PLUGIN_OPTIONS. */
  private async checkedOptions(
    group: PluginGroup,
    target: Target,
    value: unknown,
    options: unknown,
  ): Promise<unknown> {
    const schema =
      (typeof value === "object" && value !== null) || typeof value === "function"
        ? this.schemas.get(value as object)
        : undefined;
    if (!schema) return options;
    const entry = target.kind === "entry" ? target.entry : null;
    let r: Awaited<ReturnType<typeof validateOptions>>;
    try {
      r = await validateOptions(schema, options ?? {});
    } catch (error) {
      throw diag.construct(group, target.label, entry, error);
    }
    if (!r.ok) throw diag.options(group, target.label, entry, r.issues);
    return r.value;
  }

  /** Calls a factory (never with `new`) or takes the object, then checks the result's shape. */
  private async construct(
    group: PluginGroup,
    target: Target,
    value: unknown,
    options: unknown,
    ctx: PluginContext,
  ): Promise<unknown> {
    const entry = target.kind === "entry" ? target.entry : null;
    let plugin = value;
    if (isClass(value))
      throw diag.shape(
        group,
        target.label,
        entry,
        "default-exports a class; export an instance or a factory function",
      );
    options = await this.checkedOptions(group, target, value, options);
    if (typeof value === "function") {
      try {
        plugin = await (value as (o: unknown, c: PluginContext) => unknown)(options ?? {}, ctx);
      } catch (error) {
        throw diag.construct(group, target.label, entry, error);
      }
    }
    const problem = shapeProblem(group, plugin);
    if (problem)
      throw diag.shape(
        group,
        target.label,
        entry,
        typeof value === "function" ? `factory returned a value that ${problem}` : problem,
      );
    return plugin;
  }

  private checkUsable(group: PluginGroup, target: Target): void {
    if (target.kind !== "entry") return;
    const { entry } = target;
    if (entry.status === "denied") throw diag.denied(group, target.label, entry.reason ?? "denied");
    if (entry.status === "incompatible") throw diag.incompatible(group, target.label, entry);
  }

  /** Checks that a found target may be used (not denied, compatible), then imports its default export. */
  private async loadModule(group: PluginGroup, target: Target): Promise<unknown> {
    this.checkUsable(group, target);
    return this.importTarget(group, target);
  }

  /** The one pipeline after `find`: check, import, construct; every failure is a coded error. */
  private async materialize<T>(
    group: PluginGroup,
    target: Target,
    options: unknown,
    ctx: PluginContext,
  ): Promise<T> {
    const value = await this.loadModule(group, target);
    return (await this.construct(group, target, value, options, ctx)) as T;
  }

  /** Resolves, imports and constructs a named plugin; every failure is a coded error. */
  async load<T>(group: PluginGroup, ref: PluginRef, extra: Record<string, unknown> = {}): Promise<T> {
    return this.materialize<T>(group, this.find(group, ref), ref.options, { ...this.context, ...extra });
  }

  async loadLifecycle(ref: PluginRef): Promise<ExecutionLifecycle> {
    return this.load<ExecutionLifecycle>("lifecycle", ref);
  }
  async loadPlugin(ref: PluginRef): Promise<KernelPlugin> {
    return this.load<KernelPlugin>("plugin", ref);
  }
  async loadTransport(ref: PluginRef): Promise<Transport> {
    return this.load<Transport>("transport", ref);
  }

  /** A scheduler, or a factory the kernel calls with its graph (SchedulerFactory gets `ctx.graph`). */
  async loadScheduler(ref: PluginRef): Promise<SchedulerSpec> {
    const target = this.find("scheduler", ref);
    const value = await this.loadModule("scheduler", target);
    if (typeof value !== "function" || isClass(value))
      return (await this.construct("scheduler", target, value, ref.options, this.context)) as Scheduler;
    const entry = target.kind === "entry" ? target.entry : null;
    const options = await this.checkedOptions("scheduler", target, value, ref.options);
    return (graph: DataflowGraph) => {
      let s: unknown;
      try {
        s = (value as (o: unknown, c: unknown) => unknown)(options ?? {}, { ...this.context, graph });
      } catch (error) {
        throw diag.construct("scheduler", target.label, entry, error);
      }
      const problem = shapeProblem("scheduler", s);
      if (problem)
        throw diag.shape("scheduler", target.label, entry, `factory returned a value that ${problem}`);
      return s as Scheduler;
    };
  }

  /** Loads and constructs an entry point (for `kernelkit plugins --check`). */
  async check(entry: EntryPoint): Promise<void> {
    const target: Target = { kind: "entry", label: entry.name, entry };
    const value = await this.loadModule(entry.group, target);
    if (entry.group === "scheduler" && typeof value === "function" && !isClass(value)) {
      const s = (value as (o: unknown, c: unknown) => unknown)(
        {},
        { ...this.context, graph: new DataflowGraph() },
      );
      const problem = shapeProblem("scheduler", s);
      if (problem)
        throw diag.shape("scheduler", entry.name, entry, `factory returned a value that ${problem}`);
      return;
    }
    const language = entry.languages?.[0];
    const plugin = await this.construct(
      entry.group,
      target,
      value,
      {},
      {
        ...this.context,
        ...(language ? { language } : {}),
      },
    );
    const disposable = plugin as { dispose?: () => unknown; close?: () => unknown };
    if (entry.group === "executor" || entry.group === "lifecycle") await disposable.dispose?.();
  }

  /**
   * docs/semantics.md, "Executor resolution": an explicit name fails loudly; otherwise the first
   * compatible, loadable, constructible candidate for the language, by sorted name (later ones
   * are never imported); otherwise the built-in for the language. `strictPlugins` makes any
   * candidate failure fatal.
   */
  async resolveExecutor(options: {
    explicit?: PluginRef | null;
    language: string;
    strictPlugins?: boolean;
  }): Promise<ExecutorResolution> {
    const { language } = options;
    const ctx = { ...this.context, language };
    const checkLanguage = (executor: Executor) => {
      if (executor.language !== language) {
        void Promise.resolve(executor.dispose?.()).catch(() => {});
        const serving = this.entryPoints("executor")
          .filter((e) => e.status === "compatible" && (e.languages ?? ["javascript"]).includes(language))
          .map((e) => e.name);
        const builtin = this.builtinExecutorsFor(language);
        throw diag.language(executor.name, executor.language, language, [...builtin, ...new Set(serving)]);
      }
      return executor;
    };
    if (options.explicit) {
      const target = this.find("executor", options.explicit);
      const executor = await this.materialize<Executor>("executor", target, options.explicit.options, ctx);
      return { executor: checkLanguage(executor), source: "explicit", warnings: [] };
    }
    const warnings: KernelWarning[] = [];
    const candidates = this.entryPoints("executor")
      .filter((e) => e.status !== "denied" && (e.languages ?? ["javascript"]).includes(language))
      .sort((a, b) => cmp(a.name, b.name) || cmp(a.package ?? "", b.package ?? ""));
    for (const entry of candidates) {
      const target: Target = { kind: "entry", label: entry.name, entry };
      try {
        const executor = await this.materialize<Executor>("executor", target, {}, ctx);
        return { executor, source: "discovered", warnings };
      } catch (error) {
        if (options.strictPlugins) throw withStrictHint(error);
        const e = error as { code: ErrorCode; message: string };
        warnings.push({ code: e.code, message: `${e.message}; skipped` });
      }
    }
    const fallback = this.builtinExecutorsFor(language)[0];
    if (fallback === undefined) {
      // Who could have served it: packages with an executor for the language that were skipped.
      const could = this.entryPoints("executor")
        .filter((e) => (e.languages ?? ["javascript"]).includes(language))
        .map(
          (e) =>
            `${e.package ?? e.name} (${e.status === "compatible" ? "failed to load" : (e.reason ?? e.status)})`,
        );
      throw diag.noExecutor(language, [...new Set(could)]);
    }
    if (warnings.length > 0) {
      const last = warnings[warnings.length - 1]!;
      last.message += `; using the built-in '${fallback}' executor`;
    }
    const target: Target = {
      kind: "builtin",
      label: fallback,
      builtin: this.builtins.get(`executor:${fallback}`)!,
    };
    const executor = await this.materialize<Executor>("executor", target, {}, ctx);
    return { executor, source: "builtin", warnings };
  }

  /** Startup error when a lifecycle requires a capability the executor does not provide. */
  static checkRequires(executor: Executor, lifecycles: readonly ExecutionLifecycle[]): void {
    const provides = new Set(executor.provides ?? []);
    for (const lc of lifecycles) {
      for (const capability of lc.requires ?? []) {
        if (!provides.has(capability)) throw diag.requires(lc.name, capability, executor.name);
      }
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function withStrictHint(error: unknown): unknown {
  const e = error as { hint?: string };
  if (e && typeof e === "object") {
    try {
      Object.defineProperty(e, "hint", {
        value:
          `strictPlugins is true in the config, so a failing executor candidate stops startup. ${e.hint ?? ""}`.trim(),
        configurable: true,
        writable: true,
      });
    } catch {}
  }
  return error;
}
