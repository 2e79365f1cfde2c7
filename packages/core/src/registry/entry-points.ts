// Entry-point discovery: the Node counterpart of Python entry points. Reads the project's
// package.json, then the `kernelkit` manifest field of each direct dependency. Imports nothing;
// semver is loaded only when some manifest declares an `api` range.
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { KernelWarning } from "../contract/plugin.ts";
import { API_VERSION } from "../contract/version.ts";
import type { LanguageSpec } from "../notebook/languages.ts";
import { lazyRequire } from "../runtime/module-trap.ts";
import { type DeclaredLanguages, type LanguageProblem, languagesOf, settleLanguages } from "./languages.ts";

export const PLUGIN_GROUPS = ["executor", "lifecycle", "scheduler", "transport", "plugin"] as const;
export type PluginGroup = (typeof PLUGIN_GROUPS)[number];

export type EntryPointStatus = "compatible" | "incompatible" | "denied";

/** One plugin a package (or a programmatic registration) advertises. */
export interface EntryPoint {
  readonly group: PluginGroup;
  readonly name: string;
  /** The package that declares it; null for programmatic registrations. */
  readonly package: string | null;
  readonly version: string | null;
  /** The manifest's `api` range, checked against API_VERSION before anything is imported. */
  readonly api: string | null;
  /** Executors only: the notebook languages served (default ["javascript"]). */
  readonly languages: readonly string[] | null;
  /** Absolute path of the module; null for programmatic registrations. */
  readonly path: string | null;
  readonly status: EntryPointStatus;
  /** Why it is incompatible or denied; null when compatible. */
  readonly reason: string | null;
  /** Programmatic registrations: returns the module's default export (or the plugin itself). */
  readonly load?: (() => unknown) | undefined;
}

export interface Discovery {
  /** The package.json whose dependencies were read, or null when none was found. */
  readonly packageJson: string | null;
  readonly entryPoints: EntryPoint[];
  /** Malformed manifests and similar: reported as warnings, never fatal. */
  readonly warnings: KernelWarning[];
  /** Notebook languages the packages declare (`kernelkit.languages`). */
  readonly languages?: DeclaredLanguages;
}

