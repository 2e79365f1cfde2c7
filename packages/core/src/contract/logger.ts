// The logger every plugin receives (pino's shape); core's runtime/logger.ts implements it.
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
export type LogFn = (objOrMsg: unknown, msg?: string, ...args: unknown[]) => void;

export interface Logger {
  readonly level: LogLevel;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}
