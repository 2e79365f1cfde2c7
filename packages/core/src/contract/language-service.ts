// The contract of code queries (protocol v1.1 `complete`, `inspect`, `is_complete`): what an
// executor answers from live values and what a static language service answers from types.
// Core only routes and merges; the TypeScript machinery lives in a plugin (docs/types.md).
import type { Language } from "./cell.ts";
import type { MimeBundle } from "./mime.ts";

/** A request about code being edited: `cursorPos` is a UTF-16 index into `code`. */
export interface CodeQuery {
  readonly code: string;
  readonly cursorPos: number;
  /** The cell being edited (its refs get the types their defining cells give them). */
  readonly cellId?: string;
  readonly detailLevel?: 0 | 1;
}

export interface CompletionMatch {
  text: string;
  /** "property", "method", "function", "variable", "keyword", "class", … */
  kind?: string;
  /** A one-line type or signature. */
  detail?: string;
}

export interface CompletionReply {
  matches: CompletionMatch[];
  cursorStart: number;
  cursorEnd: number;
}

export interface InspectReply {
  found: boolean;
  /** `text/plain` and `text/markdown`: signature, type, doc comment. */
  bundle: MimeBundle;
}

export type CompleteStatus = "complete" | "incomplete" | "invalid" | "unknown";

export interface IsCompleteReply {
  status: CompleteStatus;
  indent?: string;
}

/** A notebook cell as a language service sees it. */
export interface ServiceCell {
  readonly id: string;
  readonly name: string | null;
  readonly code: string;
  /** 1-based line of the cell's first line in the notebook file (0 when not from a file). */
  readonly line: number;
  readonly disabled: boolean;
}

/** What a language service is told about the notebook before each query. */
export interface ServiceNotebook {
  readonly path: string | null;
  readonly cwd: string;
  readonly language: Language;
  readonly typescript: boolean;
  /** Code cells in notebook order. */
  readonly cells: readonly ServiceCell[];
}

/**
 * Static answers across cells (types, signatures, doc comments). A runner wires one into the
 * kernel (`KernelOptions.languageService`); it must load nothing heavy until its first query,
 * and must answer `null` rather than throw when it cannot help.
 */
export interface LanguageService {
  readonly name: string;
  complete(notebook: ServiceNotebook, query: CodeQuery): Promise<CompletionReply | null>;
  inspect(notebook: ServiceNotebook, query: CodeQuery): Promise<InspectReply | null>;
  dispose?(): void | Promise<void>;
}
