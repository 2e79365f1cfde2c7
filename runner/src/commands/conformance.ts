// `kernelkit conformance PLUGIN [--json|--md]`: runs the conformance suite of a plugin outside
// vitest and prints a tiered scorecard. PLUGIN is a built-in name, an entry-point name of an
// installed package, or a path; its kind (executor, lifecycle, scheduler, transport) comes
// from the registry's group, or for a path from the shape of what the module provides.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  type ConformanceSuite,
  executorSuite,
  type FdPair,
  fifoHarness,
  formatScorecardMarkdown,
  formatScorecardText,
  type LanguageSamples,
  type LifecycleSamples,
  lifecycleSuite,
  runSuite,
  SAMPLES,
  schedulerSuite,
  scorecardPassed,
  type TransportHarness,
  transportSuite,
  type WireClient,
} from "@kernelkit/conformance/cases";
import {
  API_VERSION,
  BUILTIN_NAMES,
  createLogger,
  DataflowGraph,
  type EntryPoint,
  type ExecutionLifecycle,
  type Executor,
  importFile,
  KernelkitError,
  type PluginContext,
  type PluginRegistry,
  type Scheduler,
  shapeProblem,
  type Transport,
} from "@kernelkit/core";
import { originalWrite } from "@kernelkit/executor-default";
import pc from "picocolors";
import { EXIT, toCliError } from "../cli-error.ts";
import { createRegistry } from "../setup.ts";

export interface ConformanceOptions {
  json?: boolean;
  md?: boolean;
  kind?: string;
  /** --samples FILE: the plugin's code samples module (overrides the manifest's). */
  samples?: string;
  /** --options JSON: what the plugin is constructed with (overrides the manifest's). */
  options?: string;
}

const KINDS = ["executor", "lifecycle", "scheduler", "transport"] as const;
type Kind = (typeof KINDS)[number];

function usage(message: string, hint: string): KernelkitError {
  return new KernelkitError("KK_USAGE", message, { hint });
}

