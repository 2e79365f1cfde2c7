// Reads a notebook file — percent (.ts, .py, …) or Jupyter (.ipynb) — with a coded, one-line
// error for every way it can be wrong. run, check, serve, watch and convert all read through it.
import { closeSync, fstatSync, openSync, readFileSync, type Stats, statSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import {
  discoverEntryPoints,
  KernelkitError,
  type Notebook,
  type NotebookKind,
  notebookExtensionsWith,
  notebookKind,
  notebookKindWith,
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

/**
 * What a file is as a notebook: a built-in kind, else a language the project's packages declare
 * (their manifests are read only for an extension that is not built in).
 */
export function resolveNotebookKind(path: string, shown = path): NotebookKind {
  const builtin = notebookKind(path);
  if (builtin) return builtin;
  const declared = discoverEntryPoints(dirname(path)).languages;
  const kind = notebookKindWith(path, declared);
  if (kind) return kind;
  throw new KernelkitError("KK_NOTEBOOK_UNSUPPORTED", `${shown} is not a notebook kind kernelkit knows`, {
    hint: `Use one of ${notebookExtensionsWith(declared).join(", ")} (percent format: "// %%" or "# %%" cell markers), or install a package declaring the language in its manifest's "kernelkit.languages".`,
  });
}

/** Reads of a file that changes under us, before giving up: ~0.6 s in all. */
const READ_ATTEMPTS = 8;
/** An empty file modified this recently may be an editor's save in progress. */
const RECENT_MS = 2000;
const EMPTY_LOOKS = 6;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function unreadable(pathArg: string, error: unknown): KernelkitError {
  return new KernelkitError(
    "KK_NOTEBOOK_UNREADABLE",
    `cannot read ${pathArg}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    { hint: "Check the file's permissions." },
  );
}

/**
 * The file's bytes, read whole while it did not change. An editor saving in place truncates
 * the file and writes it again: a read in between sees it empty or cut short, and "0 cells,
 * nothing to run" would be a wrong success. A read is kept when the size before, the bytes
 * read and the size after agree, and it is not empty while the file was seen non-empty;
 * otherwise it is read again shortly, and in the end it is a coded error. An empty file
 * written in the last 2 s is looked at again a few times (~0.4 s) before it counts as empty.
 */
function readWhole(path: string, pathArg: string, first: Stats): Buffer {
  if (!first.isFile()) {
    // A pipe (`run <(…)`) or a device: one read, nothing to compare with.
    try {
      return readFileSync(path);
    } catch (error) {
      throw unreadable(pathArg, error);
    }
  }
  let seen = first.size;
  let emptyLooks = 0;
  let last = { before: first.size, read: -1 };
  for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (error) {
      throw unreadable(pathArg, error);
    }
    let before: Stats;
    let bytes: Buffer;
    let after: Stats;
    try {
      before = fstatSync(fd);
      bytes = readFileSync(fd);
      after = fstatSync(fd);
    } catch (error) {
      throw unreadable(pathArg, error);
    } finally {
      closeSync(fd);
    }
    seen = Math.max(seen, before.size, after.size);
    const consistent =
      bytes.length === before.size && after.size === before.size && after.mtimeMs === before.mtimeMs;
    if (consistent && bytes.length > 0) return bytes;
    if (consistent && seen === 0) {
      if (Date.now() - after.mtimeMs > RECENT_MS || emptyLooks >= EMPTY_LOOKS) return bytes;
      emptyLooks++;
    }
    last = { before: before.size, read: bytes.length };
    if (attempt < READ_ATTEMPTS) sleepSync(attempt * 20);
  }
  throw new KernelkitError(
    "KK_NOTEBOOK_CHANGING",
    `${pathArg} kept changing while it was read (${last.before} bytes when opened, ${last.read} read)`,
    {
      hint: "Another program is writing it (an editor saving?). Run the command again once it has finished.",
    },
  );
}

/** A notebook file with what writing it back needs (format, document, notebook metadata). */
export function loadNotebookFile(pathArg: string): NotebookFile {
  const path = resolve(pathArg);
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new KernelkitError("KK_NOTEBOOK_NOT_FOUND", `notebook not found: ${pathArg}`, {
        hint: "Check the path; notebooks are .ts, .mts, .js, .mjs, .py or .ipynb files.",
      });
    }
    throw new KernelkitError("KK_NOTEBOOK_UNREADABLE", `cannot read ${pathArg}: ${(error as Error).message}`);
  }
  if (stat.isDirectory()) {
    throw new KernelkitError("KK_NOTEBOOK_IS_DIRECTORY", `${pathArg} is a directory, not a notebook`, {
      hint: "Pass a notebook file inside it, e.g. examples/notebooks/sales.ts.",
    });
  }
  const ipynb = isIpynbPath(path);
  const kind = ipynb ? null : resolveNotebookKind(path, pathArg);
  const bytes = readWhole(path, pathArg, stat);
  if (bytes.includes(0)) {
    throw new KernelkitError(
      "KK_NOTEBOOK_BINARY",
      `${pathArg} looks like a binary file (it contains NUL bytes)`,
      {
        hint: "A notebook is a UTF-8 text file.",
      },
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new KernelkitError("KK_NOTEBOOK_BINARY", `${pathArg} is not valid UTF-8 text`, {
      hint: "Save the notebook as UTF-8.",
    });
  }
  if (ipynb) {
    const { notebook, document, style } = readIpynb(text, path, pathArg);
    return { notebook, format: "ipynb", metadata: document.metadata, document, style };
  }
  const notebook = parseNotebook(text, { path, ...kind! });
  const header = notebook.frontMatter ?? null;
  const metadata = header ? percentHeaderMetadata(header, pathArg) : {};
  return { notebook, format: "percent", metadata, document: null, style: null };
}

/** The notebook in a file (percent or .ipynb). */
export function loadNotebook(pathArg: string): Notebook {
  return loadNotebookFile(pathArg).notebook;
}
