// Notebook parameters, papermill's convention (docs/notebooks.md): `-p NAME VALUE` and
// `--parameters FILE.json` give values to names the cell tagged `parameters` defines.
// Sequential mode adds an `injected-parameters` cell after it; reactive mode sets the names
// right after that cell runs, before any descendant reads them.
import { readFileSync } from "node:fs";
import type { Kernel, Language, NotebookCell } from "@kernelkit/core";
import { KernelkitError } from "@kernelkit/core";
import { closest, distance } from "fastest-levenshtein";
import { cellToIpynb } from "./formats/ipynb.ts";
import type { NotebookFile } from "./load-notebook.ts";

export type Parameters = Record<string, unknown>;

export const PARAMETERS_TAG = "parameters";
export const INJECTED_TAG = "injected-parameters";

/** VALUE as JSON when it parses (`3`, `true`, `"s"`, `[1]`), else the string itself. */
export function parameterValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The values `--parameters FILE` then `-p` give (later ones win). */
export function readParameters(pairs: readonly string[] | undefined, file: string | undefined): Parameters {
  const params: Parameters = {};
  if (file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new KernelkitError(
        "KK_PARAMETERS_FILE",
        `cannot read parameters from ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split("\n")[0]}`,
        { hint: 'A parameters file is a JSON object: {"name": value, …}.' },
      );
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new KernelkitError("KK_PARAMETERS_FILE", `${file} is not a JSON object`, {
        hint: 'A parameters file is a JSON object: {"name": value, …}.',
      });
    }
    for (const [k, v] of Object.entries(parsed)) if (k !== "__proto__") params[k] = v;
  }
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (eq === -1 || name === "") {
      throw new KernelkitError("KK_USAGE", `-p needs a name and a value (got '${pair}')`, {
        hint: "Write -p NAME VALUE, e.g. -p alpha 0.5.",
      });
    }
    if (name !== "__proto__") params[name] = parameterValue(pair.slice(eq + 1));
  }
  return params;
}

function hasTag(metadata: Readonly<Record<string, unknown>>, tag: string): boolean {
  return Array.isArray(metadata.tags) && metadata.tags.includes(tag);
}

