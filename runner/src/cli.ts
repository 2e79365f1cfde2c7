// The `kernelkit` command line.
import type { Command as CommandType } from "commander";
import { bindJupyterEarly } from "./jupyter-early.ts";
import { joinParameterPairs } from "./parameter-args.ts";

// A Jupyter kernel binds its sockets before anything heavy loads (docs/jupyter.md "Start"), so
// core, the executor and commander are imported here, not statically.
await bindJupyterEarly(process.argv.slice(2));
const [
  { registerKernelSource, VERSION },
  { originalWrite, realExit },
  { Command, CommanderError, InvalidArgumentError, Option },
  { EXIT },
] = await Promise.all([
  import("@kernelkit/core"),
  import("@kernelkit/executor-default"),
  import("commander"),
  import("./cli-error.ts"),
]);
type Command = CommandType;

registerKernelSource(new URL("../", import.meta.url).href);
const out = originalWrite("stdout");
const err = originalWrite("stderr");

// `kernelkit run nb.ts --json | head`: once the reader has gone, stop quietly, as a process
// that SIGPIPE ends would (docs/cli.md), instead of a stack trace for an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") realExit(EXIT.brokenPipe);
    throw error;
  });
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${name} must be a non-negative integer (milliseconds)`);
    return n;
  };
}

function jobsCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("--jobs must be a positive integer");
  return n;
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.includes("--json");
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("kernelkit")
    .description("Build and run reactive code-execution kernels out of plugins.")
    .version(VERSION, "-v, --version", "print the version")
    .helpCommand("help [command]", "show help for a command")
    .showHelpAfterError("(run `kernelkit help` for usage)")
    .configureOutput({ writeOut: out, writeErr: err })
    .exitOverride();

  program
    .command("run")
    .description("run every cell of a notebook once, reactively, and print each cell's outputs")
    .argument(
      "<notebooks...>",
      "notebooks: percent format (.ts, .mts, .js, .mjs, .py) or .ipynb; several run in parallel",
    )
    .option("--json", "print one JSON object (schemaVersion 1) on stdout")
    .addOption(
      new Option(
        "--mode <mode>",
        "reactive: dependency order (default); sequential: top to bottom, as Jupyter",
      ).choices(["reactive", "sequential"]),
    )
    .option("--continue-on-error", "sequential mode: a failed cell does not cancel the cells after it")
    .option("--jobs <n>", "notebooks run at once when several are given (default: the core count)", jobsCount)
    .option("--timeout <ms>", "interrupt any cell running longer than this", positiveInt("--timeout"))
    .option("--executor <name>", "executor to use (default: chosen by the notebook's language)")
    .option("--config <path>", "config file (default: searched from the notebook's folder upward)")
    .option(
      "--lifecycle <name>",
      "add an execution lifecycle (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--strict", "strict mode: each cell sees only copies of its refs")
    .option("--profile <out>", "time each cell; write a Chrome trace (Perfetto, chrome://tracing) to <out>")
    .option("--output <out.ipynb>", "write the executed notebook (outputs included) to this .ipynb file")
    .option("--inplace", "write the executed notebook over the input .ipynb")
    .option(
      "-p, --parameter <name=value>",
      "set a parameter: -p NAME VALUE (VALUE as JSON, else a string; repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--parameters <file.json>", "parameter values from a JSON object file")
    .addHelpText(
      "after",
      "\nExit codes: 0 all cells succeeded; 1 a cell failed, was cancelled or interrupted;\n2 usage, config or plugin error; 130 interrupted by Ctrl-C.",
    )
    .action(async (notebooks: string[], opts) => {
      if (notebooks.length > 1) {
        const { batchCommand } = await import("./commands/batch.ts");
        setExit(await batchCommand(notebooks, opts, new URL("./batch-worker.js", import.meta.url)));
        return;
      }
      const { runCommand } = await import("./commands/run.ts");
      setExit(await runCommand(notebooks[0]!, opts));
    });

  program
    .command("convert")
    .description("convert a notebook between the percent format and .ipynb (by the files' extensions)")
    .argument("<in>", "a percent notebook (.ts, .py, …) or an .ipynb")
    .argument("<out>", "the file to write: .ipynb, or a percent notebook's extension")
    .action(async (input: string, output: string) => {
      const { convertCommand } = await import("./commands/convert.ts");
      setExit(await convertCommand(input, output));
    });

  program
    .command("check")
    .description("analyse a notebook without running it: defs, refs and graph errors")
    .argument("<notebook>", "a notebook: percent format or .ipynb")
    .option("--json", "print one JSON object (schemaVersion 1) on stdout")
    .option("--types", "type-check JS/TS cells across cells (a cell sees its refs' types)")
    .addOption(
      new Option("--mode <mode>", "analyse for this run mode (default: the config's, else reactive)").choices(
        ["reactive", "sequential"],
      ),
    )
    .action(async (notebook: string, opts) => {
      const { checkCommand } = await import("./commands/check.ts");
      setExit(await checkCommand(notebook, opts));
    });

  program
    .command("serve")
    .description("serve a kernel speaking the wire protocol (docs/protocol.md) over stdio or WebSocket")
    .argument("[notebook]", "a notebook whose cells the kernel starts with")
    .option(
      "--transport <name>",
      "how clients connect: stdio (default), ws, jupyter, or a transport entry point's name (default: the config's transport)",
    )
    .option("-f, --connection-file <file>", "jupyter: the connection file the launcher wrote")
    .option("--language <language>", "jupyter: javascript, typescript or python (default javascript)")
    .option(
      "--channel-fd <n>",
      "stdio: read requests and write frames on this fd (default: fd 0 in, fd 1 out)",
      positiveInt("--channel-fd"),
    )
    .option("--host <host>", "ws: address to bind (default 127.0.0.1)")
    .option("--port <port>", "ws: port to listen on (0 picks a free one)", positiveInt("--port"))
    .option(
      "--token <token>",
      "ws: the token clients must present, 16 characters or more (default: KERNELKIT_TOKEN, else generated)",
    )
    .option("--allow-weak-token", "ws: accept a --token shorter than 16 characters")
    .option("--config <path>", "config file (default: searched from the notebook's folder)")
    .option("--executor <name>", "executor to use (default: chosen by the notebook's language)")
    .option("--watch", "re-run changed cells when the notebook file is saved; clients get the frames")
    .option("--types", "with --watch: after each save, send the notebook's type errors (JS/TS)")
    .action(async (notebook: string | undefined, opts) => {
      const { serveCommand } = await import("./commands/serve.ts");
      setExit(await serveCommand(notebook, opts));
    });

  program
    .command("plugins")
    .description("list the plugins installed packages advertise, and whether they can be used")
    .option("--json", "print one JSON object (schemaVersion 1) on stdout")
    .option("--check", "also load and construct each compatible plugin")
    .action(async (opts) => {
      const { pluginsCommand } = await import("./commands/plugins.ts");
      setExit(await pluginsCommand(opts));
    });

  program
    .command("conformance")
    .description("run the conformance suite on a plugin and print a tiered scorecard")
    .argument("<plugin>", "a built-in name, an installed entry point's name, or a path")
    .option("--json", "print one JSON object (schemaVersion 1) on stdout")
    .option("--md", "print the scorecard as Markdown")
    .option("--kind <kind>", "executor, lifecycle, scheduler or transport, when the name is ambiguous")
    .option("--samples <file>", "a module exporting the plugin's code samples (default: its manifest's)")
    .option("--options <json>", "options the plugin is constructed with, as JSON (default: its manifest's)")
    .addHelpText(
      "after",
      "\nExit codes: 0 every case passed; 1 a case failed; 2 unknown plugin or usage error.",
    )
    .action(async (plugin: string, opts) => {
      const { conformanceCommand } = await import("./commands/conformance.ts");
      setExit(await conformanceCommand(plugin, opts));
    });

  const jupyter = program
    .command("jupyter")
    .description("install, list and remove Jupyter kernelspecs for kernelkit kernels (docs/jupyter.md)");
  jupyter
    .command("install")
    .description("write one kernelspec per language (default: javascript, typescript, python)")
    .option("--user", "install for this user (the default): $JUPYTER_DATA_DIR or ~/.local/share/jupyter")
    .option("--prefix <dir>", "install under DIR/share/jupyter")
    .option("--sys-prefix", "install under sys.prefix/share/jupyter of the Python that runs Jupyter")
    .option(
      "--language <language>",
      "javascript, typescript or python (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--name <name>", "kernelspec name (one language only)")
    .option("--display-name <name>", "name shown in front-ends (one language only)")
    .option("--config <path>", "bake this config file into the kernelspec (a bespoke kernel)")
    .action(async (opts) => {
      const { jupyterInstall } = await import("./commands/jupyter.ts");
      setExit(await jupyterInstall(opts));
    });
  jupyter
    .command("list")
    .description("list kernelspecs Jupyter can see, marking kernelkit's")
    .option("--json", "print one JSON object (schemaVersion 1) on stdout")
    .action(async (opts) => {
      const { jupyterList } = await import("./commands/jupyter.ts");
      setExit(await jupyterList(opts));
    });
  jupyter
    .command("uninstall")
    .description("remove a kernelspec by name")
    .argument("<name...>", "kernelspec names")
    .option("--user", "from the user's data dir (the default)")
    .option("--prefix <dir>", "from DIR/share/jupyter")
    .option("--sys-prefix", "from sys.prefix/share/jupyter")
    .action(async (names: string[], opts) => {
      const { jupyterUninstall } = await import("./commands/jupyter.ts");
      setExit(await jupyterUninstall(names, opts));
    });

  program
    .command("new")
    .description("write a plugin package that passes its conformance kit as generated")
    .argument("<kind>", "executor, lifecycle, scheduler or transport")
    .argument("<name>", "the plugin's entry-point name (the package is kernelkit-<kind>-<name>)")
    .option("--dir <dir>", "folder to write (default ./kernelkit-<kind>-<name>)")
    .option("--language <language>", "executors: a new notebook language, declared in the manifest")
    .option("--extension <ext>", "with --language: the notebook file extension (default .<language>)")
    .option(
      "--line-comment <marker>",
      "with --language: the line comment that starts cell markers (default #)",
    )
    .action(async (kind: string, name: string, opts) => {
      const { newCommand } = await import("./commands/new.ts");
      setExit(await newCommand(kind, name, opts));
    });

  program
    .command("watch")
    .description("run a notebook, then on every save re-run only the changed cells and their descendants")
    .argument("<notebook>", "a notebook (.ts, .mts, .js, .mjs, .py)")
    .option("--json", "print one NDJSON event per run (and per problem) on stdout")
    .addOption(new Option("--mode <mode>", "execution mode").choices(["reactive", "sequential"]))
    .option("--config <path>", "config file (default: searched from the notebook's folder upward)")
    .option("--executor <name>", "executor to use (default: chosen by the notebook's language)")
    .option("--types", "after each save, report the notebook's type errors (JS/TS, as check --types)")
    .addHelpText(
      "after",
      "\nCtrl-C during a run interrupts it; Ctrl-C while idle exits 0. Exit 2: usage, config or plugin error.",
    )
    .action(async (notebook: string, opts) => {
      const { watchCommand } = await import("./commands/watch.ts");
      setExit(await watchCommand(notebook, opts));
    });

  program.addOption(new Option("--no-color", "disable colours (NO_COLOR is honoured too)"));
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  let code = EXIT.ok as number;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(joinParameterPairs(argv), { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      ) {
        return EXIT.ok;
      }
      if (error.code === "commander.executeSubCommandAsync") return EXIT.ok;
      if (wantsJson(argv)) {
        out(
          `${JSON.stringify({ schemaVersion: 1, ok: false, error: { code: "KK_USAGE", message: error.message.replace(/^error: /, ""), hint: "run `kernelkit help`" }, cells: [] })}\n`,
        );
      }
      return EXIT.usage;
    }
    err(`kernelkit: internal error: ${(error as Error)?.stack ?? error}\n`);
    return EXIT.usage;
  }
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  return code;
}

const code = await main(process.argv.slice(2));
// Flush what is pending on stdout/stderr, then exit with the code even if a cell left timers behind.
process.exitCode = code;
const finish = () => realExit(code);
if (process.stdout.writableLength > 0) process.stdout.once("drain", finish);
else setImmediate(finish);
