// `kernelkit jupyter install|list|uninstall`: kernelspecs that make every kernelkit kernel a
// Jupyter kernel (docs/jupyter.md). Paths in kernel.json are absolute, so a spec works from any
// working directory; installing again replaces the folder.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KernelkitError, VERSION } from "@kernelkit/core";
import { originalWrite } from "@kernelkit/executor-default";
import { EXIT, reportStartupError } from "../cli-error.ts";
import { logoPng } from "../logo.ts";

export const KERNEL_LANGUAGES = ["javascript", "typescript", "python"] as const;
type KernelLanguage = (typeof KERNEL_LANGUAGES)[number];

const DISPLAY: Record<KernelLanguage, string> = {
  javascript: "JavaScript (kernelkit)",
  typescript: "TypeScript (kernelkit)",
  python: "Python (kernelkit)",
};

export interface InstallOptions {
  user?: boolean;
  prefix?: string;
  sysPrefix?: boolean;
  language?: string[];
  name?: string;
  displayName?: string;
  config?: string;
}

/** The sys.prefix of the Python on PATH (the one `jupyter` usually runs on). */
function sysPrefix(): string {
  for (const python of ["python3", "python"]) {
    try {
      return execFileSync(python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
    } catch {
      // try the next name
    }
  }
  throw new KernelkitError("KK_USAGE", "--sys-prefix needs a Python on PATH", {
    hint: "Use --prefix DIR with your environment's prefix, or --user.",
  });
}

/** Where kernelspecs go: `<data dir>/kernels`. */
export function kernelsDir(options: { prefix?: string; sysPrefix?: boolean }): string {
  if (options.prefix !== undefined) return join(resolve(options.prefix), "share", "jupyter", "kernels");
  if (options.sysPrefix) return join(sysPrefix(), "share", "jupyter", "kernels");
  const data = process.env.JUPYTER_DATA_DIR || join(homedir(), ".local", "share", "jupyter");
  return join(resolve(data), "kernels");
}

/** runner/dist/cli.js of this installation. */
function cliEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, "utf8")).name === "kernelkit") return join(dir, "dist", "cli.js");
      } catch {
        // keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return resolve(process.argv[1] ?? "cli.js");
}

export function kernelJson(language: KernelLanguage, displayName: string, config: string | null) {
  const argv = [
    process.execPath,
    cliEntry(),
    "serve",
    "--transport",
    "jupyter",
    "--connection-file",
    "{connection_file}",
    "--language",
    language,
  ];
  if (config) argv.push("--config", config);
  return {
    argv,
    display_name: displayName,
    language,
    interrupt_mode: "message",
    env: {},
    metadata: { kernelkit: { version: VERSION, config }, debugger: false },
  };
}

