// `kernelkit serve --transport jupyter --connection-file FILE`: a kernel a Jupyter front-end
// starts from its kernelspec (docs/jupyter.md). The Jupyter transport (and zeromq with it) is
// imported only here. Ends on shutdown_request or SIGTERM and exits 0.
import {
  KernelkitError,
  type Language,
  listenMessages,
  type Notebook,
  teardownKernel,
} from "@kernelkit/core";
import { originalWrite } from "@kernelkit/executor-default";
import { EXIT, reportStartupError } from "../cli-error.ts";
import { loadNotebook } from "../load-notebook.ts";
import { buildKernel, type KernelFlags } from "../setup.ts";

export interface ServeJupyterOptions {
  connectionFile?: string;
  config?: string;
  executor?: string;
  language?: string;
}

const LANGUAGES = ["javascript", "typescript", "python"];

export async function serveJupyter(
  notebookArg: string | undefined,
  options: ServeJupyterOptions,
): Promise<number> {
  const err = originalWrite("stderr");
  const fail = (error: unknown) => reportStartupError(error, false, err, err);
  if (!options.connectionFile) {
    return fail(
      new KernelkitError("KK_USAGE", "--transport jupyter needs --connection-file FILE", {
        hint: "Install a kernelspec with `kernelkit jupyter install`; Jupyter passes the file.",
      }),
    );
  }
  const language = options.language ?? "javascript";
  if (!LANGUAGES.includes(language)) {
    return fail(
      new KernelkitError("KK_USAGE", `unknown --language '${language}'`, {
        hint: `Use one of ${LANGUAGES.join(", ")}.`,
      }),
    );
  }
  // The transport and zeromq load only on this path; the connection file is checked before the
  // kernel is built, so a bad file costs no executor start.
  const { JupyterTransport, readConnectionFile } = await import("@kernelkit/transport-jupyter");
  let connection: ReturnType<typeof readConnectionFile>;
  try {
    connection = readConnectionFile(options.connectionFile);
  } catch (error) {
    return fail(error);
  }

  let kernel: Awaited<ReturnType<typeof buildKernel>>["kernel"];
  try {
    const notebook: Notebook | null = notebookArg ? loadNotebook(notebookArg) : null;
    // JS and TS cells share one executor (the default one strips types).
    const flags: KernelFlags = { language: (language === "python" ? "python" : "javascript") as Language };
    if (options.executor !== undefined) flags.executor = options.executor;
    if (options.config !== undefined) flags.config = options.config;
    const built = await buildKernel(notebook, flags);
    kernel = built.kernel;
    for (const w of built.warnings) err(`kernelkit: warning ${w.code}: ${w.message}\n`);
    if (notebook?.path) process.chdir(kernel.cwd);
  } catch (error) {
    return fail(error);
  }
  const transport = new JupyterTransport({ connection, language, logger: kernel.logger });

  const onTerm = () => transport.endInput();
  process.on("SIGTERM", onTerm);
  try {
    await listenMessages(kernel, transport);
  } catch (error) {
    process.off("SIGTERM", onTerm);
    await teardownKernel(kernel);
    return fail(error);
  }
  process.off("SIGTERM", onTerm);
  await teardownKernel(kernel);
  return EXIT.ok;
}
