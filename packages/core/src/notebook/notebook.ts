// Percent-format notebooks ("// %%" / "# %%"), as jupytext, VS Code, Spyder and PyCharm write them.
import { createHash } from "node:crypto";
import type { CellType, Language } from "../contract/cell.ts";
import { KernelkitError } from "../contract/errors.ts";
import { BUILTIN_LANGUAGE_TABLE, lineCommentOf, type NotebookKind } from "./languages.ts";

export interface NotebookCell {
  /** The cell's name when it has one, else a hash of its code plus its occurrence index. */
  readonly id: string;
  readonly name: string | null;
  readonly type: CellType;
  /** Code of a code cell; markdown text (comment markers removed) of a markdown cell. */
  readonly code: string;
  readonly disabled: boolean;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** 1-based line in the notebook file of the cell's first line of code (0 when not from a file). */
  readonly line: number;
}

export interface Notebook {
  readonly path: string | null;
  readonly language: Language;
  /** JS/TS notebooks: whether cells are TypeScript (stripped before running). */
  readonly typescript: boolean;
  /** The language's line comment ("//", "#"): cell markers are `<lineComment> %%`. */
  readonly lineComment?: string;
  readonly cells: NotebookCell[];
  /** The file format it was read from (percent when absent). */
  readonly format?: "percent" | "ipynb";
  /**
   * A percent file's leading `---` … `---` block when it holds only the `jupyter:` key
   * (jupytext's notebook metadata), as YAML text without comment markers.
   */
  readonly frontMatter?: string | null;
}

export type { NotebookKind } from "./languages.ts";

/** The extensions of the built-in notebook kinds (plugin languages add theirs, see LanguageTable). */
export const NOTEBOOK_EXTENSIONS: readonly string[] = BUILTIN_LANGUAGE_TABLE.extensions();

/** The built-in kind of a notebook file by its extension, or null (plugin languages: LanguageTable). */
export function notebookKind(path: string): NotebookKind | null {
  return BUILTIN_LANGUAGE_TABLE.kindOf(path);
}

/** The id of an unnamed cell: a hash of its code, plus its occurrence index among identical cells. */
export function contentCellId(code: string, occurrence: number): string {
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 12);
  return occurrence === 0 ? hash : `${hash}-${occurrence}`;
}

interface Header {
  name: string | null;
  type: CellType;
  disabled: boolean;
  metadata: Record<string, unknown>;
}

export interface ParseOptions extends Partial<NotebookKind> {
  path?: string | null;
  /** The language's line comment; by default the one of `language`. */
  lineComment?: string;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

interface Syntax {
  marker: RegExp;
  comment: RegExp;
  python: boolean;
}

const syntaxCache = new Map<string, Syntax>();
function syntaxFor(comment: string, language: Language): Syntax {
  const key = `${language}\0${comment}`;
  let s = syntaxCache.get(key);
  if (!s) {
    const c = escapeRegExp(comment);
    s = {
      marker: new RegExp(`^\\s*${c}\\s?%%(?:\\s+(.*))?\\s*$`),
      comment: new RegExp(`^\\s*${c} ?`),
      python: language === "python",
    };
    syntaxCache.set(key, s);
  }
  return s;
}

/**
 * Parses a percent-format notebook the way jupytext reads it (docs/notebooks.md). Throws
 * KK_DUPLICATE_NAME when two cells share a name. Code before the first marker is a cell of
 * its own; a leading `---` block is notebook metadata (`frontMatter`) when it holds only the
 * `jupyter:` key, else a raw cell.
 */
export function parseNotebook(text: string, options: ParseOptions = {}): Notebook {
  const path = options.path ?? null;
  const kind = options.language
    ? { language: options.language, typescript: options.typescript ?? false }
    : ((path ? notebookKind(path) : null) ?? { language: "javascript", typescript: true });
  const lineComment =
    options.lineComment ?? (kind as NotebookKind).lineComment ?? lineCommentOf(kind.language);
  const syntax = syntaxFor(lineComment, kind.language);
  const { marker, comment } = syntax;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);

