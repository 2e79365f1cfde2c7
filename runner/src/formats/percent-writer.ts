// Writes a notebook in the percent format jupytext reads: a `jupyter:` YAML header for the
// notebook's metadata, then one `%%` marker per cell carrying its name, kind and metadata.
import type { Notebook, NotebookCell } from "@kernelkit/core";
import { ipynbCellName, jupyterLanguageName } from "./ipynb.ts";
import { yamlModule } from "./percent-header.ts";

/** Metadata keys jupytext's `key=value` form can carry; others go in a trailing JSON object. */
const PLAIN_KEY = /^[^\s="'{}[\]]+$/;

/** JSON as Python's json.dumps writes it (", " and ": "), as jupytext writes metadata values. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`)
      .join(", ")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The notebook metadata a percent file keeps in its header. `language_info` that only names
 * the language the file's extension already says is left out (convert adds it back).
 */
export function headerMetadata(
  notebook: Notebook,
  metadata: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...metadata };
  const info = out.language_info as Record<string, unknown> | undefined;
  if (
    info &&
    out.kernelspec === undefined &&
    Object.keys(info).length === 1 &&
    info.name === jupyterLanguageName(notebook)
  )
    delete out.language_info;
  return out;
}

function markerLine(comment: string, cell: NotebookCell): string {
  const parts = [`${comment} %%`];
  const metadata: Record<string, unknown> = { ...cell.metadata };
  const fromTag = ipynbCellName(metadata).fromTag;
  if (cell.name !== null && !fromTag) parts.push(cell.name);
  if (cell.type === "markdown") parts.push("[markdown]");
  else if (cell.type === "raw") parts.push("[raw]");
  else if (cell.disabled) parts.push("[disabled]");
  const odd: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) continue;
    if (PLAIN_KEY.test(key)) parts.push(`${key}=${pythonJson(value)}`);
    else odd[key] = value;
  }
  if (Object.keys(odd).length > 0) parts.push(pythonJson(odd));
  return parts.join(" ");
}

function commented(comment: string, text: string): string[] {
  if (text === "") return [];
  return text.split("\n").map((l) => (l === "" ? comment : `${comment} ${l}`));
}

/** The percent text of a notebook; `comment` is its language's line comment ("#", "//"). */
export function writePercent(notebook: Notebook, metadata: Record<string, unknown>, comment: string): string {
  const lines: string[] = [];
  const header = headerMetadata(notebook, metadata);
  if (Object.keys(header).length > 0) {
    lines.push(`${comment} ---`);
    const yaml = yamlModule().stringify({ jupyter: header }, { lineWidth: 0 }).replace(/\n$/, "");
    lines.push(...commented(comment, yaml));
    lines.push(`${comment} ---`, "");
  }
  notebook.cells.forEach((cell, i) => {
    if (i > 0) lines.push("");
    lines.push(markerLine(comment, cell));
    if (cell.type === "code") {
      if (cell.code !== "") lines.push(...cell.code.split("\n"));
    } else {
      lines.push(...commented(comment, cell.code));
    }
  });
  return `${lines.join("\n")}\n`;
}
