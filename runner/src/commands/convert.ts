// `kernelkit convert IN OUT`: percent ↔ .ipynb by extension (docs/notebooks.md).
import { resolve } from "node:path";
import { KernelkitError } from "@kernelkit/core";
import { originalWrite } from "@kernelkit/executor-default";
import { EXIT, reportStartupError } from "../cli-error.ts";
import { convertedText } from "../formats/convert.ts";
import { loadNotebookFile } from "../load-notebook.ts";
import { plural } from "../render.ts";
import { checkOutputPath, writeAtomic } from "../run-output.ts";

export async function convertCommand(inArg: string, outArg: string): Promise<number> {
  const out = originalWrite("stdout");
  const err = originalWrite("stderr");
  try {
    const file = loadNotebookFile(inArg);
    const outPath = resolve(outArg);
    if (outPath === file.notebook.path) {
      throw new KernelkitError("KK_USAGE", `${outArg} is the input notebook`, {
        hint: "convert writes a new file: give OUT another name or extension.",
      });
    }
    const text = convertedText(file, outPath, outArg);
    checkOutputPath(outPath, outArg);
    writeAtomic(outPath, outArg, text);
    err(`kernelkit: wrote ${outArg} (${plural(file.notebook.cells.length, "cell")})\n`);
  } catch (error) {
    return reportStartupError(error, false, out, err);
  }
  return EXIT.ok;
}
