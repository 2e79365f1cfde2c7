// `kernelkit serve`: a kernel server speaking PROTOCOL.md. stdio reads requests on fd 0 (or
// the channel fd) and writes frames on fd 1 (or the channel fd); ws is serve-ws.ts. Logs go
// to fd 2 only. The kernel ends on `shutdown`, `exit`, end of input or SIGTERM, and exits 0.
import { KernelkitError, listenMessages, type Notebook, statFd, teardownKernel } from "@kernelkit/core";
import { originalWrite } from "@kernelkit/executor-default";
import { StdioTransport } from "@kernelkit/transport-stdio";
import { EXIT, reportStartupError } from "../cli-error.ts";
import { loadNotebook } from "../load-notebook.ts";
import { buildKernel, type KernelFlags } from "../setup.ts";

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
  const transport = options.transport ?? "stdio";
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
  if (transport === "ws") return serveWebSocket(notebookArg, options);
  if (transport === "jupyter") {
    const { serveJupyter } = await import("./serve-jupyter.ts");
    return serveJupyter(notebookArg, options);
  }
  if (transport !== "stdio") {
    return reportStartupError(
      new KernelkitError("KK_USAGE", `unknown transport '${transport}'`, {
        hint: "Use --transport stdio (the default) or --transport ws.",
      }),
      false,
      err,
      err,
    );
  }
  const channelFd = options.channelFd;
  if (channelFd !== undefined) {
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
  } else {
    // fd 1 carries frames: text that escapes the cell capture (a plugin's console.log before
    // any cell ran, say) must not land there. The executor captures on top of this.
    const toStderr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) =>
      (toStderr as (...a: unknown[]) => boolean)(chunk, encoding, cb)) as typeof process.stdout.write;
  }

  let kernel: Awaited<ReturnType<typeof buildKernel>>["kernel"];
  try {
    const notebook: Notebook | null = notebookArg ? loadNotebook(notebookArg) : null;
    const built = await buildKernel(notebook, kernelFlags(options));
    kernel = built.kernel;
    for (const w of built.warnings) err(`kernelkit: warning ${w.code}: ${w.message}\n`);
    if (notebook?.path) process.chdir(kernel.cwd);
  } catch (error) {
    return reportStartupError(error, false, err, err);
  }

  const stdio = new StdioTransport({
    ...(channelFd !== undefined ? { channelFd } : {}),
    ...(process.env.KERNELKIT_MAX_FRAME_BYTES
      ? { maxFrameBytes: Number(process.env.KERNELKIT_MAX_FRAME_BYTES) }
      : {}),
    logger: kernel.logger,
    // A kernel whose client is gone must not live on, even stuck in native code.
    killAfterEndMs: 40_000,
  });
  // SIGTERM: a graceful stop, like `exit` on the channel (not SIGINT: see core/src/runtime/interrupt.ts).
  const onTerm = () => stdio.stop();
  process.on("SIGTERM", onTerm);
  const { attachServeWatch } = options.watch
    ? await import("../watch/serve-watch.ts")
    : { attachServeWatch: null };
  const watch = attachServeWatch ? await attachServeWatch(kernel, stdio, [stdio.connection], err) : null;
  try {
    const served = listenMessages(kernel, watch?.transport ?? stdio);
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
