// Finds and loads the kernelkit config with cosmiconfig 9 (module name "kernelkit",
// searchStrategy "project"). A cheap existence check runs first, so a project without a config
// never loads cosmiconfig or the schema library; TypeScript configs load through core's
// type-stripping import hooks, never the TypeScript compiler.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { KernelkitConfig } from "../contract/define.ts";
import { isKernelkitError } from "../contract/errors.ts";
import type { KernelWarning } from "../contract/plugin.ts";
import { importFile } from "../registry/import-module.ts";
import { lazyRequire } from "../runtime/module-trap.ts";
import { configDiagnostics } from "./diagnostics.ts";
import { validateConfig } from "./schema.ts";

export const CONFIG_MODULE_NAME = "kernelkit";
/** Where the config lives in package.json: `kernelkit` itself is the plugin manifest. */
export const CONFIG_PACKAGE_PROP = "kernelkitConfig";

const RC_EXTENSIONS = ["", ".json", ".yaml", ".yml", ".js", ".ts", ".mjs", ".cjs"];
/** PLUGINS.md's search places, in order, in each folder from the notebook's upward. */
export const CONFIG_SEARCH_PLACES: readonly string[] = [
  "package.json",
  ...RC_EXTENSIONS.map((e) => `.kernelkitrc${e}`),
  ...RC_EXTENSIONS.map((e) => `.config/kernelkitrc${e}`),
  ...[".ts", ".mts", ".js", ".mjs", ".cjs", ".json", ".yaml"].map((e) => `kernelkit.config${e}`),
];

export interface LoadedConfig {
  config: KernelkitConfig;
  /** The file it came from (a package.json when it came from `kernelkitConfig`). */
  filepath: string;
  /** Relative plugin paths in the config resolve from here. */
  dir: string;
  /** Unknown keys, with a did-you-mean. */
  warnings: KernelWarning[];
}

const ROOT_NAMES = new Set(CONFIG_SEARCH_PLACES.filter((p) => !p.includes("/")));
const DOT_CONFIG_NAMES = new Set(
  CONFIG_SEARCH_PLACES.filter((p) => p.startsWith(".config/")).map((p) => p.slice(".config/".length)),
);

/** The folder where cosmiconfig's "project" search would find something, or null (a few stat calls per folder). */
export function configCandidateDir(from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, "package.json");
    const hasPkg = existsSync(pkg);
    if (hasPkg) {
      try {
        if (readFileSync(pkg, "utf8").includes(`"${CONFIG_PACKAGE_PROP}"`)) return dir;
      } catch {}
    }
    for (const name of ROOT_NAMES) if (name !== "package.json" && existsSync(join(dir, name))) return dir;
    if (existsSync(join(dir, ".config"))) {
      try {
        if (readdirSync(join(dir, ".config")).some((f) => DOT_CONFIG_NAMES.has(f))) return dir;
      } catch {}
    }
    // "project": the search stops at the first folder holding a package file.
    if (hasPkg || existsSync(join(dir, "package.yaml"))) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

async function loadModule(filepath: string): Promise<unknown> {
  const ns = await importFile(filepath);
  if (!("default" in ns)) throw configDiagnostics.noDefaultExport(filepath);
  return ns.default;
}

type Explorer = {
  search(from?: string): Promise<{ config: unknown; filepath: string; isEmpty?: boolean } | null>;
  load(path: string): Promise<{ config: unknown; filepath: string; isEmpty?: boolean } | null>;
};

function explorer(): Explorer {
  const { cosmiconfig } = lazyRequire(import.meta.url)("cosmiconfig") as {
    cosmiconfig: (name: string, options: Record<string, unknown>) => Explorer;
  };
  const js = (filepath: string) => loadModule(filepath);
  return cosmiconfig(CONFIG_MODULE_NAME, {
    searchStrategy: "project",
    searchPlaces: [...CONFIG_SEARCH_PLACES],
    packageProp: CONFIG_PACKAGE_PROP,
    // cosmiconfig's own .ts loader imports `typescript`; ours strips types with oxc-transform.
    loaders: { ".ts": js, ".mts": js, ".js": js, ".mjs": js, ".cjs": js },
    cache: false,
    // An empty config file is the config (an empty one), not a reason to keep searching upward.
    ignoreEmptySearchPlaces: false,
  });
}

function validate(result: { config: unknown; filepath: string; isEmpty?: boolean }): LoadedConfig {
  const raw = result.isEmpty || result.config === undefined ? {} : result.config;
  const { config, warnings } = validateConfig(raw, result.filepath);
  return { config, filepath: result.filepath, dir: dirname(result.filepath), warnings };
}

function wrap(error: unknown, where: string): unknown {
  if (isKernelkitError(error)) return error;
  return configDiagnostics.unreadable((error as { filepath?: string })?.filepath ?? where, error);
}

/**
 * The config for a notebook: `configPath` (--config) when given, else cosmiconfig's search from
 * `from` upward. Resolves with null when there is none; throws KK_CONFIG_NOT_FOUND or
 * KK_CONFIG_INVALID (every problem listed).
 */
export async function loadConfig(options: {
  from: string;
  configPath?: string | null;
}): Promise<LoadedConfig | null> {
  if (options.configPath) {
    const file = resolve(options.configPath);
    if (!existsSync(file)) throw configDiagnostics.notFound(options.configPath);
    let result: Awaited<ReturnType<Explorer["load"]>>;
    try {
      result = await explorer().load(file);
    } catch (error) {
      throw wrap(error, file);
    }
    return validate(result ?? { config: {}, filepath: file, isEmpty: true });
  }
  if (configCandidateDir(options.from) === null) return null;
  let result: Awaited<ReturnType<Explorer["search"]>>;
  try {
    result = await explorer().search(options.from);
  } catch (error) {
    throw wrap(error, options.from);
  }
  return result ? validate(result) : null;
}
