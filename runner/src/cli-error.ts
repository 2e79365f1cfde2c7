// Errors that end the command with a code: usage, config and plugin problems exit 2.
import { isKernelkitError } from "@kernelkit/core";

export interface CliErrorShape {
  code: string;
  message: string;
  hint: string | null;
}

/** 141 is what a shell reports for a process ended by SIGPIPE (128 + 13): the reader went away. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, brokenPipe: 141 } as const;

export function toCliError(error: unknown): CliErrorShape {
  if (isKernelkitError(error)) return { code: error.code, message: error.message, hint: error.hint ?? null };
  const e = error as { code?: unknown; message?: unknown };
  return {
    code: typeof e?.code === "string" && e.code.startsWith("KK_") ? e.code : "KK_INTERNAL",
    message: typeof e?.message === "string" ? e.message : String(error),
    hint: null,
  };
}

/** Prints a startup error (one line, plus a hint) and, with --json, the error object; returns exit 2. */
export function reportStartupError(
  error: unknown,
  json: boolean,
  write: (s: string) => void,
  writeErr: (s: string) => void,
): number {
  const e = toCliError(error);
  writeErr(`kernelkit: error ${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}\n`);
  if (json) write(`${JSON.stringify({ schemaVersion: 1, ok: false, error: e, cells: [] })}\n`);
  return EXIT.usage;
}
