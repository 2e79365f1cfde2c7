// Every error a user can see carries a stable `code` and, where it helps, a `hint`.
// Classes are recognised across copies of this package by a Symbol.for brand,
// because tests load packages from source while the CLI loads their build.

export const ERROR_BRAND: unique symbol = Symbol.for("kernelkit.error") as never;

export type ErrorCode =
  // usage and notebooks
  | "KK_USAGE"
  | "KK_NOTEBOOK_NOT_FOUND"
  | "KK_NOTEBOOK_IS_DIRECTORY"
  | "KK_NOTEBOOK_UNREADABLE"
  | "KK_NOTEBOOK_BINARY"
  | "KK_NOTEBOOK_UNSUPPORTED"
  | "KK_NOTEBOOK_CHANGING"
  | "KK_DUPLICATE_NAME"
  // static and runtime errors of cells
  | "KK_SYNTAX"
  | "KK_MULTIPLE_DEFINITION"
  | "KK_CYCLE"
  | "KK_REASSIGN"
  | "KK_MISSING_REF"
  | "KK_STAR_IMPORT"
  | "KK_UNSUPPORTED_MAGIC"
  | "KK_RUNTIME"
  | "KK_CANCELLED"
  | "KK_DISABLED"
  | "KK_INTERRUPTED"
  | "KK_TIMEOUT"
  | "KK_PROCESS_EXIT"
  | "KK_SKIPPED"
  | "KK_UNKNOWN_CELL"
  | "KK_STRICT"
  // config and plugins
  | "KK_CONFIG_INVALID"
  | "KK_CONFIG_NOT_FOUND"
  | "KK_CONFIG_UNKNOWN_KEY"
  | "KK_PLUGIN_NOT_FOUND"
  | "KK_PLUGIN_LOAD"
  | "KK_PLUGIN_CONSTRUCT"
  | "KK_PLUGIN_SHAPE"
  | "KK_PLUGIN_INCOMPATIBLE"
  | "KK_PLUGIN_AMBIGUOUS"
  | "KK_PLUGIN_DENIED"
  | "KK_PLUGIN_REQUIRES"
  | "KK_PLUGIN_LANGUAGE"
  | "KK_PLUGIN_MANIFEST"
  | "KK_PLUGIN_OPTIONS"
  | "KK_NO_EXECUTOR"
  | "KK_LIFECYCLE_FAILED"
  | "KK_HOOK_FAILED"
  | "KK_CONFORMANCE"
  | "KK_CONFORMANCE_SAMPLES"
  // the built-in plugins
  | "KK_EXECUTOR_DISPOSED"
  | "KK_PYTHON_START"
  | "KK_PYTHON_EXITED"
  | "KK_PYTHON_RESTARTED"
  | "KK_PYTHON_DISPOSED"
  | "KK_PYTHON_VALUE"
  | "KK_PROFILE_WRITE"
  | "KK_TRANSPORT_UNAVAILABLE"
  | "KK_WS_NOT_BUILT"
  | "KK_WS_IO_THREAD"
  | "KK_WS_LISTEN"
  | "KK_WS_CONNECT"
  | "KK_WS_CLOSED"
  | "KK_WS_CLOSING"
  | "KK_WS_UNAUTHORIZED"
  | "KK_WS_FORBIDDEN_ORIGIN"
  | "KK_WS_NOT_LOOPBACK"
  | "KK_WS_WEAK_TOKEN"
  | "KK_JUPYTER_BIND"
  | "KK_JUPYTER_CONNECTION_FILE"
  | "KK_JUPYTER_PORT_IN_USE"
  // kernelkit watch
  | "KK_WATCH_EMPTY"
  | "KK_WATCH_FAILED"
  | "KK_WATCH_INVALID"
  | "KK_WATCH_NOTEBOOK_GONE"
  | "KK_WATCH_TOO_LARGE"
  | "KK_WATCH_UNREADABLE"
  // wire-protocol answers a handler can throw (error_reply codes)
  | "INVALID_REQUEST"
  | "UNKNOWN_COMMAND"
  | "KK_TYPES_TSCONFIG"
  | "KK_TYPES_LIB"
  | "KK_TYPES_CELL_TOO_LARGE"
  | "KK_TYPES_UNAVAILABLE"
  | "KK_TYPES_WORKER"
  | "KK_INTERNAL"
  // notebooks as people have them: .ipynb, headers, parameters
  | "KK_IPYNB_INVALID"
  | "KK_IPYNB_INVALID_JSON"
  | "KK_IPYNB_NO_LANGUAGE"
  | "KK_IPYNB_OUTPUT_FOLDER"
  | "KK_IPYNB_READ_ONLY"
  | "KK_IPYNB_UNKNOWN_LANGUAGE"
  | "KK_IPYNB_UNSUPPORTED_VERSION"
  | "KK_IPYNB_WRITE"
  | "KK_NOTEBOOK_HEADER"
  | "KK_NO_PARAMETERS_CELL"
  | "KK_PARAMETERS_FILE"
  | "KK_UNKNOWN_PARAMETER";

