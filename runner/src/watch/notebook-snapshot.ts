// The file → cells step of `watch`: one function, so every notebook kind `loadNotebook` reads
// (percent files, and .ipynb where supported) is watched the same way.
import { statSync } from "node:fs";
import { isKernelkitError, KernelkitError, type Notebook } from "@kernelkit/core";
import { loadNotebook } from "../load-notebook.ts";

/** Files larger than this are refused while watching (an accidental paste, not a notebook). */
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

export function maxNotebookBytes(): number {
  const env = Number(process.env.KERNELKIT_WATCH_MAX_BYTES);
  return Number.isFinite(env) && env > 0 ? env : DEFAULT_MAX_BYTES;
}

export type Snapshot =
  | { ok: true; notebook: Notebook }
  | {
      ok: false;
      /** missing: wait for the file to come back; the others: wait for the next save. */
      reason: "missing" | "empty" | "too-large" | "unreadable" | "invalid";
      error: KernelkitError;
    };

export function readNotebookSnapshot(path: string, maxBytes = maxNotebookBytes()): Snapshot {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      return {
        ok: false,
        reason: "missing",
        error: new KernelkitError("KK_WATCH_NOTEBOOK_GONE", `${path} is gone; waiting for it to come back`, {
          hint: "Restore or save the notebook again; the kernel and its values are kept meanwhile.",
        }),
      };
    return { ok: false, reason: "unreadable", error: unreadable(path, error) };
  }
  if (size === 0)
    return {
      ok: false,
      reason: "empty",
      error: new KernelkitError("KK_WATCH_EMPTY", `${path} is empty; nothing changed`, {
        hint: "An editor may be mid-save; the next save with cells counts.",
      }),
    };
  if (size > maxBytes)
    return {
      ok: false,
      reason: "too-large",
      error: new KernelkitError(
        "KK_WATCH_TOO_LARGE",
        `${path} is ${(size / 1048576).toFixed(1)} MB, over the ${(maxBytes / 1048576).toFixed(1)} MB watch reads; nothing changed`,
        {
          hint: "Move large data to a file the notebook reads, or raise KERNELKIT_WATCH_MAX_BYTES.",
        },
      ),
    };
  try {
    return { ok: true, notebook: loadNotebook(path) };
  } catch (error) {
    if (isKernelkitError(error) && error.code === "KK_NOTEBOOK_NOT_FOUND")
      return readNotebookSnapshot(path, maxBytes);
    if (isKernelkitError(error) && error.code === "KK_NOTEBOOK_UNREADABLE")
      return { ok: false, reason: "unreadable", error: unreadable(path, error) };
    return {
      ok: false,
      reason: "invalid",
      error: new KernelkitError(
        "KK_WATCH_INVALID",
        `${path} does not load (${isKernelkitError(error) ? `${error.code}: ` : ""}${(error as Error).message}); nothing changed`,
        { hint: isKernelkitError(error) && error.hint ? error.hint : "Fix the file and save again." },
      ),
    };
  }
}

function unreadable(path: string, error: unknown): KernelkitError {
  const code = (error as NodeJS.ErrnoException).code;
  return new KernelkitError(
    "KK_WATCH_UNREADABLE",
    `cannot read ${path}${code ? ` (${code})` : `: ${(error as Error).message}`}; nothing changed`,
    {
      hint: "Check the file's permissions and that its folder is still mounted; the next readable save counts.",
    },
  );
}
