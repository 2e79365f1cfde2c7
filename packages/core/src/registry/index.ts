// Plugins by name: entry-point discovery from manifests, semver checks, loading and constructing, executor resolution.
export { describePlugin, pluginDiagnostics } from "./diagnostics.ts";
export type {
  Discovery,
  EntryPoint,
  EntryPointStatus,
  PluginFilter,
  PluginGroup,
} from "./entry-points.ts";
export {
  checkApiRange,
  discoverEntryPoints,
  findPackageJson,
  PLUGIN_GROUPS,
  pluginFilter,
} from "./entry-points.ts";
export { enableTypeScriptImports, importFile } from "./import-module.ts";
export type { DeclaredLanguages, LanguageConflict, LanguageProblem } from "./languages.ts";
export {
  languagesOf,
  languageTable,
  notebookExtensionsWith,
  notebookKindWith,
  settleLanguages,
} from "./languages.ts";
export type {
  BuiltinLoader,
  ExecutorResolution,
  PluginRef,
  RegisterOptions,
  RegistryOptions,
  SchedulerSpec,
} from "./registry.ts";
export { BUILTIN_NAMES, PluginRegistry, shapeProblem } from "./registry.ts";
