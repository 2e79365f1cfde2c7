// Jupyter notebooks (.ipynb, nbformat 4.0–4.5): reading them as kernelkit notebooks, building
// one from a percent notebook, and writing an executed copy. See docs/notebooks.md.
import { dirname } from "node:path";
import {
  contentCellId,
  discoverEntryPoints,
  type ErrorCode,
  KernelkitError,
  type Language,
  type LanguageSpec,
  type Notebook,
  type NotebookCell,
} from "@kernelkit/core";
import { nbformatProblem } from "./ipynb-schema.ts";

export type IpynbCellType = "code" | "markdown" | "raw";

export interface IpynbCell {
  cell_type: IpynbCellType;
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: IpynbOutput[];
  execution_count?: number | null;
  [key: string]: unknown;
}

export type IpynbOutput = Record<string, unknown> & { output_type: string };

export interface IpynbDocument {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: IpynbCell[];
  [key: string]: unknown;
}

/** How the file was laid out, so a written copy looks like the one read. */
export interface JsonStyle {
  indent: string | number;
  finalNewline: boolean;
}

export interface LanguageKind {
  language: Language;
  typescript: boolean;
  /** A language from a package's manifest: its line comment (cell markers in percent form). */
  lineComment?: string;
}

/**
 * Jupyter language names (kernelspec.language, language_info.name) kernelkit has built in.
 * Any other name is looked up in the languages the project's packages declare
 * (`kernelkit.languages`, docs/plugins/executor.md), as a percent file's extension is.
 */
const LANGUAGES = new Map<string, LanguageKind>([
  ["javascript", { language: "javascript", typescript: false }],
  ["js", { language: "javascript", typescript: false }],
  ["typescript", { language: "javascript", typescript: true }],
  ["ts", { language: "javascript", typescript: true }],
  ["python", { language: "python", typescript: false }],
  ["python3", { language: "python", typescript: false }],
]);

/** The Jupyter language name kernelkit writes for a notebook's language. */
export function jupyterLanguageName(kind: LanguageKind): string {
  if (kind.language === "javascript") return kind.typescript ? "typescript" : "javascript";
  return kind.language;
}

function ipynbError(code: ErrorCode, pathArg: string, problem: string, hint: string): KernelkitError {
  return new KernelkitError(code, `${pathArg}: ${problem}`, { hint });
}

/**
 * A notebook document's language, from kernelspec.language, else language_info.name: a built-in
 * one, else one of `declared()` (read only for a name that is not built in).
 */
export function ipynbLanguage(
  metadata: Record<string, unknown>,
  pathArg: string,
  declared: () => readonly LanguageSpec[] = () => [],
): LanguageKind {
  const kernelspec = metadata.kernelspec as { language?: unknown } | undefined;
  const info = metadata.language_info as { name?: unknown } | undefined;
  const name =
    typeof kernelspec?.language === "string" && kernelspec.language !== ""
      ? kernelspec.language
      : typeof info?.name === "string" && info.name !== ""
        ? info.name
        : null;
  if (name === null) {
    throw ipynbError(
      "KK_IPYNB_NO_LANGUAGE",
      pathArg,
      "the notebook does not say its language (no metadata.kernelspec.language or metadata.language_info.name)",
      'Add "language_info": {"name": "python"} (or "javascript", "typescript") to the notebook\'s metadata.',
    );
  }
  const kind = LANGUAGES.get(name.toLowerCase());
  if (kind) return kind;
  const languages = declared();
  const spec = languages.find((l) => l.name.toLowerCase() === name.toLowerCase());
  if (spec) return { language: spec.name, typescript: false, lineComment: spec.lineComment };
  throw ipynbError(
    "KK_IPYNB_UNKNOWN_LANGUAGE",
    pathArg,
    `the notebook's language '${name}' is not one kernelkit runs`,
    `Languages: ${[...new Set([...LANGUAGES.keys(), ...languages.map((l) => l.name)])].join(", ")}; install a package declaring '${name}' in its manifest's "kernelkit.languages" to add it.`,
  );
}

function sourceText(source: string | string[]): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** Splits text into Jupyter's list-of-lines form (each line keeps its "\n"). */
export function splitLines(text: string): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g);
  return lines ?? [];
}

const NAME_TAG = /^name=(.+)$/;

