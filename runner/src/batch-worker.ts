// A batch worker (docs/modes.md, "Batches"): a child process of `kernelkit run A B C` that runs
// notebooks one after another, each in a kernel of its own, so a batch pays Node's start and
// module loading once per worker instead of once per notebook. The parent sends one notebook
// at a time over the IPC channel and gets back exactly what `run --json NB` would have printed
// and its exit code. Whatever a notebook could leave behind in the process — the working
// directory, environment variables, exit code, process listeners — is put back after it; when a
// notebook leaves something that cannot be put back (a module it imported, a timer or socket
// still open, a plugin executor's state), the worker says so and the parent retires it, so the
// next notebook starts in a fresh process as it would have alone.
import { processInterrupts, registerKernelSource } from "@kernelkit/core";
import { realExit } from "@kernelkit/executor-default";
import { builtinNames } from "./builtins.ts";
import { EXIT } from "./cli-error.ts";
import type { RunOptions } from "./commands/run.ts";
import { mayLoadModules } from "./module-imports.ts";

registerKernelSource(new URL("../", import.meta.url).href);

/** The parent's request: one notebook, with the batch's `run` options. */
export interface BatchJob {
  type: "run";
  path: string;
  options: RunOptions;
}

/** The worker's answer: what `run --json` printed, its exit code, and whether to retire. */
export interface BatchJobDone {
  type: "done";
  stdout: string;
  stderr: string;
  exitCode: number;
  retire: boolean;
}

/** Executors whose every kernel starts from nothing (a fresh vm context, a fresh Python): the built-ins. */
const FRESH_PER_KERNEL = new Set(builtinNames("executor"));
/** Past this heap a worker retires: a fresh process is cheaper than a long GC tail. */
const HEAP_LIMIT = 512 * 1024 * 1024;

// The interrupt threads start with the first subscriber and stop with the last; held for the
// worker's life, they start once instead of once per notebook. A SIGINT while no notebook runs
// reaches only this no-op listener.
processInterrupts().subscribe(() => {});

const baseCwd = process.cwd();
const baseEnv = { ...process.env };

function restoreEnv(): void {
  for (const key of Object.keys(process.env)) if (!(key in baseEnv)) delete process.env[key];
  for (const [key, value] of Object.entries(baseEnv))
    if (process.env[key] !== value) process.env[key] = value;
}

/** Handles and requests keeping the event loop alive, by kind (Timeout, TCPServerWrap, …). */
function openResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function grew(before: Map<string, number>, after: Map<string, number>): boolean {
  for (const [kind, n] of after) if (n > (before.get(kind) ?? 0)) return true;
  return false;
}

const LISTENED = [
  "exit",
  "beforeExit",
  "uncaughtException",
  "unhandledRejection",
  "warning",
  "SIGINT",
  "SIGTERM",
];

function listenersNow(): Map<string, Set<unknown>> {
  return new Map(LISTENED.map((event) => [event, new Set<unknown>(process.listeners(event as "exit"))]));
}

async function runJob(job: BatchJob): Promise<BatchJobDone> {
  let stdout = "";
  let stderr = "";
  const io = {
    out: (text: string | Uint8Array) => {
      stdout +=
        typeof text === "string"
          ? text
          : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString("utf8");
      return true;
    },
    err: (text: string) => {
      stderr += text;
      return true;
    },
  };
  process.chdir(baseCwd);
  const listeners = listenersNow();
  const resources = openResources();
  let exitCode: number;
  let executor: string | null = null;
  let loadsModules = false;
  try {
    const { runCommand } = await import("./commands/run.ts");
    exitCode = await runCommand(job.path, { ...job.options, json: true }, io, (kernel) => {
      executor = kernel.executor.name;
      // Python cells import in the kernel's own Python process, which ends with the kernel.
      loadsModules =
        executor !== "python" && kernel.cells().some((cell) => cell.isCode && mayLoadModules(cell.code));
    });
  } catch (error) {
    io.err(`kernelkit: internal error: ${(error as Error)?.stack ?? error}\n`);
    exitCode = EXIT.usage;
  }
  // Let the kernel's last callbacks (a closed pipe, a cleared timer) settle before looking.
  await new Promise((resolve) => setTimeout(resolve, 0));
  process.chdir(baseCwd);
  restoreEnv();
  process.exitCode = undefined;
  for (const [event, before] of listeners) {
    for (const fn of process.listeners(event as "exit"))
      if (!before.has(fn)) process.off(event, fn as (...args: unknown[]) => void);
  }
  const retire =
    executor === null ||
    !FRESH_PER_KERNEL.has(executor) ||
    loadsModules ||
    grew(resources, openResources()) ||
    process.memoryUsage().heapUsed > HEAP_LIMIT;
  return { type: "done", stdout, stderr, exitCode, retire };
}

let queue = Promise.resolve();
process.on("message", (message: BatchJob) => {
  if (message?.type !== "run") return;
  queue = queue.then(async () => {
    const done = await runJob(message);
    process.send?.(done);
  });
});
// The parent went away (the batch ended, or it died): nothing more will come.
process.on("disconnect", () => realExit(0));
process.send?.({ type: "ready" });
