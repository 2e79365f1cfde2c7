// The kernel object: its cells, scope, executions and the router its commands are dispatched by.
export type { CellInput, ExecuteOptions, ExecuteOutcome, KernelOptions, RunMode } from "./kernel.ts";
export { Kernel, RUN_MODES } from "./kernel.ts";
export { MapScope } from "./map-scope.ts";
export type { Handler, HandlerGroup } from "./router.ts";
export { RequestRouter, UnknownCommandError } from "./router.ts";
export { VmContextScope } from "./vm-context-scope.ts";
