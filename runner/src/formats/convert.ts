// percent ↔ ipynb, faithful like jupytext: cells, kinds, names and metadata carry over; outputs
// are dropped going to percent. The target's format is chosen by its extension.
import { KernelkitError, lineCommentOf, type Notebook } from "@kernelkit/core";
import { type NotebookFile, resolveNotebookKind } from "../load-notebook.ts";
import { NBFORMAT_STYLE, notebookToIpynb, serializeIpynb } from "./ipynb.ts";
import { writePercent } from "./percent-writer.ts";

/** The text of `file` in the format `outPath`'s extension names. */
export function convertedText(file: NotebookFile, outPath: string, outArg = outPath): string {
  if (/\.ipynb$/i.test(outPath)) {
    // An .ipynb read as such keeps its document; cells are rebuilt only from percent files.
    if (file.document) {
      const cells = file.document.cells.map((cell) => {
        if (cell.cell_type !== "code") return cell;
        return { ...cell, execution_count: null, outputs: [] };
      });
      return serializeIpynb({ ...file.document, cells }, file.style ?? NBFORMAT_STYLE);
    }
    return serializeIpynb(notebookToIpynb(file.notebook, file.metadata));
  }
  // A language from a package's manifest converts like a built-in one (docs/notebooks.md).
  let kind: ReturnType<typeof resolveNotebookKind>;
  try {
    kind = resolveNotebookKind(outPath, outArg);
  } catch (error) {
    if ((error as KernelkitError).code !== "KK_NOTEBOOK_UNSUPPORTED") throw error;
    throw new KernelkitError("KK_USAGE", `cannot convert to ${outArg}: unknown notebook extension`, {
      hint: "Convert to .ipynb, or to a percent notebook (.ts, .mts, .js, .mjs, .py, or a language a package declares).",
    });
  }
  const notebook: Notebook = file.notebook;
  if (kind.language !== notebook.language) {
    throw new KernelkitError(
      "KK_USAGE",
      `cannot convert a ${notebook.language} notebook to ${outArg} (a ${kind.language} file)`,
      { hint: "Pick the extension of the notebook's language (.py for Python, .ts/.js for JS/TS)." },
    );
  }
  return writePercent(
    { ...notebook, typescript: kind.typescript },
    file.metadata,
    kind.lineComment ?? lineCommentOf(kind.language),
  );
}
