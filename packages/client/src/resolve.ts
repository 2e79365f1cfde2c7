// Finds the command that starts a kernel: the `kernelkit` package resolved from the cwd, then
// from this package's own location, then a `kernelkit` executable on PATH.
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";

/**
 * V8 flags for a kernel this client launches. A kernel runs for hours and allocates steadily;
 * V8's young generation then grows to 32 MiB (two 16 MiB semi-spaces) that are never given
 * back. Capping each semi-space at 4 MiB kept the RSS of 1M trivial executes at 1.16× the
 * RSS after 10k instead of 1.37×, at the same throughput (bench/soak, docs/decisions.md).
 */
export const KERNEL_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

export interface KernelCommandOptions {
  cwd?: string;
  config?: string;
  notebook?: string;
  /** Another kernel command line speaking docs/protocol.md; a string runs through /bin/sh. */
  command?: string | readonly string[];
}

export interface ResolvedCommand {
  file: string;
  args: string[];
  /** What was found, for messages. */
  description: string;
}

function kernelkitBinFrom(base: string): string | null {
  try {
    const pkgFile = createRequire(base).resolve("kernelkit/package.json");
    const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { bin?: string | Record<string, string> };
    const rel = typeof pkg.bin === "string" ? pkg.bin : (pkg.bin?.kernelkit ?? "bin/kernelkit.js");
    const bin = join(dirname(pkgFile), rel);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** The kernel command for these options, or a reason why there is none. */
export function resolveKernelCommand(
  options: KernelCommandOptions,
): { ok: true; command: ResolvedCommand } | { ok: false; reason: string } {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (!existsSync(cwd)) return { ok: false, reason: `the working directory ${cwd} does not exist` };
  if (options.command !== undefined) {
    if (typeof options.command === "string") {
      if (options.command.trim() === "") return { ok: false, reason: "the kernel command is empty" };
      // `exec` keeps the kernel's pid the one we signal.
      return {
        ok: true,
        command: { file: "/bin/sh", args: ["-c", `exec ${options.command}`], description: options.command },
      };
    }
    const [file, ...args] = options.command;
    if (!file) return { ok: false, reason: "the kernel command is empty" };
    const found = file.includes("/") ? (existsSync(resolve(cwd, file)) ? file : null) : onPath(file);
    if (!found) return { ok: false, reason: `the kernel command '${file}' was not found` };
    return { ok: true, command: { file, args, description: [file, ...args].join(" ") } };
  }
  const serveArgs = ["serve", "--transport", "stdio", "--channel-fd", "3"];
  if (options.config !== undefined) serveArgs.push("--config", options.config);
  if (options.notebook !== undefined)
    serveArgs.push(isAbsolute(options.notebook) ? options.notebook : resolve(cwd, options.notebook));
  const bin = kernelkitBinFrom(join(cwd, "__kernelkit_client__.js")) ?? kernelkitBinFrom(import.meta.url);
  if (bin) {
    return {
      ok: true,
      command: {
        file: process.execPath,
        args: [...KERNEL_NODE_FLAGS, bin, ...serveArgs],
        description: `node ${bin}`,
      },
    };
  }
  const exe = onPath("kernelkit");
  if (exe) return { ok: true, command: { file: exe, args: serveArgs, description: exe } };
  return {
    ok: false,
    reason: `the kernelkit package was not found from ${cwd}, from @kernelkit/client, or on PATH`,
  };
}
