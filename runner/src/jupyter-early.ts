// `serve --transport jupyter`, recognised from the raw arguments before the command line loads:
// the kernel's sockets then bind while core loads (@kernelkit/transport-jupyter/early,
// docs/jupyter.md "Start"). Anything else — another command, a flag spelt differently — leaves
// the normal path to do all the work, so this can only make a kernel start sooner.

/** The connection file and language of `serve --transport jupyter …`, or null. */
export function jupyterServeArgs(
  argv: readonly string[],
): { connectionFile: string; language?: string } | null {
  const command = argv.find((a) => !a.startsWith("-"));
  if (command !== "serve") return null;
  const value = (long: string, short?: string): string | undefined => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === "--") return undefined;
      if (a === long || (short !== undefined && a === short)) return argv[i + 1];
      if (a.startsWith(`${long}=`)) return a.slice(long.length + 1);
    }
    return undefined;
  };
  if (argv.includes("--help") || argv.includes("-h")) return null;
  if (value("--transport") !== "jupyter") return null;
  const connectionFile = value("--connection-file", "-f");
  if (!connectionFile) return null;
  const language = value("--language");
  return language === undefined ? { connectionFile } : { connectionFile, language };
}

/** Starts binding the Jupyter sockets when the arguments serve a Jupyter kernel; loads nothing otherwise. */
export async function bindJupyterEarly(argv: readonly string[]): Promise<void> {
  const args = jupyterServeArgs(argv);
  if (!args) return;
  const { bindEarly } = await import("@kernelkit/transport-jupyter/early");
  await bindEarly(args);
}
