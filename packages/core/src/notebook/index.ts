// What a notebook is before anything runs: files parsed into cells, cell analysis (defs, refs), the dataflow graph.
export type { JsAnalysis } from "./analysis.ts";
export { analyzeJsCell, CELL_FUNCTION_NAME } from "./analysis.ts";
export { HOST_GLOBALS, isJsContextGlobal, JS_CONTEXT_GLOBALS, KERNEL_GLOBALS } from "./globals.ts";
export type { GraphCellInput } from "./graph.ts";
export { DataflowGraph } from "./graph.ts";
export { isCompleteJs } from "./is-complete.ts";
export type { LanguageSpec } from "./languages.ts";
export {
  BUILTIN_LANGUAGE_TABLE,
  BUILTIN_LANGUAGES,
  isBuiltinExtension,
  LanguageTable,
  lineCommentOf,
} from "./languages.ts";
export type { Notebook, NotebookCell, NotebookKind, ParseOptions } from "./notebook.ts";
export { contentCellId, NOTEBOOK_EXTENSIONS, notebookKind, parseNotebook } from "./notebook.ts";
