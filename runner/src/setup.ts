// Builds a kernel for a notebook from the CLI's flags.
import { dirname } from "node:path";
import {
  createKernel,
  createLogger,
  type Executor,
  type Kernel,
  KernelkitError,
  type KernelWarning,
  type Notebook,
  processInterrupts,
} from "@kernelkit/core";
import { DefaultExecutor } from "@kernelkit/executor-default";

export interface KernelFlags {
  executor?: string | undefined;
  /** Use the process's SIGINT/deadline machinery (CLI processes do; embedders may not). */
  interrupts?: boolean;
}

export interface BuiltKernel {
  kernel: Kernel;
  warnings: KernelWarning[];
}

function builtinExecutor(name: string, notebook: Notebook | null, cwd: string): Executor {
  if (name === "default") {
    return new DefaultExecutor({
      cwd,
      notebookPath: notebook?.path ?? null,
      typescript: notebook?.typescript ?? true,
    });
  }
  throw new KernelkitError("KK_PLUGIN_NOT_FOUND", `executor '${name}' is not available`, {
    hint: "The built-in executors are 'default' (JS/TS) and 'python'.",
  });
}

export async function buildKernel(notebook: Notebook | null, flags: KernelFlags = {}): Promise<BuiltKernel> {
  const cwd = notebook?.path ? dirname(notebook.path) : process.cwd();
  const language = notebook?.language ?? "javascript";
  const name = flags.executor ?? (language === "python" ? "python" : "default");
  if (language === "python" && name === "default") {
    throw new KernelkitError("KK_PLUGIN_NOT_FOUND", "the default executor runs JS/TS cells, not Python", {
      hint: "Use --executor python for .py notebooks.",
    });
  }
  const executor = builtinExecutor(name, notebook, cwd);
  const kernel = await createKernel({
    executor,
    notebook,
    cwd,
    logger: createLogger(),
    interrupts: flags.interrupts === false ? null : processInterrupts(),
  });
  return { kernel, warnings: [] };
}
