// Percent-format notebooks ("// %%" / "# %%"), as jupytext, VS Code, Spyder and PyCharm write them.
import { createHash } from "node:crypto";
import { extname } from "node:path";
import type { CellType, Language } from "../contract/cell.ts";
import { KernelkitError } from "../contract/errors.ts";

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
  readonly cells: NotebookCell[];
}

export interface NotebookKind {
  language: Language;
  typescript: boolean;
}

const KINDS: Record<string, NotebookKind> = {
  ".ts": { language: "javascript", typescript: true },
  ".mts": { language: "javascript", typescript: true },
  ".js": { language: "javascript", typescript: false },
  ".mjs": { language: "javascript", typescript: false },
  ".py": { language: "python", typescript: false },
};

export const NOTEBOOK_EXTENSIONS: readonly string[] = Object.keys(KINDS);

/** The language of a notebook file by its extension, or null when it is not a notebook kind. */
export function notebookKind(path: string): NotebookKind | null {
  return KINDS[extname(path).toLowerCase()] ?? null;
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

const MARKERS: Record<string, RegExp> = {
  javascript: /^\s*\/\/\s?%%(?:\s+(.*))?\s*$/,
  python: /^\s*#\s?%%(?:\s+(.*))?\s*$/,
};
const COMMENT: Record<string, RegExp> = {
  javascript: /^\s*\/\/ ?/,
  python: /^\s*# ?/,
};

export interface ParseOptions extends Partial<NotebookKind> {
  path?: string | null;
}

/**
 * Parses a percent-format notebook. Throws KK_DUPLICATE_NAME when two cells share a name.
 * Code before the first marker is a cell of its own; a leading front-matter comment block
 * (jupytext's `---` header) belongs to no cell.
 */
export function parseNotebook(text: string, options: ParseOptions = {}): Notebook {
  const path = options.path ?? null;
  const kind = options.language
    ? { language: options.language, typescript: options.typescript ?? false }
    : ((path ? notebookKind(path) : null) ?? { language: "javascript", typescript: true });
  const marker = MARKERS[kind.language] ?? MARKERS.javascript!;
  const comment = COMMENT[kind.language] ?? COMMENT.javascript!;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);

  let i = 0;
  // Shebang and front matter belong to no cell.
  if (lines[0]?.startsWith("#!")) i = 1;
  const fmOpen = lines[i]?.replace(comment, "").trim();
  if (fmOpen === "---" && comment.test(lines[i]!)) {
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]!;
      if (!comment.test(l) && l.trim() !== "") break;
      if (l.replace(comment, "").trim() === "---") {
        i = j + 1;
        break;
      }
    }
  }

  type Raw = { header: Header; start: number; body: string[] };
  const raws: Raw[] = [];
  let current: Raw = {
    header: { name: null, type: "code", disabled: false, metadata: {} },
    start: i + 1,
    body: [],
  };
  let sawMarker = false;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const m = marker.exec(line);
    if (m) {
      if (sawMarker || current.body.some((l) => l.trim() !== "")) raws.push(current);
      sawMarker = true;
      current = { header: parseHeader(m[1] ?? "", i + 1), start: i + 2, body: [] };
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
    let code = body.join("\n");
    if (raw.header.type === "markdown") {
      code = body
        .map((l) => l.replace(comment, ""))
        .join("\n")
        .trim();
    }
    const { name } = raw.header;
    let id: string;
    if (name !== null) {
      const prior = byName.get(name);
      if (prior !== undefined) {
        throw new KernelkitError(
          "KK_DUPLICATE_NAME",
          `two cells are named '${name}' (lines ${prior} and ${raw.start - 1})`,
          { hint: "Cell names are their ids and must be unique: rename one of them." },
        );
      }
      byName.set(name, raw.start - 1);
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
  return { path, language: kind.language, typescript: kind.typescript, cells };
}

const TYPE_WORDS: Record<string, { type: CellType; disabled?: boolean }> = {
  markdown: { type: "markdown" },
  md: { type: "markdown" },
  raw: { type: "raw" },
  disabled: { type: "code", disabled: true },
  code: { type: "code" },
};

/** `title [type] key=value ...` — every part optional, in this order; values are JSON. */
function parseHeader(rest: string, lineNo: number): Header {
  const header: Header = { name: null, type: "code", disabled: false, metadata: {} };
  let s = rest.trim();
  // Metadata starts at the first ` key=` outside brackets and strings.
  let metaStart = -1;
  const keyRe = /(^|\s)([A-Za-z_][\w.-]*)=/g;
  for (let m = keyRe.exec(s); m; m = keyRe.exec(s)) {
    if (!insideBrackets(s, m.index)) {
      metaStart = m.index + m[1]!.length;
      break;
    }
  }
  if (metaStart >= 0) {
    header.metadata = parseMetadata(s.slice(metaStart), lineNo);
    s = s.slice(0, metaStart).trim();
  }
  const typeMatch = /^(.*?)\s*\[([A-Za-z]+)\]$/.exec(s);
  if (typeMatch && TYPE_WORDS[typeMatch[2]!.toLowerCase()]) {
    const t = TYPE_WORDS[typeMatch[2]!.toLowerCase()]!;
    header.type = t.type;
    header.disabled = t.disabled === true;
    s = typeMatch[1]!.trim();
  }
  if (s !== "") header.name = s;
  if (header.metadata.disabled === true) header.disabled = true;
  const cellType = header.metadata.cell_type;
  if (typeof cellType === "string" && TYPE_WORDS[cellType]) header.type = TYPE_WORDS[cellType]!.type;
  return header;
}

function insideBrackets(s: string, at: number): boolean {
  let depth = 0;
  let quote = "";
  for (let i = 0; i < at; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"') quote = c;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
  }
  return depth > 0 || quote !== "";
}

function parseMetadata(s: string, lineNo: number): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  let i = 0;
  while (i < s.length) {
    while (s[i] === " " || s[i] === "\t") i++;
    const km = /^([A-Za-z_][\w.-]*)=/.exec(s.slice(i));
    if (!km) break;
    i += km[0].length;
    const start = i;
    let depth = 0;
    let quote = false;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (quote) {
        if (c === "\\") i++;
        else if (c === '"') quote = false;
      } else if (c === '"') quote = true;
      else if (c === "[" || c === "{") depth++;
      else if (c === "]" || c === "}") depth--;
      else if ((c === " " || c === "\t") && depth <= 0) break;
    }
    const text = s.slice(start, i);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // jupytext writes JSON; anything else is kept as the raw text rather than lost.
      value = text;
    }
    if (km[1] !== "__proto__") out[km[1]!] = value;
  }
  void lineNo;
  return { ...out };
}