  type Raw = { header: Header; start: number; body: string[]; markerLine: number };
  const raws: Raw[] = [];
  let i = 0;
  // A shebang belongs to no cell.
  if (lines[0]?.startsWith("#!")) i = 1;
  let frontMatter: string | null = null;
  const block = frontMatterBlock(lines, i, comment);
  if (block) {
    const yaml = lines.slice(block.open + 1, block.close).map((l) => l.replace(comment, ""));
    if (onlyJupyterKey(yaml)) frontMatter = yaml.join("\n");
    else {
      raws.push({
        header: { name: null, type: "raw", disabled: false, metadata: {} },
        start: block.open + 1,
        body: lines.slice(block.open, block.close + 1),
        markerLine: block.open + 1,
      });
    }
    i = block.close + 1;
  }

  let current: Raw = {
    header: { name: null, type: "code", disabled: false, metadata: {} },
    start: i + 1,
    body: [],
    markerLine: i + 1,
  };
  let sawMarker = false;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const m = marker.exec(line);
    if (m) {
      if (sawMarker || current.body.some((l) => l.trim() !== "")) raws.push(current);
      sawMarker = true;
      current = { header: parseHeader(m[1] ?? ""), start: i + 2, body: [], markerLine: i + 1 };
    } else {
      current.body.push(line);
    }
  }
  if (sawMarker || current.body.some((l) => l.trim() !== "")) raws.push(current);

  const cells: NotebookCell[] = [];
  const byName = new Map<string, number>();
  const occurrences = new Map<string, number>();
  for (const raw of raws) {
    const body = [...raw.body];
    let start = raw.start;
    while (body.length > 0 && body[0]!.trim() === "") {
      body.shift();
      start++;
    }
    while (body.length > 0 && body[body.length - 1]!.trim() === "") body.pop();
    const code = raw.header.type === "code" ? body.join("\n") : textCellSource(body, syntax);
    const { name } = raw.header;
    let id: string;
    if (name !== null) {
      const prior = byName.get(name);
      if (prior !== undefined) {
        throw new KernelkitError(
          "KK_DUPLICATE_NAME",
          `two cells are named '${name}' (lines ${prior} and ${raw.markerLine})`,
          { hint: "Cell names are their ids and must be unique: rename one of them." },
        );
      }
      byName.set(name, raw.markerLine);
      id = name;
    } else {
      const n = occurrences.get(code) ?? 0;
      occurrences.set(code, n + 1);
      id = contentCellId(code, n);
    }
    cells.push({
      id,
      name,
      type: raw.header.type,
      code,
      disabled: raw.header.disabled,
      metadata: raw.header.metadata,
      line: start,
    });
  }
  return {
    path,
    language: kind.language,
    typescript: kind.typescript,
    lineComment,
    cells,
    format: "percent",
    frontMatter,
  };
}

/** The `---` … `---` comment block at line `at` (jupytext's header), or null. */
function frontMatterBlock(
  lines: string[],
  at: number,
  comment: RegExp,
): { open: number; close: number } | null {
  const first = lines[at];
  if (first === undefined || !comment.test(first) || first.replace(comment, "").trim() !== "---") return null;
  for (let j = at + 1; j < lines.length; j++) {
    const l = lines[j]!;
    if (!comment.test(l)) return null;
    if (l.replace(comment, "").trim() === "---") return { open: at, close: j };
  }
  return null;
}

/** Whether YAML lines hold only the top-level key `jupyter` (no parser needed for that). */
function onlyJupyterKey(yaml: string[]): boolean {
  let sawJupyter = false;
  for (const line of yaml) {
    if (line.trim() === "" || line.trimStart().startsWith("#") || /^\s/.test(line)) continue;
    const key = /^("?)([^:"]+)\1\s*:/.exec(line);
    if (!key || key[2]!.trim() !== "jupyter") return false;
    sawJupyter = true;
  }
  return sawJupyter;
}

/**
 * A markdown or raw cell's text: comment markers removed; in Python, a cell written as one
 * triple-quoted string (`"""`, `'''`, `r'''`, …) holds the string's text.
 */
