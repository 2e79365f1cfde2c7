// Every message the plugin registry can show, in one place (rollup's logs.ts style): each
// factory returns a coded KernelkitError with a hint that says what to do.
import { KernelkitError } from "../contract/errors.ts";
import type { OptionIssue } from "../contract/options-schema.ts";
import { API_VERSION } from "../contract/version.ts";
import type { EntryPoint, PluginGroup } from "./entry-points.ts";

/** "executor 'gpu' (kernelkit-executor-gpu@1.2.0)" — how every message names a plugin. */
export function describePlugin(group: PluginGroup, name: string, entry?: EntryPoint | null): string {
  const pkg = entry?.package ? ` (${entry.package}${entry.version ? `@${entry.version}` : ""})` : "";
  return `${group} '${name}'${pkg}`;
}

function message(error: unknown): string {
  const m = (error as { message?: unknown })?.message;
  const text = typeof m === "string" ? m : String(error);
  // One line: the first line of the reason is enough to say what went wrong.
  return text.split("\n")[0]!.trim();
}

export const pluginDiagnostics = {
  notFound: (group: PluginGroup, name: string, known: readonly string[]) =>
    new KernelkitError("KK_PLUGIN_NOT_FOUND", `no ${group} named '${name}'`, {
      hint:
        known.length > 0
          ? `Available ${group}s: ${known.join(", ")}. A path must start with '.' or '/'.`
          : `Install a package whose package.json "kernelkit" field lists a ${group}, or give a path starting with '.' or '/'.`,
    }),
  pathNotFound: (group: PluginGroup, spec: string, file: string) =>
    new KernelkitError(
      "KK_PLUGIN_NOT_FOUND",
      `${group} path '${spec}' does not exist (resolved to ${file})`,
      {
        hint: "Paths in a config file are relative to its folder; paths in flags to the current directory.",
      },
    ),
  builtinMissing: (group: PluginGroup, name: string, pkg: string, cause: unknown) =>
    new KernelkitError(
      "KK_PLUGIN_NOT_FOUND",
      `built-in ${group} '${name}' is not available: ${pkg} could not be loaded (${message(cause)})`,
      { cause, hint: `Install ${pkg} next to kernelkit.` },
    ),
  ambiguous: (group: PluginGroup, name: string, packages: readonly string[]) =>
    new KernelkitError(
      "KK_PLUGIN_AMBIGUOUS",
      `${group} name '${name}' is provided by more than one package: ${packages.join(", ")}`,
      {
        hint: "Name the plugin by its file path instead (e.g. ./node_modules/<package>/<entry>), or remove one of the packages.",
      },
    ),
  packageAmbiguous: (group: PluginGroup, pkg: string, names: readonly string[]) =>
    new KernelkitError(
      "KK_PLUGIN_AMBIGUOUS",
      `package '${pkg}' has ${names.length} ${group} entry points (${names.join(", ")}); name one of them`,
      { hint: `Use one of the entry-point names: ${names.join(", ")}.` },
    ),
  denied: (group: PluginGroup, name: string, why: string) =>
    new KernelkitError("KK_PLUGIN_DENIED", `${group} '${name}' is ${why}`, {
      hint: "Change KERNELKIT_PLUGINS_ALLOW / KERNELKIT_PLUGINS_DENY (comma lists of entry-point names; deny wins).",
    }),
  incompatible: (group: PluginGroup, name: string, entry: EntryPoint) =>
    new KernelkitError("KK_PLUGIN_INCOMPATIBLE", `${describePlugin(group, name, entry)} ${entry.reason}`, {
      hint: `Install a version of ${entry.package ?? "the plugin"} built for kernelkit's plugin API ${API_VERSION}.`,
    }),
  load: (group: PluginGroup, name: string, entry: EntryPoint | null, cause: unknown) =>
    new KernelkitError(
      "KK_PLUGIN_LOAD",
      `${describePlugin(group, name, entry)} failed to load: ${message(cause)}`,
      { cause, hint: "Importing the plugin's module threw; fix the module or remove the plugin." },
    ),
  construct: (group: PluginGroup, name: string, entry: EntryPoint | null, cause: unknown) =>
    new KernelkitError(
      "KK_PLUGIN_CONSTRUCT",
      `${describePlugin(group, name, entry)} failed to construct: ${message(cause)}`,
      { cause, hint: "The plugin's factory threw; check the options given to it." },
    ),
  shape: (group: PluginGroup, name: string, entry: EntryPoint | null, what: string) =>
    new KernelkitError("KK_PLUGIN_SHAPE", `${describePlugin(group, name, entry)} ${what}`, {
      hint: `A plugin module default-exports the ${group} object or a factory (options, ctx) => ${group}.`,
    }),
  options: (group: PluginGroup, name: string, entry: EntryPoint | null, issues: readonly OptionIssue[]) =>
    new KernelkitError(
      "KK_PLUGIN_OPTIONS",
      `${describePlugin(group, name, entry)} has invalid options: ${issues
        .map((i) => `${i.path}: ${i.message} (given ${i.given})`)
        .join("; ")}`,
      {
        hint: `Fix the ${group}'s options in the config (or flags); its module's optionsSchema says what each option takes.`,
      },
    ),
  language: (name: string, serves: string, language: string, candidates: readonly string[]) =>
    new KernelkitError(
      "KK_PLUGIN_LANGUAGE",
      `executor '${name}' runs ${serves} cells, but this notebook's cells are ${language}`,
      {
        hint:
          candidates.length > 0
            ? `Executors serving ${language}: ${candidates.join(", ")}; name one with --executor, or leave --executor (and the config's executor) out to pick one automatically.`
            : `No installed executor serves ${language}: install a package whose manifest lists an executor for ${language}, or leave --executor out for a built-in language.`,
      },
    ),
  noExecutor: (language: string, packages: readonly string[]) =>
    new KernelkitError("KK_NO_EXECUTOR", `no executor serves ${language} cells`, {
      hint:
        packages.length > 0
          ? `Packages that could serve ${language}: ${packages.join(", ")}. Fix or allow one of them (see \`kernelkit plugins\`), or name an executor with --executor.`
          : `No installed package declares an executor for ${language}: add one to package.json's dependencies (its manifest lists "languages": ["${language}"]), or name one with --executor.`,
    }),
  requires: (lifecycle: string, capability: string, executor: string) =>
    new KernelkitError(
      "KK_PLUGIN_REQUIRES",
      `lifecycle '${lifecycle}' requires '${capability}', which executor '${executor}' does not provide`,
      {
        hint: `Use an executor that provides '${capability}' (the built-in 'default' does), or drop '${lifecycle}'.`,
      },
    ),
};