export interface KernelkitErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
}

/** Base class of every coded kernelkit error. */
export class KernelkitError<Code extends string = ErrorCode> extends Error {
  readonly code: Code;
  readonly hint: string | undefined;
  readonly [ERROR_BRAND] = true;

  /**
   * `code` is one of core's `ErrorCode`s, checked at compile time. A third-party plugin with
   * codes of its own names them as the type argument: `new KernelkitError<MyCode>("KK_GPU_OOM", …)`.
   */
  constructor(code: NoInfer<Code>, message: string, options: KernelkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KernelkitError";
    this.code = code;
    this.hint = options.hint;
  }
}

/** True for a KernelkitError from any copy of this package. */
export function isKernelkitError(value: unknown): value is KernelkitError {
  return (
    typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[ERROR_BRAND] === true
  );
}

/**
 * A lifecycle failed a cell by throwing in setup (or teardown): the message names the lifecycle,
 * the cause is what it threw.
 */
export class LifecycleError extends KernelkitError {
  constructor(
    readonly lifecycle: string,
    readonly phase: "setup" | "teardown",
    cause: unknown,
  ) {
    super(
      "KK_LIFECYCLE_FAILED",
      `lifecycle '${lifecycle}' failed the cell in ${phase}: ${describeThrown(cause).message}`,
      {
        cause,
        hint: `The '${lifecycle}' lifecycle decided this cell cannot run; see its documentation.`,
      },
    );
    this.name = "LifecycleError";
  }
}

/** A cell's code could not be parsed. `line`/`column` are 1-based notebook positions. */
export class CellSyntaxError extends KernelkitError {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super("KK_SYNTAX", message);
    this.name = "SyntaxError";
  }
}

export class MultipleDefinitionError extends KernelkitError {
  /** Every name of the cell that another cell defines too (the first is `variable`). */
  readonly conflicts: readonly { variable: string; otherCells: readonly string[] }[];

