// Logging through pino, always to fd 2 (fd 1 may carry the protocol). pino is loaded on
// the first message that passes the level filter, so a quiet run never pays for it.

import type { LogFn, Logger, LogLevel } from "../contract/logger.ts";
import { lazyRequire } from "./module-trap.ts";

const LEVELS: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

export interface LoggerOptions {
  level?: LogLevel;
  /** File descriptor to write to; 2 by default. */
  fd?: number;
  name?: string;
}

type PinoLike = Record<LogLevel, LogFn> & { child(b: Record<string, unknown>): PinoLike };

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? (process.env.KERNELKIT_LOG_LEVEL as LogLevel | undefined) ?? "warn";
  const threshold = LEVELS[level] ?? LEVELS.warn;
  let root: PinoLike | null = null;
  const loadRoot = (): PinoLike => {
    if (!root) {
      const pino = lazyRequire(import.meta.url)("pino") as any;
      root = pino(
        { level: level === "silent" ? "silent" : level, name: options.name ?? "kernelkit" },
        pino.destination({ fd: options.fd ?? 2, sync: true }),
      ) as PinoLike;
    }
    return root;
  };
  const make = (getTarget: () => PinoLike): Logger => {
    const fn =
      (lvl: LogLevel): LogFn =>
      (obj, msg, ...args) => {
        if (LEVELS[lvl] < threshold) return;
        (getTarget()[lvl] as LogFn)(obj, msg, ...args);
      };
    return {
      level,
      trace: fn("trace"),
      debug: fn("debug"),
      info: fn("info"),
      warn: fn("warn"),
      error: fn("error"),
      fatal: fn("fatal"),
      child(bindings) {
        let childTarget: PinoLike | null = null;
        return make(() => {
          childTarget ??= getTarget().child(bindings);
          return childTarget;
        });
      },
    };
  };
  return make(loadRoot);
}

/** A logger that drops everything (tests, embedding). */
export const silentLogger: Logger = createLogger({ level: "silent" });
