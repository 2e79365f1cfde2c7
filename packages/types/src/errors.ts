// The coded problems of the type checker itself (KK_TYPES_*), each with what to do.
import { KernelkitError } from "@kernelkit/core";

export const typesErrors = {
  tsconfig: (path: string, detail: string) =>
    new KernelkitError("KK_TYPES_TSCONFIG", `tsconfig ${path}: ${detail}`, {
      hint: "Fix the tsconfig.json (or the `types.tsconfig` config key that names it); the notebook is checked with kernelkit's defaults meanwhile.",
    }),
  lib: (detail: string) =>
    new KernelkitError("KK_TYPES_LIB", detail, {
      hint: 'Use lib names TypeScript knows, e.g. `types: { lib: ["es2023", "dom"] }`.',
    }),
  cellTooLarge: (size: number, limit: number) =>
    new KernelkitError(
      "KK_TYPES_CELL_TOO_LARGE",
      `the cell is ${(size / 1048576).toFixed(1)} MB, over the ${(limit / 1048576).toFixed(1)} MB the type checker reads; it is not type-checked and its names are 'any' to other cells`,
      { hint: "Move large data into a file the cell reads, or split the cell." },
    ),
  compilerMissing: (cause: unknown) =>
    new KernelkitError(
      "KK_TYPES_UNAVAILABLE",
      `the TypeScript compiler (ts-morph) could not be loaded: ${(cause as Error)?.message ?? cause}`,
      { cause, hint: "Install @kernelkit/types with its dependencies (npm install @kernelkit/types)." },
    ),
};