/** A value as a literal of the notebook's language. */
export function literal(value: unknown, language: Language): string {
  if (language !== "python") return JSON.stringify(value) ?? "undefined";
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : `float("${value}")`;
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, language)).join(", ")}]`;
  return `{${Object.entries(value as object)
    .map(([k, v]) => `${JSON.stringify(k)}: ${literal(v, language)}`)
    .join(", ")}}`;
}

/** The code of the injected-parameters cell: one assignment per value. */
export function injectedCode(params: Parameters, language: Language): string {
  const lines = Object.entries(params).map(([name, value]) =>
    language === "python"
      ? `${name} = ${literal(value, language)}`
      : `const ${name} = ${literal(value, language)};`,
  );
  return `${language === "python" ? "# Parameters" : "// Parameters"}\n${lines.join("\n")}`;
}

export interface AppliedParameters {
  /** The file as it should be written with --output (the injected cell in place, sequential mode). */
  file: NotebookFile;
}

/**
 * Gives the kernel the parameter values. Throws (exit 2) when no cell is tagged `parameters`
 * or a name is not one it defines. Call after the kernel loaded the notebook, before running.
 */
export async function applyParameters(
  kernel: Kernel,
  file: NotebookFile,
  params: Parameters,
  mode: "reactive" | "sequential",
): Promise<AppliedParameters> {
  const cells = file.notebook.cells;
  if (Object.keys(params).length === 0) {
    // A notebook saved by a parameterised run, run again as it is: in sequential mode its
    // injected cell is an ordinary cell; in reactive mode its values apply as -p values would.
    const saved = mode === "reactive" ? savedParameterValues(kernel, cells) : null;
    if (!saved) return { file };
    kernel.deleteCells([saved.cell.id]);
    tapValues(kernel, saved.paramsCell.id, saved.values);
    return { file };
  }
  const names = Object.keys(params);
  const paramsCell = cells.find((c) => c.type === "code" && hasTag(c.metadata, PARAMETERS_TAG));
  if (!paramsCell) {
    throw new KernelkitError(
      "KK_NO_PARAMETERS_CELL",
      `no cell is tagged '${PARAMETERS_TAG}', so ${names.map((n) => `'${n}'`).join(", ")} cannot be set`,
      {
        hint:
          file.format === "ipynb"
            ? 'Add the tag "parameters" to the cell that defines the defaults (metadata.tags).'
            : `Tag the cell that defines the defaults: ${kernel.language === "python" ? "#" : "//"} %% tags=["parameters"]`,
      },
    );
  }
  const defs = kernel.cell(paramsCell.id)?.analysis?.defs ?? [];
  for (const name of names) {
    if (defs.includes(name)) continue;
    const near = defs.length > 0 ? closest(name, defs as string[]) : null;
    const hint =
      near !== null && distance(name, near) <= Math.max(2, Math.floor(name.length / 3))
        ? `Did you mean '${near}'? The parameters cell defines: ${defs.join(", ")}.`
        : defs.length > 0
          ? `The parameters cell defines: ${defs.join(", ")}.`
          : "The parameters cell defines no names: assign the defaults there.";
    throw new KernelkitError(
      "KK_UNKNOWN_PARAMETER",
      `parameter '${name}' is not defined by the parameters cell (${paramsCell.name ?? `cell ${cells.indexOf(paramsCell) + 1}`})`,
      { hint },
    );
  }

  // A previous run's injected cell is replaced, as papermill replaces it.
  const stale = cells.filter((c) => hasTag(c.metadata, INJECTED_TAG)).map((c) => c.id);
  if (stale.length > 0) kernel.deleteCells(stale);
  let next = removeCells(file, new Set(stale));

  // Both modes save the injected cell in --output, papermill's record of the values used.
  const injected: NotebookCell = {
    id: INJECTED_TAG,
    name: null,
    type: "code",
    code: injectedCode(params, kernel.language),
    disabled: false,
    metadata: { tags: [INJECTED_TAG] },
    line: 0,
  };
  const at = next.notebook.cells.findIndex((c) => c.id === paramsCell.id) + 1;
  next = insertCell(next, at, injected);
  if (mode === "sequential") {
    await kernel.setCells(
      [{ id: injected.id, code: injected.code, type: "code", metadata: { ...injected.metadata } }],
      next.notebook.cells.map((c) => c.id),
    );
  } else {
    // Reactive: the kernel keeps the notebook's cells (the injected cell would redefine the
    // parameters cell's names); the names take the values right after the parameters cell ran.
    tapValues(kernel, paramsCell.id, params);
  }
  return { file: next };
}

/**
 * In reactive mode, the saved injected-parameters cell whose values apply as -p values would
 * (run and check treat it alike: not a cell of the graph), or null.
 */
export function savedParameterValues(
  kernel: Kernel,
  cells: readonly NotebookCell[],
): { cell: NotebookCell; paramsCell: NotebookCell; values: Parameters } | null {
  const saved = savedParameters(cells, kernel.language);
  const defs = saved ? (kernel.cell(saved.paramsCell.id)?.analysis?.defs ?? []) : [];
  if (!saved || Object.keys(saved.values).some((name) => !defs.includes(name))) return null;
  return saved;
}

function tapValues(kernel: Kernel, paramsCellId: string, values: Parameters): void {
  kernel.hooks.postExecution.tap("kernelkit:parameters", (cell, result) => {
    if (cell.id !== paramsCellId || result.error != null) return;
    for (const [name, value] of Object.entries(values)) kernel.scope.set(name, value);
  });
}

/**
 * The values of a saved injected-parameters cell that follows the parameters cell, when every
 * line is `NAME = literal` (Python) or `const NAME = literal;` (JS/TS) of a name the parameters
 * cell defines — what kernelkit and papermill write. Anything else: null (the cell is left as
 * an ordinary cell).
 */
function savedParameters(
  cells: readonly NotebookCell[],
  language: Language,
): { cell: NotebookCell; paramsCell: NotebookCell; values: Parameters } | null {
  const cell = cells.find((c) => c.type === "code" && hasTag(c.metadata, INJECTED_TAG));
  const paramsCell = cells.find((c) => c.type === "code" && hasTag(c.metadata, PARAMETERS_TAG));
  if (!cell || !paramsCell || cells.indexOf(cell) < cells.indexOf(paramsCell)) return null;
  const values: Parameters = {};
  const assignment =
    language === "python" ? /^(\w+)\s*=\s*(.+)$/ : /^(?:const|let|var)\s+(\w+)\s*=\s*(.+?);?$/;
  for (const raw of cell.code.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith(language === "python" ? "#" : "//")) continue;
    const m = assignment.exec(line);
    if (!m) return null;
    const value = language === "python" ? pythonLiteral(m[2]!) : jsonLiteral(m[2]!);
    if (value === NOT_A_LITERAL) return null;
    values[m[1]!] = value;
  }
  return Object.keys(values).length > 0 ? { cell, paramsCell, values } : null;
}

const NOT_A_LITERAL = Symbol("not a literal");

function jsonLiteral(text: string): unknown {
  if (text === "undefined") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_A_LITERAL;
  }
}

/** A Python literal as `literal()` writes it (True, None, "…", lists, dicts, float("inf")). */
function pythonLiteral(text: string): unknown {
  const specials: number[] = [];
  const json = text.replace(
    /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\bTrue\b|\bFalse\b|\bNone\b|float\(\s*["'](-?inf|nan)["']\s*\)/g,
    (token, special: string | undefined) => {
      if (token === "True") return "true";
      if (token === "False") return "false";
      if (token === "None") return "null";
      if (special !== undefined) {
        specials.push(special === "nan" ? Number.NaN : special === "-inf" ? -Infinity : Infinity);
        return `{"__kk_special": ${specials.length - 1}}`;
      }
      if (token.startsWith("'")) return JSON.stringify(token.slice(1, -1).replace(/\\(.)/g, "$1"));
      return token;
    },
  );
  const value = jsonLiteral(json);
  if (value === NOT_A_LITERAL || specials.length === 0) return value;
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (Object.keys(o).length === 1 && typeof o.__kk_special === "number") return specials[o.__kk_special];
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
    }
    return v;
  };
  return revive(value);
}

function removeCells(file: NotebookFile, ids: ReadonlySet<string>): NotebookFile {
  if (ids.size === 0) return file;
  const keep = file.notebook.cells.map((c) => !ids.has(c.id));
  return {
    ...file,
    notebook: { ...file.notebook, cells: file.notebook.cells.filter((_, i) => keep[i]) },
    document: file.document
      ? { ...file.document, cells: file.document.cells.filter((_, i) => keep[i]) }
      : null,
  };
}

function insertCell(file: NotebookFile, at: number, cell: NotebookCell): NotebookFile {
  const cells = [...file.notebook.cells];
  cells.splice(at, 0, cell);
  let document = file.document;
  if (document) {
    const docCells = [...document.cells];
    const ipynbCell = cellToIpynb(cell, cell.id);
    // nbformat before 4.5 has no cell ids.
    if (document.nbformat_minor < 5) delete ipynbCell.id;
    docCells.splice(at, 0, ipynbCell);
    document = { ...document, cells: docCells };
  }
  return { ...file, notebook: { ...file.notebook, cells }, document };
}
