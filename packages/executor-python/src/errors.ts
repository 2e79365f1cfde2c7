// Errors of Python cells and of the Python process, all in one place.
import { KernelkitError } from "@kernelkit/core";

/** A Python exception raised by a cell: `name` is its class (`ZeroDivisionError`), `message` its str(). */
export class PythonError extends Error {
  /** `module.QualName` of the exception class, e.g. `builtins.ZeroDivisionError`. */
  readonly pythonType: string;
  /** Python's traceback of the cell's frames, at notebook line numbers. */
  readonly traceback: readonly string[];
  /** KK_MISSING_REF for a NameError (a name nothing defined), else undefined. */
  readonly code: string | undefined;

  constructor(name: string, message: string, pythonType: string, traceback: readonly string[]) {
    super(message);
    this.name = name;
    this.pythonType = pythonType;
    this.traceback = traceback;
    this.code = pythonType === "builtins.NameError" ? "KK_MISSING_REF" : undefined;
    // The Python traceback is the only stack that means anything to the user.
    this.stack = traceback.join("\n");
  }
}

/** `sys.exit()`, `exit()` or `quit()` in a cell: the cell fails, the kernel keeps running. */
export class PythonSystemExit extends KernelkitError {
  constructor(readonly exitCode: number | string | null) {
    super(
      "KK_PROCESS_EXIT",
      `sys.exit(${exitCode === null ? "" : JSON.stringify(exitCode)}) was called in a cell; the kernel keeps running`,
      { hint: "Raise an exception to stop a cell; to stop the kernel, shut it down from the client." },
    );
    this.name = "SystemExit";
  }
}

/** The Python process could not start, exited, or was restarted. */
export class PythonProcessError extends KernelkitError {
  constructor(code: string, message: string, hint: string) {
    super(code, message, { hint });
    this.name = "PythonProcessError";
  }
}

const lastLines = (text: string, n = 6): string => text.trim().split("\n").slice(-n).join("\n").trim();

export const pythonErrors = {
  notFound: (python: string) =>
    new PythonProcessError(
      "KK_PYTHON_START",
      `cannot start Python: '${python}' was not found`,
      "Install Python 3.8 or newer as python3 on PATH, or name the interpreter with KERNELKIT_PYTHON or the executor's `python` option.",
    ),
  startFailed: (python: string, how: string, stderr: string) =>
    new PythonProcessError(
      "KK_PYTHON_START",
      `Python ('${python}') exited during startup (${how})${stderr ? `: ${lastLines(stderr)}` : ""}`,
      "Check that the interpreter runs (`python3 -c pass`) and is Python 3.8 or newer.",
    ),
  exited: (how: string, cell: string) =>
    new PythonProcessError(
      "KK_PYTHON_EXITED",
      `the Python process ended (${how}) while ${cell} ran; a new one starts for the next cell, and every name the old one held is lost`,
      "os._exit(), a signal, or a crash in a C extension ends the Python process; use sys.exit() or raise an exception to stop a cell, then re-run the cells it needs.",
    ),
  restarted: (why: string) =>
    new PythonProcessError(
      "KK_PYTHON_RESTARTED",
      `the Python process was restarted (${why}) before this cell ran; every name it held is lost`,
      "Re-run the cells this one depends on.",
    ),
  disposed: () =>
    new PythonProcessError(
      "KK_PYTHON_DISPOSED",
      "the Python executor was disposed",
      "Start a new kernel to run more cells.",
    ),
  value: (name: string, reason: string) =>
    new KernelkitError("KK_PYTHON_VALUE", `cannot give '${name}' to Python: ${reason}`, {
      hint: "Only JSON values (null, booleans, numbers, strings, arrays, plain objects) cross into Python.",
    }),
  internal: (detail: string) =>
    new KernelkitError("KK_INTERNAL", `kernelkit's Python runner failed: ${detail}`, {
      hint: "This is a bug in @kernelkit/executor-python; please report it with the cell's code.",
    }),
  options: (message: string) =>
    new KernelkitError("KK_CONFIG_INVALID", `executor 'python': ${message}`, {
      hint: "Options: python (interpreter path), interruptGraceMs (number ≥ 0), env (object of strings).",
    }),
};