export async function jupyterInstall(options: InstallOptions): Promise<number> {
  const err = originalWrite("stderr");
  const out = originalWrite("stdout");
  try {
    const languages = (options.language?.length ? options.language : [...KERNEL_LANGUAGES]) as string[];
    for (const l of languages) {
      if (!(KERNEL_LANGUAGES as readonly string[]).includes(l)) {
        throw new KernelkitError("KK_USAGE", `unknown --language '${l}'`, {
          hint: `Use ${KERNEL_LANGUAGES.join(", ")}.`,
        });
      }
    }
    const unique = [...new Set(languages)] as KernelLanguage[];
    if ((options.name !== undefined || options.displayName !== undefined) && unique.length !== 1) {
      throw new KernelkitError("KK_USAGE", "--name and --display-name name one kernelspec", {
        hint: "Add exactly one --language with them.",
      });
    }
    if (
      [options.prefix !== undefined, options.sysPrefix === true, options.user === true].filter(Boolean)
        .length > 1
    ) {
      throw new KernelkitError("KK_USAGE", "--user, --prefix and --sys-prefix exclude each other", {
        hint: "Pick one place to install.",
      });
    }
    if (options.name !== undefined && !/^[a-zA-Z0-9._-]+$/.test(options.name)) {
      throw new KernelkitError(
        "KK_USAGE",
        `kernelspec name '${options.name}' has characters Jupyter does not allow`,
        {
          hint: "Use letters, digits, '.', '_' and '-'.",
        },
      );
    }
    let config: string | null = null;
    if (options.config !== undefined) {
      config = resolve(options.config);
      if (!existsSync(config) || !statSync(config).isFile()) {
        throw new KernelkitError("KK_CONFIG_NOT_FOUND", `config file ${config} does not exist`, {
          hint: "Pass the path of a kernelkit config file (kernelkit.config.ts, .json, …).",
        });
      }
    }
    const dir = kernelsDir(options);
    for (const language of unique) {
      const name = options.name ?? `kernelkit-${language}`;
      const target = join(dir, name);
      rmSync(target, { recursive: true, force: true });
      mkdirSync(target, { recursive: true });
      const spec = kernelJson(language, options.displayName ?? DISPLAY[language], config);
      writeFileSync(join(target, "kernel.json"), `${JSON.stringify(spec, null, 2)}\n`);
      writeFileSync(join(target, "logo-32x32.png"), logoPng(32));
      writeFileSync(join(target, "logo-64x64.png"), logoPng(64));
      out(`installed kernelspec ${name} in ${target}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    return reportStartupError(error, false, err, err);
  }
}

/** Every folder Jupyter looks in for kernelspecs, in its order. */
function searchDirs(): string[] {
  const dirs: string[] = [];
  for (const p of (process.env.JUPYTER_PATH ?? "").split(delimiter))
    if (p) dirs.push(join(resolve(p), "kernels"));
  dirs.push(kernelsDir({}));
  dirs.push("/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels");
  return [...new Set(dirs)];
}

export async function jupyterList(options: { json?: boolean }): Promise<number> {
  const out = originalWrite("stdout");
  const seen = new Set<string>();
  const specs: { name: string; path: string; displayName: string; language: string; kernelkit: boolean }[] =
    [];
  for (const dir of searchDirs()) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (seen.has(name)) continue;
      const file = join(dir, name, "kernel.json");
      try {
        const spec = JSON.parse(readFileSync(file, "utf8")) as {
          display_name?: string;
          language?: string;
          metadata?: { kernelkit?: unknown };
        };
        seen.add(name);
        specs.push({
          name,
          path: join(dir, name),
          displayName: spec.display_name ?? name,
          language: spec.language ?? "",
          kernelkit: spec.metadata?.kernelkit !== undefined,
        });
      } catch {
        // not a kernelspec folder
      }
    }
  }
  if (options.json) out(`${JSON.stringify({ schemaVersion: 1, kernelspecs: specs })}\n`);
  else {
    if (specs.length === 0)
      out("no kernelspecs found; install kernelkit's with `kernelkit jupyter install`\n");
    const width = Math.max(0, ...specs.map((s) => s.name.length));
    for (const s of specs) {
      out(`${s.kernelkit ? "*" : " "} ${s.name.padEnd(width)}  ${s.displayName.padEnd(24)}  ${s.path}\n`);
    }
  }
  return EXIT.ok;
}

export async function jupyterUninstall(
  names: string[],
  options: { user?: boolean; prefix?: string; sysPrefix?: boolean },
): Promise<number> {
  const err = originalWrite("stderr");
  const out = originalWrite("stdout");
  try {
    const dir = kernelsDir(options);
    for (const name of names) {
      const target = join(dir, name);
      if (!existsSync(join(target, "kernel.json"))) {
        throw new KernelkitError("KK_USAGE", `no kernelspec '${name}' in ${dir}`, {
          hint: "See `kernelkit jupyter list`; pass --prefix or --sys-prefix if it was installed there.",
        });
      }
      rmSync(target, { recursive: true, force: true });
      out(`removed kernelspec ${name} from ${dir}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    return reportStartupError(error, false, err, err);
  }
}
