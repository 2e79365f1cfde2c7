// `kernelkit conformance PLUGIN [--json|--md]`: runs the conformance suite of a plugin outside
// vitest and prints a tiered scorecard. PLUGIN is a built-in name, an entry-point name of an
// installed package, or a path; its kind (executor, lifecycle, scheduler, transport) comes
// from the registry's group, or for a path from the shape of what the module provides.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  type ConformanceSuite,
  executorSuite,
  type FdPair,
  fifoHarness,
  formatScorecardMarkdown,
  formatScorecardText,
  type LanguageSamples,
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
  createLogger,
  DataflowGraph,
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
import { builtinNames } from "../builtins.ts";
import { EXIT, toCliError } from "../cli-error.ts";
import { createRegistry } from "../setup.ts";

export interface ConformanceOptions {
  json?: boolean;
  md?: boolean;
  kind?: string;
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
        hint: "Default-export the plugin or a factory `(options, ctx) => plugin` (docs/plugins.md).",
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
  for (const k of KINDS) if (builtinNames(k).includes(plugin)) groups.add(k);
  for (const e of registry.entryPoints())
    if ((e.name === plugin || e.package === plugin) && (KINDS as readonly string[]).includes(e.group))
      groups.add(e.group as Kind);
  if (groups.size === 0) {
    const known = [...KINDS.flatMap((k) => builtinNames(k)), ...registry.entryPoints().map((e) => e.name)];
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

async function buildSuite(
  plugin: string,
  kind: Kind,
  registry: PluginRegistry,
  notes: string[],
): Promise<ConformanceSuite> {
  const ref = { name: plugin, baseDir: process.cwd() };
  if (kind === "executor") {
    // One instance first, for its language (and so a plugin that cannot even start fails here).
    const probe = await registry.load<Executor>("executor", ref);
    const language = probe.language;
    await Promise.resolve(probe.dispose?.()).catch(() => {});
    const samples: LanguageSamples | undefined = SAMPLES[language];
    if (!samples) {
      throw new KernelkitError(
        "KK_CONFORMANCE_SAMPLES",
        `no built-in code samples for the language '${language}'`,
        {
          hint: `The command knows ${Object.keys(SAMPLES).join(", ")}; for other languages call describeExecutorConformance with your own \`samples\` in a vitest file.`,
        },
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
    return lifecycleSuite(plugin, () => registry.load<ExecutionLifecycle>("lifecycle", ref), {
      // Lifecycles run around the built-in JS executor, as in a kernel.
      executor: (pctx) => registry.load<Executor>("executor", { name: "default" }, pctx as never),
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
      registry.load<Transport>("transport", { ...ref, options: { ...fds, signalInterrupts: false } }),
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
    suite = await buildSuite(plugin, kind, registry, notes);
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
