// `run --output OUT.ipynb` / `--inplace`: where the executed notebook goes, checked before any
// cell runs, and the atomic write (temporary file in the same folder, then rename).
import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { KernelkitError } from "@kernelkit/core";
import { executedIpynb, NBFORMAT_STYLE, notebookToIpynb, serializeIpynb } from "./formats/ipynb.ts";
import type { IpynbRecorder } from "./formats/ipynb-recorder.ts";
import { nbformatProblem } from "./formats/ipynb-schema.ts";
import { isIpynbPath, type NotebookFile } from "./load-notebook.ts";

export interface OutputTarget {
  path: string;
  pathArg: string;
  inplace: boolean;
}

export interface OutputOptions {
  output?: string | undefined;
  inplace?: boolean | undefined;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
  } catch {
    return false;
  }
  return true;
}

/** Where the executed notebook goes, or null. Throws (exit 2) before anything runs when it cannot go there. */
export function planOutput(
  file: NotebookFile,
  options: OutputOptions,
  notebookArg: string,
): OutputTarget | null {
  if (options.output !== undefined && options.inplace) {
    throw new KernelkitError("KK_USAGE", "--output and --inplace cannot be used together", {
      hint: "--inplace rewrites the input notebook; --output writes a new one.",
    });
  }
  if (options.inplace) {
    const path = file.notebook.path ?? resolve(notebookArg);
    if (file.format !== "ipynb") {
      throw new KernelkitError(
        "KK_USAGE",
        `--inplace needs an .ipynb notebook; ${notebookArg} is a percent file`,
        {
          hint: "A percent file has no place for outputs: use --output OUT.ipynb.",
        },
      );
    }
    const mode = statSync(path).mode;
    if ((mode & 0o222) === 0 || !writable(path) || !writable(dirname(path))) {
      throw new KernelkitError(
        "KK_IPYNB_READ_ONLY",
        `${notebookArg} is read-only; --inplace cannot rewrite it`,
        {
          hint: "Make it writable (chmod u+w), or write the result elsewhere with --output OUT.ipynb.",
        },
      );
    }
    return { path, pathArg: notebookArg, inplace: true };
  }
  if (options.output === undefined) return null;
  const pathArg = options.output;
  const path = resolve(pathArg);
  if (!isIpynbPath(path)) {
    throw new KernelkitError("KK_USAGE", `--output must name an .ipynb file (got ${pathArg})`, {
      hint: "Outputs are saved in Jupyter's format: --output result.ipynb. To change formats, use `kernelkit convert`.",
    });
  }
  checkOutputPath(path, pathArg);
  return { path, pathArg, inplace: false };
}

/** Throws (exit 2) when `path` cannot be written: missing folder, a folder, or not writable. */
export function checkOutputPath(path: string, pathArg: string): void {
  const dir = dirname(path);
  let dirStat: ReturnType<typeof statSync> | null = null;
  try {
    dirStat = statSync(dir);
  } catch {}
  if (!dirStat?.isDirectory()) {
    throw new KernelkitError(
      "KK_IPYNB_OUTPUT_FOLDER",
      `cannot write ${pathArg}: the folder ${dirname(pathArg)} does not exist`,
      { hint: `Create it first (mkdir -p ${dirname(pathArg)}), or choose another path.` },
    );
  }
  let existing: ReturnType<typeof statSync> | null = null;
  try {
    existing = statSync(path);
  } catch {}
  if (existing?.isDirectory()) {
    throw new KernelkitError("KK_IPYNB_OUTPUT_FOLDER", `cannot write ${pathArg}: it is a folder`, {
      hint: "Give a file name (an .ipynb for run --output).",
    });
  }
  if (!writable(dir) || (existing && ((existing.mode & 0o222) === 0 || !writable(path)))) {
    throw new KernelkitError("KK_IPYNB_READ_ONLY", `cannot write ${pathArg}: permission denied`, {
      hint: "Choose a writable path.",
    });
  }
}

/** Writes `text` to `path` through a temporary file in the same folder and a rename. */
export function writeAtomic(path: string, pathArg: string, text: string): void {
  let mode = 0o666;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {}
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(temp, text, { mode });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new KernelkitError(
      "KK_IPYNB_WRITE",
      `cannot write ${pathArg}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { hint: "Check the folder's permissions and free space." },
    );
  }
}

/** Writes the executed notebook to the target, atomically. */
export function writeOutput(target: OutputTarget, file: NotebookFile, recorder: IpynbRecorder): void {
  const document = file.document ?? notebookToIpynb(file.notebook, file.metadata);
  const style = file.document ? (file.style ?? NBFORMAT_STYLE) : NBFORMAT_STYLE;
  const executed = executedIpynb(
    document,
    file.notebook.cells.map((c) => c.id),
    recorder.outputs(),
  );
  const problem = nbformatProblem(executed, executed.nbformat_minor);
  if (problem) {
    throw new KernelkitError("KK_INTERNAL", `the executed notebook would not be valid nbformat: ${problem}`, {
      hint: `Nothing was written to ${target.pathArg}. Please report this with the notebook.`,
    });
  }
  writeAtomic(target.path, target.pathArg, serializeIpynb(executed, style));
}
