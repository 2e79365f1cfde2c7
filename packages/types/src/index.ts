export type { TypeCheckInput, TypeCheckOptions, TypeCheckResult } from "./check-types.ts";
export { checkNotebookTypes } from "./check-types.ts";
export type { TypesConfig } from "./compiler-options.ts";
export type { CompilerBundle } from "./load-compiler.ts";
export { loadCompiler } from "./load-compiler.ts";
export type { NotebookShape, ProgramOptions, TypeCell, TypeDiagnostic } from "./notebook-program.ts";
export { NotebookProgram } from "./notebook-program.ts";
export type { TypesServiceOptions } from "./types-service.ts";
export { createTypesService, TypesService } from "./types-service.ts";