/** The name a cell's metadata gives it: metadata.name, else a `name=` tag. */
export function ipynbCellName(metadata: Record<string, unknown>): { name: string | null; fromTag: boolean } {
  if (typeof metadata.name === "string" && metadata.name.trim() !== "")
    return { name: metadata.name.trim(), fromTag: false };
  const tags = metadata.tags;
  if (Array.isArray(tags)) {
    for (const tag of tags) {
      const m = typeof tag === "string" ? NAME_TAG.exec(tag.trim()) : null;
      if (m) return { name: m[1]!.trim(), fromTag: true };
    }
  }
  return { name: null, fromTag: false };
}

export interface ReadIpynb {
  notebook: Notebook;
  document: IpynbDocument;
  style: JsonStyle;
}

/** Parses and validates an .ipynb file's text. Errors are one line, coded KK_IPYNB_*. */
export function readIpynb(text: string, path: string, pathArg = path): ReadIpynb {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let document: IpynbDocument;
  try {
    document = JSON.parse(text) as IpynbDocument;
  } catch (error) {
    throw ipynbError(
      "KK_IPYNB_INVALID_JSON",
      pathArg,
      `not valid JSON (${(error as Error).message.split("\n")[0]})`,
      "An .ipynb file is a JSON document; open it in Jupyter or fix the JSON by hand.",
    );
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw ipynbError(
      "KK_IPYNB_INVALID",
      pathArg,
      "not a notebook (the JSON is not an object)",
      "An .ipynb file is a JSON object with nbformat, metadata and cells.",
    );
  }
  if (document.nbformat !== 4) {
    throw ipynbError(
      "KK_IPYNB_UNSUPPORTED_VERSION",
      pathArg,
      `nbformat ${String(document.nbformat)} is not supported (kernelkit reads nbformat 4)`,
      "Upgrade it with `jupyter nbconvert --to notebook --inplace FILE` (writes nbformat 4).",
    );
  }
  const minor = typeof document.nbformat_minor === "number" ? document.nbformat_minor : 0;
  const problem = nbformatProblem(document, minor);
  if (problem) {
    throw ipynbError(
      "KK_IPYNB_INVALID",
      pathArg,
      `not a valid nbformat 4.${minor} notebook: ${problem}`,
      "Open and save it in Jupyter, or fix the field the message names.",
    );
  }
  const kind = ipynbLanguage(
    document.metadata,
    pathArg,
    () => discoverEntryPoints(dirname(path)).languages?.languages ?? [],
  );

  const cells: NotebookCell[] = [];
  const byName = new Map<string, number>();
  const ids = new Set<string>();
  const occurrences = new Map<string, number>();
  document.cells.forEach((cell, index) => {
    const code = sourceText(cell.source);
    const fileMetadata = cell.metadata ?? {};
    const { name, fromTag } = ipynbCellName(fileMetadata);
    const metadata: Record<string, unknown> = { ...fileMetadata };
    if (name !== null && !fromTag) delete metadata.name;
    const disabled = cell.cell_type === "code" && metadata.disabled === true;
    if (disabled) delete metadata.disabled;
    if (name !== null) {
      const prior = byName.get(name);
      if (prior !== undefined) {
        throw new KernelkitError(
          "KK_DUPLICATE_NAME",
          `${pathArg}: two cells are named '${name}' (cells ${prior + 1} and ${index + 1})`,
          { hint: "Cell names are unique: rename one of them (metadata.name or its name= tag)." },
        );
      }
      byName.set(name, index);
    }
    let id: string;
    if (typeof cell.id === "string") {
      id = cell.id;
      if (ids.has(id)) {
        throw ipynbError(
          "KK_IPYNB_INVALID",
          pathArg,
          `two cells have the id '${id}'`,
          "Cell ids are unique in nbformat 4.5: open and save the notebook in Jupyter to fix them.",
        );
      }
    } else if (name !== null) {
      id = name;
    } else {
      const n = occurrences.get(code) ?? 0;
      occurrences.set(code, n + 1);
      id = contentCellId(code, n);
    }
    ids.add(id);
    cells.push({ id, name, type: cell.cell_type, code, disabled, metadata, line: 1 });
  });
  const notebook = {
    path,
    language: kind.language,
    typescript: kind.typescript,
    ...(kind.lineComment ? { lineComment: kind.lineComment } : {}),
    cells,
    format: "ipynb",
    metadata: document.metadata,
  } as Notebook;
  return { notebook, document, style: detectStyle(text) };
}

