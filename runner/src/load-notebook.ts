// Reads a notebook file with a coded, one-line error for every way it can be wrong.
import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
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

export function loadNotebook(pathArg: string): Notebook {
  const path = resolve(pathArg);
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new KernelkitError("KK_NOTEBOOK_NOT_FOUND", `notebook not found: ${pathArg}`, {
        hint: "Check the path; notebooks are .ts, .mts, .js, .mjs or .py files.",
      });
    }
    throw new KernelkitError("KK_NOTEBOOK_UNREADABLE", `cannot read ${pathArg}: ${(error as Error).message}`);
  }
  if (stat.isDirectory()) {
    throw new KernelkitError("KK_NOTEBOOK_IS_DIRECTORY", `${pathArg} is a directory, not a notebook`, {
      hint: "Pass a notebook file inside it, e.g. examples/notebooks/sales.ts.",
    });
  }
  const kind = resolveNotebookKind(path, pathArg);
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
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new KernelkitError("KK_NOTEBOOK_BINARY", `${pathArg} is not valid UTF-8 text`, {
      hint: "Save the notebook as UTF-8.",
    });
  }
  return parseNotebook(text, { path, ...kind });
}
