// The interfaces plugins implement and the types, errors and helpers they see; imports nothing else of core.
export type { SharedJsScope } from "./capabilities.ts";
export { isSharedJsScope, SHARED_JS_SCOPE } from "./capabilities.ts";
export type {
  CellAnalysis,
  CellId,
  CellStaticError,
  CellType,
  CompiledCell,
  CompiledJs,
  Language,
} from "./cell.ts";
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
  LifecycleError,
  MissingRefError,
  MultipleDefinitionError,
  ProcessExitError,
  ReassignError,
} from "./errors.ts";
export type {
  CodeQuery,
  CompleteStatus,
  CompletionMatch,
  CompletionReply,
  InspectReply,
  IsCompleteReply,
  LanguageService,
  ServiceCell,
  ServiceNotebook,
} from "./language-service.ts";
export type { Logger, LogLevel } from "./logger.ts";
export type { MimeBundle } from "./mime.ts";
export { DISPLAY_SYMBOL, isMimeBundle, MIME_BUNDLE_BRAND, mimeBundle } from "./mime.ts";
export type { OptionIssue, StandardSchemaV1 } from "./options-schema.ts";
export { isStandardSchema, validateOptions } from "./options-schema.ts";
export type {
  ExecutionContext,
  ExecutionLifecycle,
  Executor,
  GraphView,
  InterruptOptions,
  KernelPlugin,
  KernelWarning,
  PluginContext,
  RunResult,
  Scheduler,
  SchedulerFactory,
  Scope,
} from "./plugin.ts";
export { isSkip, SKIP_BRAND, Skip } from "./plugin.ts";
export type { Connection, Frame, Transport } from "./transport.ts";
export { API_VERSION, VERSION } from "./version.ts";
