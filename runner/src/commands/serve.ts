// `kernelkit serve`: a kernel server speaking the wire protocol (docs/protocol.md) over any
// transport the registry knows — a built-in (stdio, ws) or a discovered `transport` entry point.
// stdio reads requests on fd 0 (or the channel fd) and writes frames on fd 1 (or the channel
// fd); ws is serve-ws.ts (its ready line and options). Logs go
// to fd 2 only. The kernel ends on `shutdown`, `exit`, end of input or SIGTERM, and exits 0.
import { dirname } from "node:path";
import {
  type Connection,
  createLogger,
  endOfInput,
  KernelkitError,
  type LoadedConfig,
  listenMessages,
  loadConfig,
  type Notebook,
  statFd,
  type Transport,
  teardownKernel,
} from "@kernelkit/core";
import { originalWrite } from "@kernelkit/executor-default";
import { EXIT, reportStartupError } from "../cli-error.ts";
import { loadNotebook } from "../load-notebook.ts";
import { type BuiltKernel, buildKernel, type KernelFlags, transportRef } from "../setup.ts";

export interface ServeOptions {
  transport?: string;
  channelFd?: number;
  host?: string;
  port?: number;
  token?: string;
  allowWeakToken?: boolean;
  config?: string;
  executor?: string;
  connectionFile?: string;
  language?: string;
  /** Re-run changed cells when the notebook file is saved (docs/watch.md). */
  watch?: boolean;
  /** With watch: the notebook's type errors after each save (docs/watch.md "Type errors"). */
  types?: boolean;
}

/** The flags buildKernel understands. */
export function kernelFlags(options: ServeOptions): KernelFlags {
  const flags: KernelFlags = {};
  if (options.executor !== undefined) flags.executor = options.executor;
  if (options.config !== undefined) flags.config = options.config;
  return flags;
}

export async function serveCommand(notebookArg: string | undefined, options: ServeOptions): Promise<number> {
  const err = originalWrite("stderr");
  if (options.watch && !notebookArg) {
    return reportStartupError(
      new KernelkitError("KK_USAGE", "--watch needs a notebook to watch", {
        hint: "Pass the notebook: kernelkit serve --watch nb.ts",
      }),
      false,
      err,
      err,
    );
  }
  if (options.transport === "ws") return serveWebSocket(notebookArg, options);
  if (options.transport === "jupyter") return serveJupyterKernel(notebookArg, options);
  let notebook: Notebook | null;
  let loaded: LoadedConfig | null;
  try {
    notebook = notebookArg ? loadNotebook(notebookArg) : null;
    const from = notebook?.path ? dirname(notebook.path) : process.cwd();
    loaded = await loadConfig({ from, configPath: options.config ?? null });
  } catch (error) {
    return reportStartupError(error, false, err, err);
  }
  // Which transport: the flag, else the config's `transport`, else stdio (setup.ts).
  const stdioOptions: Record<string, unknown> = {};
  const named = transportRef(loaded, options.transport).name;
  if (named === "ws") return serveWebSocket(notebookArg, options);
  if (named === "jupyter") return serveJupyterKernel(notebookArg, options);
  const channelFd = options.channelFd;
  if (named !== "stdio" && channelFd !== undefined) {
    return reportStartupError(
      new KernelkitError("KK_USAGE", `--channel-fd is for the stdio transport, not '${named}'`, {
        hint: "Leave --channel-fd out, or serve with --transport stdio.",
      }),
      false,
      err,
      err,
    );
  }
  if (named === "stdio") {
    if (channelFd !== undefined) {
      // statFd: a plain fstatSync of a pipe misleads Node 20's resolver afterwards (every later
      // import() of a plugin package failed; docs/reliability.md).
      if (statFd(channelFd) === null) {
        return reportStartupError(
          new KernelkitError("KK_USAGE", `--channel-fd ${channelFd} is not an open file descriptor`, {
            hint: "Start the kernel with that fd open (KernelClient passes a socket pair as fd 3).",
          }),
          false,
          err,
          err,
        );
      }
      stdioOptions.channelFd = channelFd;
    } else {
      // fd 1 carries frames: text that escapes the cell capture (a plugin's console.log before
      // any cell ran, say) must not land there. The executor captures on top of this.
      const toStderr = process.stderr.write.bind(process.stderr);
      process.stdout.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) =>
        (toStderr as (...a: unknown[]) => boolean)(chunk, encoding, cb)) as typeof process.stdout.write;
    }
    if (process.env.KERNELKIT_MAX_FRAME_BYTES)
      stdioOptions.maxFrameBytes = Number(process.env.KERNELKIT_MAX_FRAME_BYTES);
    // A kernel whose client is gone must not live on, even stuck in native code.
    stdioOptions.killAfterEndMs = 40_000;
  }
  // The transport's own diagnostics go where the kernel's do (the factory also gets ctx.logger).
  if (named === "stdio")
    stdioOptions.logger = createLogger(loaded?.config.log?.level ? { level: loaded.config.log.level } : {});

  let built: BuiltKernel;
  try {
    built = await buildKernel(notebook, {
      ...kernelFlags(options),
      loadedConfig: loaded,
      transport: transportRef(loaded, options.transport, stdioOptions),
    });
    for (const w of built.warnings) err(`kernelkit: warning ${w.code}: ${w.message}\n`);
    if (notebook?.path) process.chdir(built.kernel.cwd);
  } catch (error) {
    return reportStartupError(error, false, err, err);
  }
  const { kernel } = built;
  const transport = built.transport!;

  // SIGTERM: a graceful stop, like the end of input (not SIGINT: see core/src/runtime/interrupt.ts).
  const endable = endableTransport(transport);
  const onTerm = () => endable.endInput();
  process.on("SIGTERM", onTerm);
  const { attachServeWatch } = options.watch
    ? await import("../watch/serve-watch.ts")
    : { attachServeWatch: null };
  // The transport's one connection (stdio's), when it has one: watch runs show on it too.
  const own = (transport as { connection?: Connection }).connection;
  const watch = attachServeWatch
    ? await attachServeWatch(kernel, endable, own ? [own] : [], err, {
        types: options.types === true,
      })
    : null;
  try {
    const served = listenMessages(kernel, watch?.transport ?? endable);
    await watch?.start();
    await served;
  } catch (error) {
    process.off("SIGTERM", onTerm);
    await watch?.close();
    await teardownKernel(kernel);
    return reportStartupError(error, false, err, err);
  }
  await watch?.close();
  process.off("SIGTERM", onTerm);
  await teardownKernel(kernel);
  return EXIT.ok;
}

