// `@kernelkit/core/internal`: core's own machinery, exported for core's tests and for tools in
// this repository. Not part of the plugin API: it changes without a semver bump of API_VERSION.

export { CONFIG_SEARCH_PLACES, configCandidateDir } from "./config/load.ts";
export { configSchemas, validateConfig } from "./config/schema.ts";
export { CellRunner, errorInfo } from "./execution/cell-runner.ts";
export { callSeries, createHooks } from "./execution/hooks.ts";
export { CellState } from "./kernel/cell-state.ts";
export { clearAnalysisCache } from "./notebook/analysis.ts";
export { checkApiRange, pluginFilter } from "./registry/entry-points.ts";
export { liveTaskCount } from "./runtime/async.ts";
export { RequestFrames } from "./server/frame-sink.ts";
export { CORE_HANDLER_GROUPS, InvalidRequestError } from "./server/handlers.ts";
