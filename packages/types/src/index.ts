export type { TypeCheckInput, TypeCheckOptions, TypeCheckResult } from "./check-types.ts";
export { checkNotebookTypes } from "./check-types.ts";
export type { TypesConfig } from "./compiler-options.ts";
export type { NotebookShape, TypeCell, TypeDiagnostic } from "./notebook-program.ts";
export type { TypesServiceOptions } from "./types-service.ts";
export { createTypesService, TypesService } from "./types-service.ts";
