export type { CellAnalysis, CellStaticError, CompiledJs, JsAnalysis } from "./analysis.ts";
export { analyzeJsCell, CELL_FUNCTION_NAME, clearAnalysisCache } from "./analysis.ts";
export type { Task } from "./async.ts";
export {
  cancelAndWait,
  fireAndForget,
  isCancellation,
  liveTaskCount,
  supervisedTask,
  TaskGroup,
} from "./async.ts";
export type { CellRunRecord, CellStatus, ErrorInfo, RunObserver } from "./cell-runner.ts";
export { CellRunner, errorInfo, isInterruptError } from "./cell-runner.ts";
export type { ConfigProblem } from "./config/diagnostics.ts";
export { ConfigError } from "./config/diagnostics.ts";
export type { LoadedConfig } from "./config/load.ts";
export {
  CONFIG_MODULE_NAME,
  CONFIG_PACKAGE_PROP,
  CONFIG_SEARCH_PLACES,
  configCandidateDir,
  loadConfig,
} from "./config/load.ts";
export { configSchemas, normalizeSpec, validateConfig } from "./config/schema.ts";
export type { KernelkitConfig, PluginFactory, PluginSpec } from "./define.ts";
export {
  defineConfig,
  defineExecutor,
  defineLifecycle,
  definePlugin,
  defineScheduler,
  defineTransport,
} from "./define.ts";
export type { ErrorCode } from "./errors.ts";
export {
  CancelledError,
  CellRuntimeError,
  CellSyntaxError,
  CycleError,
  DisabledError,
  describeThrown,
  diagnostics,
  ERROR_BRAND,
  InterruptedError,
  isCellRuntimeError,
  isKernelkitError,
  KernelkitError,
  MissingRefError,
  MultipleDefinitionError,
  ProcessExitError,
  ReassignError,
} from "./errors.ts";
export { Evaluator } from "./evaluator.ts";
export { formatValue, plainText, rich } from "./format.ts";
export { FrameSink, RequestFrames } from "./frame-sink.ts";
export { HOST_GLOBALS, isJsContextGlobal, JS_CONTEXT_GLOBALS, KERNEL_GLOBALS } from "./globals.ts";
export type { GraphCellInput } from "./graph.ts";
export { DataflowGraph } from "./graph.ts";
export type { RequestContext } from "./handlers.ts";
export { CORE_BUNDLES, InvalidRequestError } from "./handlers.ts";
export type { KernelHooks, RunStatus, RunSummary } from "./hooks.ts";
export { callSeries, createHooks, HookError } from "./hooks.ts";
export type { GuardWatch, InterruptEvent, InterruptSource, ProcessInterruptSource } from "./interrupt.ts";
export { processInterrupts } from "./interrupt.ts";
export type { SignalOptions } from "./runtime/interrupt-relay.ts";
export { InterruptRelay, isInterruptRequest } from "./runtime/interrupt-relay.ts";
export type {
  CellInput,
  ExecuteOptions,
  ExecuteOutcome,
  KernelOptions,
  KernelPlugin,
  KernelWarning,
} from "./kernel.ts";
export { CellState, Kernel, MapScope } from "./kernel.ts";
export type { InProcessKernel, MemoryClient, TeardownStepFailure } from "./lifecycle.ts";
export {
  createKernel,
  createMemoryTransport,
  listenMessages,
  startInProcessKernel,
  teardownKernel,
} from "./lifecycle.ts";
export type { Logger, LoggerOptions, LogLevel } from "./logger.ts";
export { createLogger, silentLogger } from "./logger.ts";
export type { CellType, Language, Notebook, NotebookCell, NotebookKind } from "./notebook.ts";
export { contentCellId, NOTEBOOK_EXTENSIONS, notebookKind, parseNotebook } from "./notebook.ts";
export type {
  BaseRequest,
  CellSpec,
  ErrorReplyCode,
  ExecuteRequest,
  ProtocolErrorCode,
  RequestType,
  Validation,
} from "./protocol.ts";
export {
  isTerminalFrame,
  PROTOCOL_VERSION,
  parseMessage,
  REQUEST_TYPES,
  validateRequest,
} from "./protocol.ts";
export type { SharedJsScope } from "./registry/capabilities.ts";
export { isSharedJsScope, SHARED_JS_SCOPE } from "./registry/capabilities.ts";
export { describePlugin, pluginDiagnostics } from "./registry/diagnostics.ts";
export type {
  Discovery,
  EntryPoint,
  EntryPointStatus,
  PluginFilter,
  PluginGroup,
} from "./registry/entry-points.ts";
export {
  checkApiRange,
  discoverEntryPoints,
  findPackageJson,
  PLUGIN_GROUPS,
  pluginFilter,
} from "./registry/entry-points.ts";
export { enableTypeScriptImports, importFile } from "./registry/import-module.ts";
export type {
  BuiltinLoader,
  ExecutorResolution,
  PluginRef,
  RegisterOptions,
  RegistryOptions,
  SchedulerSpec,
} from "./registry/registry.ts";
export { PluginRegistry, shapeProblem } from "./registry/registry.ts";
export type { CallbackBundle, Handler } from "./router.ts";
export { RequestRouter, UnknownCommandError } from "./router.ts";
export { SequentialScheduler } from "./scheduler.ts";
export type { FrameMapper, MappedFrame } from "./traceback.ts";
export { isKernelFrameFile, registerKernelSource, tracebackOf, userTraceback } from "./traceback.ts";
export type {
  CellId,
  CompiledCell,
  Connection,
  ExecutionContext,
  ExecutionLifecycle,
  Executor,
  Frame,
  MimeBundle,
  PluginContext,
  RunResult,
  Scheduler,
  SchedulerFactory,
  Scope,
  Transport,
} from "./types.ts";
export {
  DISPLAY_SYMBOL,
  isMimeBundle,
  isSkip,
  MIME_BUNDLE_BRAND,
  mimeBundle,
  SKIP_BRAND,
  Skip,
} from "./types.ts";
export { API_VERSION, VERSION } from "./version.ts";
