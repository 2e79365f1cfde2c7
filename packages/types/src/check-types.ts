// `kernelkit check --types`: every code cell of a notebook type-checked across cells, in this
// thread (a one-shot command has nothing else to do meanwhile).
import type { TypesConfig } from "./compiler-options.ts";
import { loadCompiler } from "./load-compiler.ts";
import { NotebookProgram, type TypeCell, type TypeDiagnostic } from "./notebook-program.ts";

export interface TypeCheckInput {
  /** Absolute path of the notebook file, or null. */
  path: string | null;
  cwd?: string;
  typescript: boolean;
  cells: readonly (TypeCell & { type?: string })[];
}

export interface TypeCheckResult {
  /** Cell id → its type errors (notebook lines); every code cell has an entry. */
  cells: Map<string, TypeDiagnostic[]>;
  /** Problems of the setup (tsconfig, lib): coded KK_TYPES_*, reported once. */
  problems: TypeDiagnostic[];
}

export interface TypeCheckOptions {
  config?: TypesConfig | undefined;
  mode?: "reactive" | "sequential" | undefined;
}

export function checkNotebookTypes(input: TypeCheckInput, options: TypeCheckOptions = {}): TypeCheckResult {
  const program = new NotebookProgram(
    loadCompiler(),
    { path: input.path, cwd: input.cwd ?? process.cwd(), typescript: input.typescript },
    { config: options.config, mode: options.mode },
  );
  program.setCells(input.cells.filter((c) => c.type === undefined || c.type === "code"));
  return { cells: program.check(), problems: program.configProblems };
}
