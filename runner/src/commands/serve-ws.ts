// `kernelkit serve --transport ws`: a kernel behind a token-protected WebSocket server (and
// the browser page). Prints the ready line once on stderr; ends on `shutdown`, `exit` or
// SIGTERM (graceful: every connection is closed with code 1001), and exits 0.
import { KernelkitError, listenMessages, type Notebook, teardownKernel } from "@kernelkit/core";
import { originalWrite } from "@kernelkit/executor-default";
import {
  registerNotebookInfo,
  type WsAddress,
  WsTransport,
  type WsTransportOptions,
} from "@kernelkit/transport-ws";
import { EXIT, reportStartupError } from "../cli-error.ts";
import { loadNotebook } from "../load-notebook.ts";
import { buildKernel, type KernelFlags } from "../setup.ts";

export interface ServeWsOptions {
  host?: string;
  port?: number;
  token?: string;
  allowWeakToken?: boolean;
  config?: string;
  executor?: string;
  /** Re-run changed cells when the notebook file is saved (docs/watch.md). */
  watch?: boolean;
  /** With watch: the notebook's type errors after each save (docs/watch.md "Type errors"). */
  types?: boolean;
}

/** The transport's options from a config's `transport` slot (`"ws"`, `["ws", {…}]` or `{use: "ws", options}`). */
export function transportOptionsFromConfig(config: unknown): WsTransportOptions {
  const slot = (config as { transport?: unknown } | null | undefined)?.transport;
  let options: unknown;
  if (Array.isArray(slot)) options = slot[1];
  else if (slot && typeof slot === "object") options = (slot as { options?: unknown }).options;
  if (!options || typeof options !== "object") return {};
  const o = options as Record<string, unknown>;
  const out: WsTransportOptions = {};
  if (typeof o.host === "string") out.host = o.host;
  if (typeof o.port === "number") out.port = o.port;
  if (typeof o.token === "string") out.token = o.token;
  if (Array.isArray(o.allowedOrigins)) out.allowedOrigins = o.allowedOrigins.map(String);
  for (const k of [
    "maxMessageBytes",
    "maxBufferedBytes",
    "stallMs",
    "pingIntervalMs",
    "closeTimeoutMs",
  ] as const) {
    if (typeof o[k] === "number") out[k] = o[k] as number;
  }
  if (typeof o.page === "boolean") out.page = o.page;
  if (typeof o.allowWeakToken === "boolean") out.allowWeakToken = o.allowWeakToken;
  return out;
}

export async function serveWs(notebookArg: string | undefined, options: ServeWsOptions): Promise<number> {
  const err = originalWrite("stderr");
  if (options.token !== undefined && options.token.trim() === "") {
    return reportStartupError(
      new KernelkitError("KK_USAGE", "--token is empty", {
        hint: "Pass a long random token, or leave --token out and one is generated.",
      }),
      false,
      err,
      err,
    );
  }

  let kernel: Awaited<ReturnType<typeof buildKernel>>["kernel"];
  try {
    const notebook: Notebook | null = notebookArg ? loadNotebook(notebookArg) : null;
    const flags: Record<string, unknown> = {};
    if (options.executor !== undefined) flags.executor = options.executor;
    if (options.config !== undefined) flags.config = options.config;
    const built = await buildKernel(notebook, flags as KernelFlags);
    kernel = built.kernel;
    for (const w of built.warnings) err(`kernelkit: warning ${w.code}: ${w.message}\n`);
    if (notebook?.path) process.chdir(kernel.cwd);
  } catch (error) {
    return reportStartupError(error, false, err, err);
  }
  registerNotebookInfo(kernel);

  const wsOptions: WsTransportOptions = transportOptionsFromConfig(kernel.config);
  if (options.host !== undefined) wsOptions.host = options.host;
  if (options.port !== undefined) wsOptions.port = options.port;
  if (options.token !== undefined) wsOptions.token = options.token;
  if (options.allowWeakToken) wsOptions.allowWeakToken = true;
  if (process.env.KERNELKIT_MAX_FRAME_BYTES)
    wsOptions.maxMessageBytes = Number(process.env.KERNELKIT_MAX_FRAME_BYTES);

  let transport: WsTransport;
  try {
    transport = new WsTransport({
      ...wsOptions,
      logger: kernel.logger,
      onWarning: (code, message) => err(`kernelkit: warning ${code}: ${message}\n`),
    });
  } catch (error) {
    await teardownKernel(kernel);
    return reportStartupError(error, false, err, err);
  }

  // SIGTERM: a graceful stop, like `exit` (never SIGINT: see core/src/runtime/interrupt.ts).
  const onTerm = () => transport.endInput();
  process.on("SIGTERM", onTerm);
  const { attachServeWatch } = options.watch
    ? await import("../watch/serve-watch.ts")
    : { attachServeWatch: null };
  const watch = attachServeWatch
    ? await attachServeWatch(kernel, transport, [], err, { types: options.types === true })
    : null;
  const served = listenMessages(kernel, watch?.transport ?? transport);
  await watch?.start();
  let address: WsAddress | null;
  try {
    address = await Promise.race([transport.listening, served.then(() => null)]);
  } catch (error) {
    process.off("SIGTERM", onTerm);
    await teardownKernel(kernel);
    return reportStartupError(error, false, err, err);
  }
  if (address) {
    err(`kernelkit: listening on ${address.url}\n`);
    err(
      `kernelkit: the browser page is at http://${address.url.slice("ws://".length).split("/")[0]}/ (same ?token=)\n`,
    );
  }
  try {
    await served;
  } catch (error) {
    kernel.logger.error({ err: error }, "the ws listen loop failed");
  }
  await watch?.close();
  process.off("SIGTERM", onTerm);
  await teardownKernel(kernel);
  return EXIT.ok;
}