/** The kind of a plugin a path provides, from the shape of its default export (a factory is called once). */
async function kindOfPath(file: string, ctx: PluginContext): Promise<Kind> {
  let ns: Record<string, unknown>;
  try {
    ns = await importFile(file);
  } catch (error) {
    throw new KernelkitError(
      "KK_PLUGIN_LOAD",
      `cannot import ${file}: ${(error as Error)?.message ?? error}`,
      {
        cause: error,
        hint: "Check the path and that the module loads with node.",
      },
    );
  }
  let value = ns.default;
  if (typeof value === "function" && !/^class[\s{]/.test(Function.prototype.toString.call(value))) {
    value = await (value as (o: unknown, c: unknown) => unknown)({}, { ...ctx, graph: new DataflowGraph() });
  }
  const found = (["executor", "scheduler", "transport", "lifecycle"] as const).find(
    (k) => shapeProblem(k, value) === null,
  );
  await Promise.resolve((value as { dispose?: () => unknown } | null)?.dispose?.()).catch(() => {});
  if (!found) {
    throw new KernelkitError(
      "KK_PLUGIN_SHAPE",
      `${file} provides no executor, lifecycle, scheduler or transport`,
      {
        hint: "Default-export the plugin or a factory `(options, ctx) => plugin` (PLUGINS.md).",
      },
    );
  }
  return found;
}

/** The group PLUGIN belongs to: --kind, a built-in name, an entry point's group, or a path's shape. */
async function kindOf(
  plugin: string,
  registry: PluginRegistry,
  ctx: PluginContext,
  asked?: string,
): Promise<Kind> {
  if (asked !== undefined) {
    if (!(KINDS as readonly string[]).includes(asked))
      throw usage(`--kind must be one of ${KINDS.join(", ")}, got '${asked}'`, "kernelkit help conformance");
    return asked as Kind;
  }
  if (plugin.startsWith(".") || plugin.startsWith("/")) {
    const file = resolve(plugin);
    if (!existsSync(file))
      throw new KernelkitError("KK_PLUGIN_NOT_FOUND", `no file at ${file}`, { hint: "Check the path." });
    return kindOfPath(file, ctx);
  }
  const groups = new Set<Kind>();
  for (const k of KINDS) if (BUILTIN_NAMES[k].includes(plugin)) groups.add(k);
  for (const e of registry.entryPoints())
    if ((e.name === plugin || e.package === plugin) && (KINDS as readonly string[]).includes(e.group))
      groups.add(e.group as Kind);
  if (groups.size === 0) {
    const known = [...KINDS.flatMap((k) => BUILTIN_NAMES[k]), ...registry.entryPoints().map((e) => e.name)];
    throw new KernelkitError("KK_PLUGIN_NOT_FOUND", `no plugin named '${plugin}'`, {
      hint: `Known: ${[...new Set(known)].join(", ")}; or pass a path (./my-plugin.ts). Entry points come from the dependencies of the package.json in this folder.`,
    });
  }
  if (groups.size > 1)
    throw usage(
      `'${plugin}' names plugins of several kinds: ${[...groups].join(", ")}`,
      "Pick one with --kind.",
    );
  return [...groups][0]!;
}

/** A client on a WebSocket transport, through transport-ws's own client. */
async function wsHarness(registry: PluginRegistry, name: string): Promise<TransportHarness> {
  const { WsChannel } = (await import("@kernelkit/transport-ws")) as typeof import("@kernelkit/transport-ws");
  return {
    framing: "message",
    frameLimit: true,
    multiClient: true,
    fragments: true,
    async create({ maxFrameBytes }) {
      const transport = await registry.load<Transport & { listening: Promise<{ url: string }> }>(
        "transport",
        {
          name,
          options: {
            port: 0,
            signalInterrupts: false,
            pingIntervalMs: 0,
            ...(maxFrameBytes ? { maxMessageBytes: maxFrameBytes } : {}),
          },
        },
      );
      const channels: Awaited<ReturnType<typeof WsChannel.connect>>[] = [];
      return {
        transport,
        async connect(): Promise<WireClient> {
          const { url } = await transport.listening;
          const ch = await WsChannel.connect(url);
          channels.push(ch);
          const send = (text: string, fin: boolean) =>
            new Promise<void>((res, rej) => ch.socket.send(text, { fin }, (e) => (e ? rej(e) : res())));
          return {
            write: (data) => send(typeof data === "string" ? data : Buffer.from(data).toString("utf8"), true),
            async writeFragments(parts) {
              for (const [i, p] of parts.entries()) await send(p, i === parts.length - 1);
            },
            onFrame: (fn) => void ch.onFrame(fn),
            end: () => void ch.close(),
          };
        },
        cleanup() {
          for (const ch of channels) ch.socket.terminate();
        },
      };
    },
  };
}

/** What the manifest's `conformance` field and the flags give a plugin's certification. */
interface Certification {
  /** The loaded samples module's export, or null when there is none. */
  samples: unknown;
  /** Options the plugin is constructed with (undefined: none). */
  options: unknown;
}

function samplesError(message: string, hint: string): KernelkitError {
  return new KernelkitError("KK_CONFORMANCE_SAMPLES", message, { hint });
}

/** The package.json of the package an entry point comes from (its folder holds the entry's file). */
function packageJsonOf(entry: EntryPoint): { file: string; json: Record<string, unknown> } | null {
  if (!entry.path || !entry.package) return null;
  for (let dir = dirname(entry.path); ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      try {
        const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
        if (json.name === entry.package) return { file, json };
      } catch {}
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The manifest's `kernelkit.conformance[NAME]` (docs/conformance-samples.md): `{ samples?: path,
 * options?: object }`, paths relative to the package. Null when the package declares none.
 */
function manifestCertification(
  plugin: string,
  kind: Kind,
  registry: PluginRegistry,
): { samples: string | null; options: unknown; from: string } | null {
  const entry = registry
    .entryPoints(kind)
    .find((e) => e.package !== null && (e.name === plugin || e.package === plugin));
  if (!entry) return null;
  const pkg = packageJsonOf(entry);
  const manifest = pkg?.json.kernelkit as { conformance?: unknown } | undefined;
  const field = manifest?.conformance;
  if (field === undefined || !pkg) return null;
  const where = `package '${entry.package}': "kernelkit.conformance"`;
  if (typeof field !== "object" || field === null || Array.isArray(field))
    throw samplesError(
      `${where} must be an object of entry-point name -> { samples, options }`,
      `Fix ${pkg.file}.`,
    );
  const own = (field as Record<string, unknown>)[entry.name];
  if (own === undefined) return null;
  if (typeof own !== "object" || own === null || Array.isArray(own))
    throw samplesError(`${where}.${entry.name} must be an object { samples?, options? }`, `Fix ${pkg.file}.`);
  const { samples, options } = own as { samples?: unknown; options?: unknown };
  if (samples !== undefined && (typeof samples !== "string" || samples === ""))
    throw samplesError(`${where}.${entry.name}.samples must be a path string`, `Fix ${pkg.file}.`);
  if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options)))
    throw samplesError(`${where}.${entry.name}.options must be an object`, `Fix ${pkg.file}.`);
  return {
    samples: typeof samples === "string" ? resolve(dirname(pkg.file), samples) : null,
    options,
    from: pkg.file,
  };
}

/** Imports a samples module: its default export, else its `samples` export. One coded line when it fails. */
async function loadSamples(file: string, shown: string): Promise<unknown> {
  if (!existsSync(file))
    throw samplesError(
      `samples module ${shown} does not exist (resolved to ${file})`,
      "Build the package (samples usually live in dist/), or fix the path.",
    );
  let ns: Record<string, unknown>;
  try {
    ns = await importFile(file);
  } catch (error) {
    const reason = String((error as Error)?.message ?? error).split("\n")[0];
    throw samplesError(
      `samples module ${shown} failed to load: ${reason}`,
      "Fix the module so that `node` can import it; it default-exports the samples object.",
    );
  }
  const value = ns.default ?? ns.samples;
  if (typeof value !== "object" || value === null)
    throw samplesError(
      `samples module ${shown} exports no samples object (default or \`samples\`)`,
      "Default-export the samples (see docs/conformance-samples.md).",
    );
  return value;
}

async function certification(
  plugin: string,
  kind: Kind,
  registry: PluginRegistry,
  flags: ConformanceOptions,
): Promise<Certification> {
  let options: unknown;
  if (flags.options !== undefined) {
    try {
      options = JSON.parse(flags.options);
    } catch (error) {
      throw usage(
        `--options is not valid JSON: ${(error as Error).message}`,
        `Pass a JSON object, e.g. --options '{"budgetMs": 300}'.`,
      );
    }
    if (typeof options !== "object" || options === null || Array.isArray(options))
      throw usage(
        "--options must be a JSON object",
        `Pass a JSON object, e.g. --options '{"budgetMs": 300}'.`,
      );
  }
  const manifest =
    flags.samples === undefined || options === undefined
      ? manifestCertification(plugin, kind, registry)
      : null;
  if (options === undefined) options = manifest?.options;
  let samples: unknown = null;
  if (flags.samples !== undefined) samples = await loadSamples(resolve(flags.samples), flags.samples);
  else if (manifest?.samples) samples = await loadSamples(manifest.samples, manifest.samples);
  return { samples, options };
}

function isLanguageSamples(value: unknown): value is LanguageSamples {
  const v = value as Record<string, unknown>;
  return typeof v.language === "string" && typeof v.define === "function" && typeof v.add === "function";
}

async function buildSuite(
  plugin: string,
  kind: Kind,
  registry: PluginRegistry,
  notes: string[],
  cert: Certification,
): Promise<ConformanceSuite> {
  const ref = {
    name: plugin,
    baseDir: process.cwd(),
    ...(cert.options !== undefined ? { options: cert.options } : {}),
  };
  if (kind === "executor") {
    // One instance first, for its language (and so a plugin that cannot even start fails here).
    const probe = await registry.load<Executor>("executor", ref);
    const language = probe.language;
    await Promise.resolve(probe.dispose?.()).catch(() => {});
    if (cert.samples !== null && !isLanguageSamples(cert.samples))
      throw samplesError(
        "the samples module's export is not LanguageSamples (it needs at least language, define and add)",
        "See the template in docs/conformance-samples.md.",
      );
    const samples = (cert.samples as LanguageSamples | null) ?? SAMPLES[language];
    if (!samples) {
      throw samplesError(
        `no code samples for the language '${language}'`,
        `Built-in samples cover ${Object.keys(SAMPLES).join(", ")}; give the package's own with --samples FILE or its manifest's "kernelkit.conformance" field (docs/conformance-samples.md).`,
      );
    }
    return executorSuite(plugin, (pctx) => registry.load<Executor>("executor", ref, { ...pctx, language }), {
      samples,
    });
  }
  // Every other kind: one instance first, so a plugin that cannot load is a startup error (exit 2).
  if (kind === "lifecycle") {
    const probe = await registry.load<ExecutionLifecycle>("lifecycle", ref);
    await Promise.resolve(probe.dispose?.()).catch(() => {});
    const cells = (cert.samples as LifecycleSamples | null) ?? undefined;
    return lifecycleSuite(plugin, () => registry.load<ExecutionLifecycle>("lifecycle", ref), {
      // Lifecycles run around the built-in JS executor, as in a kernel.
      executor: (pctx) => registry.load<Executor>("executor", { name: "default" }, pctx as never),
      ...(cells ? { cells } : {}),
    });
  }
  if (kind === "scheduler") {
    const spec = await registry.loadScheduler(ref);
    if (typeof spec === "function") spec(new DataflowGraph());
    return schedulerSuite(plugin, async (graph) => {
      const spec = await registry.loadScheduler(ref);
      return typeof spec === "function" ? spec(graph) : (spec as Scheduler);
    });
  }
  await registry.load<Transport>("transport", ref);
  if (plugin === "ws") return transportSuite(plugin, await wsHarness(registry, plugin));
  if (plugin !== "stdio")
    notes.push("transports are driven through a pair of named pipes (options inFd, outFd, maxFrameBytes)");
  return transportSuite(
    plugin,
    fifoHarness((fds: FdPair) =>
      registry.load<Transport>("transport", {
        ...ref,
        options: { ...(cert.options as object | undefined), ...fds, signalInterrupts: false },
      }),
    ),
  );
}

export async function conformanceCommand(plugin: string, options: ConformanceOptions): Promise<number> {
  const out = originalWrite("stdout");
  const err = originalWrite("stderr");
  const json = options.json === true;
  const cwd = process.cwd();
  const ctx: PluginContext = {
    logger: createLogger({ level: "warn" }),
    cwd,
    notebookPath: null,
    language: "javascript",
    apiVersion: API_VERSION,
  };
  const { registry, warnings } = createRegistry(ctx, { discoverFrom: cwd });
  for (const w of warnings) err(`kernelkit: warning ${w.code}: ${w.message}\n`);
  const notes: string[] = [];
  let suite: ConformanceSuite;
  let kind: Kind | null = null;
  try {
    kind = await kindOf(plugin, registry, ctx, options.kind);
    const cert = await certification(plugin, kind, registry, options);
    suite = await buildSuite(plugin, kind, registry, notes, cert);
  } catch (error) {
    const e = toCliError(error);
    err(`kernelkit: error ${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}\n`);
    if (json) out(`${JSON.stringify({ schemaVersion: 1, plugin, kind, ok: false, error: e, tiers: [] })}\n`);
    return EXIT.usage;
  }
  for (const n of notes) err(`kernelkit: note: ${n}\n`);
  const tty = !json && !options.md && process.stderr.isTTY === true;
  const card = await runSuite(suite, {
    onCase: tty
      ? (c, v) => err(`${v.ok ? pc.green("✓") : pc.red("✗")} tier ${c.tier}: ${c.name}\n`)
      : undefined,
  });
  if (json) out(`${JSON.stringify(card)}\n`);
  else if (options.md) out(formatScorecardMarkdown(card));
  else out(formatScorecardText(card, (ok, s) => (ok ? pc.green(s) : pc.red(s))));
  return scorecardPassed(card) ? EXIT.ok : EXIT.failed;
}
