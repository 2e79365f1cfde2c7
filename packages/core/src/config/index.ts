// The config file: finding and loading it (cosmiconfig), validating it (valibot), its diagnostics.
export type { ConfigProblem } from "./diagnostics.ts";
export { ConfigError } from "./diagnostics.ts";
export type { LoadedConfig } from "./load.ts";
export {
  CONFIG_MODULE_NAME,
  CONFIG_PACKAGE_PROP,
  CONFIG_SEARCH_PLACES,
  configCandidateDir,
  loadConfig,
} from "./load.ts";
export { configSchemas, normalizeSpec, validateConfig } from "./schema.ts";