  constructor(
    readonly variable: string,
    readonly otherCells: readonly string[],
    more: readonly { variable: string; otherCells: readonly string[] }[] = [],
  ) {
    const conflicts = [{ variable, otherCells }, ...more];
    const also = (cells: readonly string[]) => cells.map((c) => `'${c}'`).join(", ");
    const names = conflicts.map((c) => `'${c.variable}'`);
    super(
      "KK_MULTIPLE_DEFINITION",
      conflicts.length === 1
        ? `'${variable}' is defined by more than one cell: also by ${also(otherCells)}`
        : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} are defined by more than one cell: ${conflicts.map((c) => `'${c.variable}' also by ${also(c.otherCells)}`).join("; ")}`,
      {
        hint: `Define ${conflicts.length === 1 ? `'${variable}'` : "each name"} in exactly one cell, or rename it (names starting with _ are private); a notebook written to run top to bottom runs with --mode sequential.`,
      },
    );
    this.name = "MultipleDefinitionError";
    this.conflicts = conflicts;
  }
}

export class CycleError extends KernelkitError {
  constructor(readonly edges: readonly { from: string; to: string; names: readonly string[] }[]) {
    super(
      "KK_CYCLE",
      `cells form a cycle: ${edges.map((e) => `'${e.from}' -> '${e.to}' (${e.names.join(", ")})`).join("; ")}`,
      {
        hint: "Break the cycle by moving one of the shared names into its own cell, or run the notebook top to bottom with --mode sequential.",
      },
    );
    this.name = "CycleError";
  }
}

export class ReassignError extends KernelkitError {
  constructor(
    readonly variable: string,
    readonly definedBy: string,
  ) {
    super("KK_REASSIGN", `'${variable}' is defined by cell '${definedBy}' and cannot be reassigned here`, {
      hint: `Mutate the object instead, move the assignment into cell '${definedBy}', or run the notebook top to bottom with --mode sequential.`,
    });
    this.name = "ReassignError";
  }
}

/** Where a missing ref is read, so the error can point at the notebook line. */
export interface MissingRefSite {
  language: string;
  /** The notebook file as tracebacks show it. */
  file: string;
  /** The cell's label. */
  cell: string;
  /** 1-based notebook line of the first read, and that line's text. */
  line: number;
  source: string;
}

/**
 * A ref that is not available when the cell is about to run. Its name is the language's own:
 * ReferenceError in JS/TS, NameError (with Python's message and a traceback line) in Python.
 */
export class MissingRefError extends KernelkitError {
  readonly traceback: string[] | undefined;
  constructor(
    readonly variable: string,
    readonly definedBy: string | null,
    site?: MissingRefSite,
  ) {
    const python = site?.language === "python";
    const hint =
      definedBy === null
        ? `No cell defines '${variable}': define or import it in a cell.`
        : `Cell '${definedBy}' defines '${variable}': make it run successfully first.`;
    super(
      "KK_MISSING_REF",
      python
        ? `name '${variable}' is not defined`
        : definedBy === null
          ? `${variable} is not defined (no cell defines it)`
          : `${variable} is not defined: cell '${definedBy}', which defines it, did not run successfully`,
      { hint },
    );
    this.name = python ? "NameError" : "ReferenceError";
    this.traceback =
      python && site
        ? [
            `NameError: name '${variable}' is not defined`,
            `  File "${site.file}", line ${site.line}, in <cell ${site.cell}>`,
            `    ${site.source.trim()}`,
            `hint: ${hint}`,
          ]
        : undefined;
  }
}

/** `from m import *` in reactive mode: the names it binds cannot be known before it runs. */
export class StarImportError extends KernelkitError {
  constructor(
    readonly module: string,
    readonly line: number,
  ) {
    super(
      "KK_STAR_IMPORT",
      `'from ${module} import *' (line ${line}): the names a star import defines are known only when it runs, so other cells cannot depend on them`,
      {
        hint: `Import the names you use explicitly (from ${module} import name, other), or run the notebook top to bottom with --mode sequential.`,
      },
    );
    this.name = "StarImportError";
  }
}

/** A static problem of a cell other than a syntax error (an IPython magic kernelkit does not run). */
/** Its code comes from the analyzer (an executor's `analyze` may name codes of its own). */
export class CellStaticProblem extends KernelkitError {
  constructor(
    code: string,
    name: string,
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(code as ErrorCode, message);
    this.name = name;
  }
}

/** A queued cell that did not run because an ancestor failed or was interrupted. */
export class CancelledError extends KernelkitError {
  constructor(
    readonly ancestor: string,
    reason = "raised an error",
    /** "earlier" in sequential mode, where every later cell is cancelled. */
    relation: "ancestor" | "earlier" = "ancestor",
  ) {
    super("KK_CANCELLED", `cancelled: ${relation} cell '${ancestor}' ${reason}`);
    this.name = "CancelledError";
  }
}

export class DisabledError extends KernelkitError {
  constructor(readonly disabledCell: string) {
    super("KK_DISABLED", `not run: cell '${disabledCell}' is disabled`);
    this.name = "DisabledError";
  }
}

/** The running cell was interrupted (SIGINT, an `interrupt` request, or a timeout). */
export class InterruptedError extends KernelkitError {
  constructor(message = "execution was interrupted") {
    super("KK_INTERRUPTED", message);
    this.name = "Interrupted";
  }
}

/** Thrown inside a cell by `process.exit()`, which the kernel contains. */
export class ProcessExitError extends KernelkitError {
  constructor(readonly exitCode: number) {
    super("KK_PROCESS_EXIT", `process.exit(${exitCode}) was called in a cell; the kernel keeps running`);
    this.name = "ProcessExit";
  }
}

/**
 * What an executor throws for an error raised by user code. `cause` is the user's own
 * error; `traceback` holds user frames only, with notebook line numbers.
 */
export class CellRuntimeError extends KernelkitError {
  readonly traceback: string[];
  constructor(cause: unknown, traceback: string[]) {
    super("KK_RUNTIME", describeThrown(cause).message, { cause });
    this.name = "CellRuntimeError";
    this.traceback = traceback;
  }
}

export function isCellRuntimeError(value: unknown): value is CellRuntimeError {
  return isKernelkitError(value) && value.code === "KK_RUNTIME";
}

/** A plain description of any thrown value, whichever realm it came from. */
export function describeThrown(value: unknown): { name: string; message: string } {
  if (value !== null && typeof value === "object") {
    const v = value as { name?: unknown; message?: unknown };
    const name = typeof v.name === "string" && v.name ? v.name : (value.constructor?.name ?? "Error");
    const message = typeof v.message === "string" ? v.message : safeString(value);
    return { name, message };
  }
  return { name: "Error", message: `Uncaught ${safeString(value)}` };
}

function safeString(value: unknown): string {
  try {
    return typeof value === "string" ? value : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

// ---- diagnostics factories (one place for every message of the framework) ----

export const diagnostics = {
  usage: (message: string, hint?: string) => new KernelkitError("KK_USAGE", message, { hint }),
  unknownCell: (id: string) =>
    new KernelkitError("KK_UNKNOWN_CELL", `no cell with id '${id}'`, {
      hint: "Use the ids reported in the `graph` frame.",
    }),
  internal: (message: string, cause?: unknown) => new KernelkitError("KK_INTERNAL", message, { cause }),
};