/** The nearest package.json at or above `from`, or null. */
export function findPackageJson(from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

// ---- KERNELKIT_PLUGINS_ALLOW / KERNELKIT_PLUGINS_DENY ----

export interface PluginFilter {
  /** null when the name may be used, else why not. */
  check(name: string, pkg: string | null): string | null;
}

function list(value: string | undefined): Set<string> | null {
  if (value === undefined) return null;
  const names = value
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  return names.length > 0 ? new Set(names) : null;
}

/** Comma lists, case-insensitive; deny wins. A package name matches all of its entry points. */
export function pluginFilter(env: NodeJS.ProcessEnv = process.env): PluginFilter {
  const allow = list(env.KERNELKIT_PLUGINS_ALLOW);
  const deny = list(env.KERNELKIT_PLUGINS_DENY);
  return {
    check(name, pkg) {
      const n = name.toLowerCase();
      const p = pkg?.toLowerCase() ?? null;
      if (deny && (deny.has(n) || (p !== null && deny.has(p)))) return "denied by KERNELKIT_PLUGINS_DENY";
      if (allow && !allow.has(n) && !(p !== null && allow.has(p))) return "not in KERNELKIT_PLUGINS_ALLOW";
      return null;
    },
  };
}

// ---- the api range ----

type Semver = {
  satisfies(version: string, range: string): boolean;
  validRange(range: string): string | null;
};
let semver: Semver | null = null;
function loadSemver(): Semver {
  if (!semver) {
    const require = lazyRequire(import.meta.url);
    semver = {
      satisfies: require("semver/functions/satisfies") as Semver["satisfies"],
      validRange: require("semver/ranges/valid") as Semver["validRange"],
    };
  }
  return semver;
}

/** null when `api` admits API_VERSION, else the reason (with both versions). */
export function checkApiRange(api: unknown): string | null {
  if (api === undefined || api === null) return null;
  if (typeof api !== "string" || api.trim() === "")
    return `declares api ${JSON.stringify(api)}, which is not a semver range (kernelkit's plugin API is ${API_VERSION})`;
  const s = loadSemver();
  if (s.validRange(api) === null)
    return `declares api '${api}', which is not a valid semver range (kernelkit's plugin API is ${API_VERSION})`;
  if (!s.satisfies(API_VERSION, api))
    return `requires plugin API ${api}, but kernelkit provides ${API_VERSION}`;
  return null;
}

// ---- manifests ----

interface PackageInfo {
  name: string;
  version: string | null;
  dir: string;
  manifest: unknown;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** Finds an installed package the way Node does: node_modules folders from `from` upward. */
function findInstalled(name: string, from: string): string | null {
  let dir = from;
  for (;;) {
    const candidate = join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Turns one package's manifest into entry points; problems become warnings. */
export function entryPointsOf(
  pkg: PackageInfo,
  filter: PluginFilter,
  warnings: KernelWarning[],
): EntryPoint[] {
  const where = `package '${pkg.name}'`;
  const problem = (text: string) =>
    warnings.push({ code: "KK_PLUGIN_MANIFEST", message: `${where}: ${text}; ignored` });
  const m = pkg.manifest;
  if (typeof m !== "object" || m === null || Array.isArray(m)) {
    problem(`its package.json "kernelkit" field must be an object`);
    return [];
  }
  const { api, entryPoints, languages } = m as { api?: unknown; entryPoints?: unknown; languages?: unknown };
  // A package may only declare languages (its executor can come from another package).
  if (entryPoints === undefined && languages !== undefined) return [];
  if (typeof entryPoints !== "object" || entryPoints === null || Array.isArray(entryPoints)) {
    problem(`"kernelkit.entryPoints" must be an object of groups (${PLUGIN_GROUPS.join(", ")})`);
    return [];
  }
  const incompatible = checkApiRange(api);
  const out: EntryPoint[] = [];
  for (const [group, entries] of Object.entries(entryPoints as Record<string, unknown>)) {
    if (!(PLUGIN_GROUPS as readonly string[]).includes(group)) {
      problem(`unknown entry-point group '${group}' (groups: ${PLUGIN_GROUPS.join(", ")})`);
      continue;
    }
    if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
      problem(`"kernelkit.entryPoints.${group}" must be an object of name -> path`);
      continue;
    }
    for (const [name, entry] of Object.entries(entries as Record<string, unknown>)) {
      let path: unknown = entry;
      let languages: unknown;
      if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) {
        path = (entry as { path?: unknown }).path;
        languages = (entry as { languages?: unknown }).languages;
      }
      if (typeof path !== "string" || path === "" || isAbsolute(path)) {
        problem(`entry point ${group} '${name}' must be a relative path or { path, languages }`);
        continue;
      }
      if (
        languages !== undefined &&
        (!Array.isArray(languages) || !languages.every((l) => typeof l === "string"))
      ) {
        problem(`entry point ${group} '${name}': "languages" must be an array of strings`);
        continue;
      }
      const denied = filter.check(name, pkg.name);
      out.push({
        group: group as PluginGroup,
        name,
        package: pkg.name,
        version: pkg.version,
        api: typeof api === "string" ? api : api === undefined ? null : String(api),
        languages: group === "executor" ? ((languages as string[] | undefined) ?? ["javascript"]) : null,
        path: resolve(pkg.dir, path),
        // A denied plugin is out of the way entirely: no warning about its api either.
        status: denied ? "denied" : incompatible ? "incompatible" : "compatible",
        reason: denied ?? incompatible,
      });
    }
  }
  return out;
}

/**
 * Reads the direct dependencies and devDependencies of the package.json nearest `from` and
 * collects their manifests' entry points. Never imports a plugin.
 */
export function discoverEntryPoints(from: string, env: NodeJS.ProcessEnv = process.env): Discovery {
  const packageJson = findPackageJson(from);
  const warnings: KernelWarning[] = [];
  if (!packageJson)
    return { packageJson: null, entryPoints: [], warnings, languages: settleLanguages([], []) };
  let project: { dependencies?: unknown; devDependencies?: unknown };
  try {
    project = readJson(packageJson) as typeof project;
  } catch (error) {
    warnings.push({
      code: "KK_PLUGIN_MANIFEST",
      message: `cannot read ${packageJson}: ${(error as Error).message}; no plugins discovered`,
    });
    return { packageJson, entryPoints: [], warnings, languages: settleLanguages([], []) };
  }
  const names = new Set<string>();
  for (const deps of [project?.dependencies, project?.devDependencies]) {
    if (deps && typeof deps === "object") for (const n of Object.keys(deps)) names.add(n);
  }
  const filter = pluginFilter(env);
  const projectDir = dirname(packageJson);
  const entryPoints: EntryPoint[] = [];
  const declared: LanguageSpec[] = [];
  const problems: LanguageProblem[] = [];
  for (const name of names) {
    const file = findInstalled(name, projectDir);
    if (!file) continue;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    // Most dependencies are not plugins: skip parsing those.
    if (!text.includes('"kernelkit"')) continue;
    let pkg: { name?: unknown; version?: unknown; kernelkit?: unknown };
    try {
      pkg = JSON.parse(text);
    } catch (error) {
      warnings.push({
        code: "KK_PLUGIN_MANIFEST",
        message: `package '${name}': its package.json is not valid JSON (${(error as Error).message}); ignored`,
      });
      continue;
    }
    if (pkg.kernelkit === undefined) continue;
    const pkgName = typeof pkg.name === "string" ? pkg.name : name;
    const manifest = pkg.kernelkit as { languages?: unknown } | null;
    // Languages follow the package: only a deny of the package itself drops them.
    const packageDenied = filter.check(pkgName, pkgName)?.startsWith("denied") === true;
    if (typeof manifest === "object" && manifest !== null && !packageDenied) {
      const found = languagesOf(pkgName, manifest.languages, warnings);
      declared.push(...found.languages);
      problems.push(...found.problems);
    }
    entryPoints.push(
      ...entryPointsOf(
        {
          name: typeof pkg.name === "string" ? pkg.name : name,
          version: typeof pkg.version === "string" ? pkg.version : null,
          dir: dirname(file),
          manifest: pkg.kernelkit,
        },
        filter,
        warnings,
      ),
    );
  }
  return { packageJson, entryPoints, warnings, languages: settleLanguages(declared, problems) };
}
