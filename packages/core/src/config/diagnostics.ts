// Every message about config files, in one place: coded, one line, with a hint.
import { KernelkitError } from "../contract/errors.ts";
import type { KernelWarning } from "../contract/plugin.ts";

/** One validation problem: where, what was expected, what was found. */
export interface ConfigProblem {
  path: string;
  expected: string;
  got: string;
}

/** KK_CONFIG_INVALID carries the problems for programmatic use (`error.problems`). */
export class ConfigError extends KernelkitError {
  constructor(
    message: string,
    readonly problems: readonly ConfigProblem[],
    hint: string,
    cause?: unknown,
  ) {
    super("KK_CONFIG_INVALID", message, { hint, cause });
    this.name = "ConfigError";
  }
}

export const configDiagnostics = {
  invalid: (where: string, problems: readonly ConfigProblem[]) =>
    new ConfigError(
      `invalid config ${where}: ${problems.length} problem${problems.length === 1 ? "" : "s"}: ${problems
        .map((p) => `${p.path}: expected ${p.expected}, got ${p.got}`)
        .join("; ")}`,
      problems,
      "Fix the listed keys; kernelkit.schema.json in @kernelkit/core gives editors completion and checks.",
    ),
  unreadable: (where: string, cause: unknown) =>
    new ConfigError(
      `cannot load config ${where}: ${String((cause as Error)?.message ?? cause).split("\n")[0]}`,
      [],
      "Fix the file's syntax, or point --config at another file.",
      cause,
    ),
  noDefaultExport: (where: string) =>
    new ConfigError(
      `config ${where} has no default export`,
      [{ path: "(config)", expected: "a default export (export default defineConfig({...}))", got: "none" }],
      "Add `export default defineConfig({ ... })`.",
    ),
  notFound: (path: string) =>
    new KernelkitError("KK_CONFIG_NOT_FOUND", `config file not found: ${path}`, {
      hint: "Check the path given to --config.",
    }),
  unknownKey: (key: string, where: string, suggestion: string): KernelWarning => ({
    code: "KK_CONFIG_UNKNOWN_KEY",
    message: `unknown key '${key}' in config ${where}${suggestion}; ignored`,
  }),
};