/** The connection an end of input the kernel's process decided on (SIGTERM) comes from. */
const PROCESS_CONNECTION: Connection = { id: "process", send() {} };

/** Wraps a transport so that the process can end its input (SIGTERM) whatever the transport. */
function endableTransport(transport: Transport): Transport & { endInput(): void } {
  let deliver: ((msg: unknown, from: Connection) => void) | null = null;
  let ended = false;
  return {
    ...(transport.name !== undefined ? { name: transport.name } : {}),
    start(onMessage) {
      deliver = onMessage;
      return transport.start(onMessage);
    },
    close: () => transport.close(),
    endInput() {
      if (ended) return;
      ended = true;
      deliver?.(endOfInput({ drain: false }), PROCESS_CONNECTION);
    },
  };
}

/** `--transport jupyter`: a kernel a Jupyter launcher started (serve-jupyter.ts). */
async function serveJupyterKernel(notebookArg: string | undefined, options: ServeOptions): Promise<number> {
  const { serveJupyter } = await import("./serve-jupyter.ts");
  return serveJupyter(notebookArg, options);
}

async function serveWebSocket(notebookArg: string | undefined, options: ServeOptions): Promise<number> {
  const err = originalWrite("stderr");
  // A glob import: the bundler includes serve-ws.ts when it exists.
  const name = "ws";
  let mod: { serveWs?: (notebook: string | undefined, options: ServeOptions) => Promise<number> };
  try {
    mod = await import(`./serve-${name}.ts`);
  } catch {
    mod = {};
  }
  if (typeof mod.serveWs !== "function") {
    return reportStartupError(
      new KernelkitError("KK_TRANSPORT_UNAVAILABLE", "the WebSocket transport is not available yet", {
        hint: "Use --transport stdio.",
      }),
      false,
      err,
      err,
    );
  }
  return mod.serveWs(notebookArg, options);
}
