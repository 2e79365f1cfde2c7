// Throwaway projects for plugin tests: a temp folder with a package.json whose dependencies are
// fake installed packages (node_modules/<name>/package.json with a "kernelkit" manifest, and
// their modules).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { project, tempDir } from "./cli.ts";

export interface FakePackage {
  version?: string;
  /** The manifest's `api`; omit for "^1.0.0", null to leave it out. */
  api?: string | null;
  /** The manifest's `entryPoints` (group -> name -> path or {path, languages}). */
  entryPoints: Record<string, Record<string, string | { path: string; languages?: string[] }>>;
  /** Files of the package (path inside the package -> content). */
  files: Record<string, string>;
  /** Where it goes: "dependencies" (default) or "devDependencies". */
  dev?: boolean;
  /** The manifest's `languages` field (notebook languages the package declares). */
  languages?: unknown;
}

export interface PluginProject {
  dir: string;
  /** Path of a file in the project. */
  path(rel: string): string;
  /** True when a file exists (e.g. the marker a module writes when it is imported). */
  exists(rel: string): boolean;
}

/** A project with `packages` installed and `files` (notebook, config…) at its root. */
export function pluginProject(
  packages: Record<string, FakePackage>,
  files: Record<string, string> = {},
  extraPackageJson: Record<string, unknown> = {},
): PluginProject {
  const dir = tempDir("kk-plugins-");
  const dependencies: Record<string, string> = {};
  const devDependencies: Record<string, string> = {};
  const all: Record<string, string> = {};
  for (const [name, pkg] of Object.entries(packages)) {
    const version = pkg.version ?? "1.0.0";
    (pkg.dev ? devDependencies : dependencies)[name] = version;
    const manifest: Record<string, unknown> = { entryPoints: pkg.entryPoints };
    if (pkg.languages !== undefined) manifest.languages = pkg.languages;
    if (pkg.api !== null) manifest.api = pkg.api ?? "^1.0.0";
    all[`node_modules/${name}/package.json`] = JSON.stringify({
      name,
      version,
      type: "module",
      kernelkit: manifest,
    });
    for (const [rel, content] of Object.entries(pkg.files)) all[`node_modules/${name}/${rel}`] = content;
  }
  all["package.json"] = JSON.stringify({
    name: "proj",
    private: true,
    dependencies,
    devDependencies,
    ...extraPackageJson,
  });
  project({ ...all, ...files }, dir);
  return { dir, path: (rel) => join(dir, rel), exists: (rel) => existsSync(join(dir, rel)) };
}

/** A module body for a JS executor named `name` whose cells evaluate to "<name>: <code>". */
export function executorModule(
  name: string,
  opts: { sideEffect?: string; factoryThrows?: string } = {},
): string {
  return `${opts.sideEffect ?? ""}
export default function create(options, ctx) {
  ${opts.factoryThrows ? `throw new Error(${JSON.stringify(opts.factoryThrows)});` : ""}
  return {
    name: ${JSON.stringify(name)},
    language: "javascript",
    async execute(cell, ctx) {
      for (const d of cell.defs) ctx.scope.set(d, d);
      return ${JSON.stringify(`${name}: `)} + cell.code.trim();
    },
  };
}
`;
}

/** Top-level code for node_modules/<pkg>/<file>: leaves `marker` in the project when imported. */
export function importMarker(marker: string): string {
  return `import { writeFileSync as __w } from "node:fs"; __w(new URL(${JSON.stringify(`../../${marker}`)}, import.meta.url), "imported");`;
}

export const NOTEBOOK = "// %% one\nconst x = 1\n// %% two\nx + 1\n";