function detectStyle(text: string): JsonStyle {
  const m = /^\{\r?\n([ \t]+)"/.exec(text);
  return { indent: m ? m[1]! : text.includes("\n") ? 1 : 0, finalNewline: /\n\s*$/.test(text) };
}

/** nbformat's layout: one-space indent, a final newline. */
export const NBFORMAT_STYLE: JsonStyle = { indent: 1, finalNewline: true };

export function serializeIpynb(document: IpynbDocument, style: JsonStyle = NBFORMAT_STYLE): string {
  return JSON.stringify(document, null, style.indent) + (style.finalNewline ? "\n" : "");
}

const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;

/** A notebook as an nbformat 4.5 document (percent → ipynb): cells, kinds, names, metadata. */
export function notebookToIpynb(notebook: Notebook, metadata: Record<string, unknown> = {}): IpynbDocument {
  const kind = { language: notebook.language, typescript: notebook.typescript };
  const meta: Record<string, unknown> = { ...metadata };
  // A notebook must say its language to be opened again; the percent file said it by extension.
  if (meta.kernelspec === undefined && meta.language_info === undefined)
    meta.language_info = { name: jupyterLanguageName(kind) };
  const used = new Set<string>();
  const cells = notebook.cells.map((cell, index) => {
    let id = CELL_ID.test(cell.id) ? cell.id : contentCellId(`${index}\n${cell.code}`, 0);
    while (used.has(id)) id = `${id.slice(0, 56)}-${used.size}`;
    used.add(id);
    return cellToIpynb(cell, id);
  });
  return { cells, metadata: meta, nbformat: 4, nbformat_minor: 5 };
}

/** One cell in nbformat's key order (nbformat sorts keys when it writes). */
export function cellToIpynb(cell: NotebookCell, id: string): IpynbCell {
  const metadata: Record<string, unknown> = {};
  const fromTag = ipynbCellName(cell.metadata).fromTag;
  if (cell.name !== null && !fromTag) metadata.name = cell.name;
  for (const [k, v] of Object.entries(cell.metadata)) metadata[k] = v;
  if (cell.disabled) metadata.disabled = true;
  const source = splitLines(cell.code);
  if (cell.type === "code") {
    return { cell_type: "code", execution_count: null, id, metadata, outputs: [], source };
  }
  return { cell_type: cell.type, id, metadata, source };
}

// ---- outputs of a run ----

/** A cell's outputs from one run, in the order the cell produced them. */
export interface CellOutputs {
  executionCount: number | null;
  outputs: IpynbOutput[];
}

const JSON_MIME = /^application\/(.*\+)?json$/;

/** A kernelkit mime bundle as nbformat `data`: text as lists of lines, JSON types as JSON. */
export function mimeData(bundle: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(bundle).sort()) {
    if (!key.includes("/")) continue;
    const value = bundle[key];
    if (JSON_MIME.test(key)) {
      if (typeof value === "string") {
        try {
          data[key] = JSON.parse(value);
        } catch {
          data[key] = value;
        }
      } else data[key] = value ?? null;
    } else if (typeof value === "string") {
      data[key] = key.startsWith("text/") || key === "image/svg+xml" ? splitLines(value) : value;
    } else if (value !== undefined) {
      data[key] = splitLines(typeof value === "object" ? JSON.stringify(value) : String(value));
    }
  }
  if (data["text/plain"] === undefined) data["text/plain"] = [];
  return data;
}

export function streamOutput(name: "stdout" | "stderr", text: string): IpynbOutput {
  return { name, output_type: "stream", text: splitLines(text) };
}

export function displayOutput(bundle: Record<string, unknown>): IpynbOutput {
  return { data: mimeData(bundle), metadata: {}, output_type: "display_data" };
}

export function resultOutput(bundle: Record<string, unknown>, executionCount: number | null): IpynbOutput {
  return {
    data: mimeData(bundle),
    execution_count: executionCount,
    metadata: {},
    output_type: "execute_result",
  };
}

export function errorOutput(error: { name: string; message: string; traceback: string[] }): IpynbOutput {
  return {
    ename: error.name,
    evalue: error.message,
    output_type: "error",
    traceback: error.traceback.length > 0 ? error.traceback : [`${error.name}: ${error.message}`],
  };
}

/**
 * The executed copy of `document`: code cells get their run's outputs and execution count
 * (cells that did not run have none); everything else — metadata, sources, ids, other
 * cells — is the document's own. `cellIds[i]` is the kernel id of document cell i.
 */
export function executedIpynb(
  document: IpynbDocument,
  cellIds: readonly string[],
  outputs: ReadonlyMap<string, CellOutputs>,
): IpynbDocument {
  const cells = document.cells.map((cell, i) => {
    if (cell.cell_type !== "code") return cell;
    const run = outputs.get(cellIds[i] ?? "");
    return {
      ...cell,
      execution_count: run?.executionCount ?? null,
      outputs: run?.outputs ?? [],
    };
  });
  return { ...document, cells };
}
