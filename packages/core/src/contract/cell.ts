// What a cell is to a plugin: its id, language, analysis and runnable form.

/** A notebook's language: built-in ones, or any a plugin declares. */
export type Language = "javascript" | "python" | (string & {});
export type CellType = "code" | "markdown" | "raw";

export type CellId = string;

/** A cell ready to run: its code, where it came from, and its analysis. */
export interface CompiledCell {
  readonly id: CellId;
  readonly name: string | null;
  readonly code: string;
  readonly language: Language;
  /** Absolute path of the notebook file, or null for scratch code (`execute`). */
  readonly path: string | null;
  /** 1-based line of the cell's first line in the notebook file (1 for scratch code). */
  readonly line: number;
  readonly defs: readonly string[];
  readonly refs: readonly string[];
  /** JS/TS cells only: the runnable rewrite produced by core's analysis. */
  readonly js?: CompiledJs | null;
  /** For scratch executions: the execution count, used to label tracebacks. */
  readonly executionCount?: number;
}

/** A static problem in a cell, positioned in the cell's own lines (1-based). */
export interface CellStaticError {
  /** "SyntaxError", or the language's own name for another static problem. */
  name: string;
  /** KK_SYNTAX, or another code (KK_UNSUPPORTED_MAGIC for an IPython magic kernelkit does not run). */
  code: string;
  message: string;
  line: number;
  column: number;
}

/** What analysis tells about a cell: the contract every language's analyzer fulfils. */
export interface CellAnalysis {
  /** Names the cell binds at top level and shares (private `_names` excluded). */
  defs: string[];
  /** Free names the cell reads that another cell or an input must provide (context globals excluded). */
  refs: string[];
  /** Context globals the cell reads; they become edges only when some cell defines them. */
  globalRefs?: string[];
  /** Free names the cell assigns to (a KK_REASSIGN error when another cell defines one of them). */
  writes?: string[];
  /** A syntax error, when the cell cannot run. */
  error?: CellStaticError | null;
  /**
   * Python `from m import *` statements (1-based cell lines): the names they bind are known only
   * when they run, so reactive mode reports KK_STAR_IMPORT (docs/python.md).
   */
  starImports?: { module: string; line: number }[];
}

/** The runnable form of a JS/TS cell. */
export interface CompiledJs {
  /**
   * A script that calls an async function with the context global `__kk_slot` (a `CellSlot`
   * the executor provides, see `newCellSlot`) and fills it. A cell that never awaits has
   * filled the slot when the script returns; otherwise the script's completion value is a
   * promise of it. Line 1 is a prefix; the cell's code starts on line 2.
   */
  source: string;
  /** Source map (v3, from type stripping) of the body against the cell's own code, or null for JS. */
  map: { mappings: string; names: string[]; sources: string[]; version: number } | null;
  /** Where `__kk_o.value = (` was inserted (body line, 0-based column), to correct columns on that line. */
  exprInsert: { line: number; column: number; length: number } | null;
  /** Number of lines of the body (script lines 2 … bodyLines + 1); later lines are the wrapper's. */
  bodyLines: number;
}

/**
 * Where a JS cell's rewrite (`CompiledJs.source`) leaves what the cell did. The field names are
 * part of every rewritten cell's code, and of the plugin API: executors outside this repository
 * fill and read them too.
 */
export interface CellSlot {
  /** The last expression statement's value (undefined: no output). */
  value: unknown;
  /** The cell's defs by name, once the body finished. */
  defs: Record<string, unknown> | undefined;
  /** What the body threw (when `done` is 2). */
  error: unknown;
  /** 0 still running (the script's completion value is then a promise of the slot), 1 finished, 2 threw. */
  done: 0 | 1 | 2;
}

/** A fresh slot for one execution of a `CompiledJs` (set it as the context's `__kk_slot`). */
export function newCellSlot(): CellSlot {
  return { value: undefined, defs: undefined, error: undefined, done: 0 };
}