function textCellSource(body: string[], syntax: Syntax): string {
  if (syntax.python) {
    const joined = body.join("\n");
    const m = /^[rRuU]?("""|''')([\s\S]*)\1$/.exec(joined.trim());
    if (m && !m[2]!.includes(m[1]!)) return m[2]!.replace(/^\n/, "").replace(/\n$/, "");
  }
  return body.map((l) => l.replace(syntax.comment, "")).join("\n");
}

const TYPE_WORDS: Record<string, { type: CellType; disabled?: boolean }> = {
  markdown: { type: "markdown" },
  md: { type: "markdown" },
  raw: { type: "raw" },
  disabled: { type: "code", disabled: true },
  code: { type: "code" },
};

/** A metadata key: any run of non-space characters jupytext accepts before `=`. */
const KEY = /^[^\s="'{}[\]]+=/;

/** Splits on whitespace outside JSON strings and brackets. */
function tokens(s: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  let depth = 0;
  let quote = false;
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const c = s[i];
    if (c === undefined || (!quote && depth <= 0 && (c === " " || c === "\t"))) {
      if (start >= 0) out.push({ text: s.slice(start, i), at: start });
      start = -1;
      depth = 0;
      continue;
    }
    if (start < 0) start = i;
    if (quote) {
      if (c === "\\") i++;
      else if (c === '"') quote = false;
    } else if (c === '"') quote = true;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
  }
  return out;
}

function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // jupytext writes JSON; anything else is kept as the raw text rather than lost.
    return text;
  }
}

/** `title [type] key=value …` — every part optional, in this order; values are JSON. */
function parseHeader(rest: string): Header {
  const header: Header = { name: null, type: "code", disabled: false, metadata: {} };
  const s = rest.trim();
  const parts = tokens(s);
  // Metadata starts at the first `key=value` token or JSON object; it is never part of the title.
  const metaAt = parts.findIndex((t) => KEY.test(t.text) || (t.text.startsWith("{") && t.text.endsWith("}")));
  const metadata: Record<string, unknown> = {};
  if (metaAt >= 0) {
    for (const t of parts.slice(metaAt)) {
      const eq = KEY.exec(t.text);
      if (eq) {
        const key = eq[0].slice(0, -1);
        if (key !== "__proto__") metadata[key] = jsonValue(t.text.slice(eq[0].length));
      } else if (t.text.startsWith("{")) {
        const obj = jsonValue(t.text);
        if (obj && typeof obj === "object" && !Array.isArray(obj)) {
          for (const [k, v] of Object.entries(obj)) if (k !== "__proto__") metadata[k] = v;
        }
      } else if (t.text !== "__proto__") {
        // jupytext writes a key whose value is None as the bare key.
        metadata[t.text] = null;
      }
    }
  }
  let title = metaAt >= 0 ? s.slice(0, parts[metaAt]!.at).trim() : s;
  const typeAtEnd = /^(.*?)\s*\[([A-Za-z]+)\]$/.exec(title);
  const typeAtStart = /^\[([A-Za-z]+)\]\s*(.*)$/.exec(title);
  if (typeAtEnd && TYPE_WORDS[typeAtEnd[2]!.toLowerCase()]) {
    const t = TYPE_WORDS[typeAtEnd[2]!.toLowerCase()]!;
    header.type = t.type;
    header.disabled = t.disabled === true;
    title = typeAtEnd[1]!.trim();
  } else if (typeAtStart && TYPE_WORDS[typeAtStart[1]!.toLowerCase()]) {
    const t = TYPE_WORDS[typeAtStart[1]!.toLowerCase()]!;
    header.type = t.type;
    header.disabled = t.disabled === true;
    title = typeAtStart[2]!.trim();
  }
  // Keys that are the cell's kind or state, not metadata to carry (the model has fields for them).
  if (metadata.disabled === true) header.disabled = true;
  delete metadata.disabled;
  const cellType = metadata.cell_type;
  if (typeof cellType === "string" && TYPE_WORDS[cellType]) {
    header.type = TYPE_WORDS[cellType]!.type;
    delete metadata.cell_type;
  }
  if (header.type !== "code") header.disabled = false;
  if (title !== "") header.name = title;
  else if (typeof metadata.name === "string" && metadata.name.trim() !== "") {
    header.name = metadata.name.trim();
    delete metadata.name;
  } else if (Array.isArray(metadata.tags)) {
    for (const tag of metadata.tags) {
      const m = typeof tag === "string" ? /^name=(.+)$/.exec(tag.trim()) : null;
      if (m) {
        header.name = m[1]!.trim();
        break;
      }
    }
  }
  header.metadata = { ...metadata };
  return header;
}
