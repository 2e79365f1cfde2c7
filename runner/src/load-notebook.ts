// Reads a notebook file — percent (.ts, .py, …) or Jupyter (.ipynb) — with a coded, one-line
// error for every way it can be wrong. The one file → notebook function run, check, serve,
// watch and convert share.
import { readFileSync, statSync } from "node:fs";
import { extname, resolve } from "node:path";
import {
  KernelkitError,
  NOTEBOOK_EXTENSIONS,
  type Notebook,
  notebookKind,
  parseNotebook,
} from "@kernelkit/core";
import { type IpynbDocument, type JsonStyle, readIpynb } from "./formats/ipynb.ts";
import { percentHeaderMetadata } from "./formats/percent-header.ts";

export interface NotebookFile {
  notebook: Notebook;
  format: "percent" | "ipynb";
  /** Notebook-level metadata: the .ipynb's, or a percent file's `jupyter:` header. */
  metadata: Record<string, unknown>;
  /** The .ipynb document as read (null for percent files). */
  document: IpynbDocument | null;
  style: JsonStyle | null;
}

export function isIpynbPath(path: string): boolean {
  return extname(path).toLowerCase() === ".ipynb";
}

function readText(path: string, pathArg: string): string {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new KernelkitError("KK_NOTEBOOK_NOT_FOUND", `notebook not found: ${pathArg}`, {
        hint: `Check the path; notebooks are ${[...NOTEBOOK_EXTENSIONS, ".ipynb"].join(", ")} files.`,
      });
    }
    throw new KernelkitError("KK_NOTEBOOK_UNREADABLE", `cannot read ${pathArg}: ${(error as Error).message}`);
  }
  if (stat.isDirectory()) {
    throw new KernelkitError("KK_NOTEBOOK_IS_DIRECTORY", `${pathArg} is a directory, not a notebook`, {
      hint: "Pass a notebook file inside it, e.g. examples/notebooks/sales.ts.",
    });
  }
  if (!isIpynbPath(path) && !notebookKind(path)) {
    throw new KernelkitError("KK_NOTEBOOK_UNSUPPORTED", `${pathArg} is not a notebook kind kernelkit knows`, {
      hint: `Use one of ${[...NOTEBOOK_EXTENSIONS, ".ipynb"].join(", ")} (percent format: "// %%" or "# %%" cell markers; or a Jupyter .ipynb).`,
    });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new KernelkitError(
      "KK_NOTEBOOK_UNREADABLE",
      `cannot read ${pathArg}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        hint: "Check the file's permissions.",
      },
    );
  }
  if (bytes.includes(0)) {
    throw new KernelkitError(
      "KK_NOTEBOOK_BINARY",
      `${pathArg} looks like a binary file (it contains NUL bytes)`,
      {
        hint: "A notebook is a UTF-8 text file.",
      },
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new KernelkitError("KK_NOTEBOOK_BINARY", `${pathArg} is not valid UTF-8 text`, {
      hint: "Save the notebook as UTF-8.",
    });
  }
}

/** A notebook file with what writing it back needs (format, document, notebook metadata). */
export function loadNotebookFile(pathArg: string): NotebookFile {
  const path = resolve(pathArg);
  const text = readText(path, pathArg);
  if (isIpynbPath(path)) {
    const { notebook, document, style } = readIpynb(text, path, pathArg);
    return { notebook, format: "ipynb", metadata: document.metadata, document, style };
  }
  const notebook = parseNotebook(text, { path, ...notebookKind(path)! });
  const header = (notebook as { frontMatter?: string | null }).frontMatter ?? null;
  let metadata: Record<string, unknown> = {};
  if (header) {
    metadata = percentHeaderMetadata(header, pathArg);
  }
  return { notebook, format: "percent", metadata, document: null, style: null };
}

/** The notebook in a file (percent or .ipynb). */
export function loadNotebook(pathArg: string): Notebook {
  return loadNotebookFile(pathArg).notebook;
}
