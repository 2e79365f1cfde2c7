// The files of the functions on the current call stack, innermost first: which cell's code a
// write outside any running cell comes from (a cell's I/O callback, a late promise) — or none
// (a plugin's hook tap or timer). Paid only by such writes: a running cell is known directly.
type CallSite = { getFileName(): string | null | undefined };

const capture = (_: Error, sites: CallSite[]): CallSite[] => sites;

export function stackFiles(limit = 64): (string | null | undefined)[] {
  const prepare = Error.prepareStackTrace;
  const prevLimit = Error.stackTraceLimit;
  Error.prepareStackTrace = capture as never;
  Error.stackTraceLimit = limit;
  const holder: { stack?: unknown } = {};
  try {
    Error.captureStackTrace(holder, stackFiles);
    const sites = holder.stack as CallSite[] | undefined;
    return Array.isArray(sites) ? sites.map((s) => s.getFileName()) : [];
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = prevLimit;
  }
}

const FRAME_FILE = /^\s*at (?:.*? \()?(.+?):\d+:\d+\)?$/;

/** The files named by an error's own stack (where it was thrown), innermost first. */
export function errorStackFiles(error: unknown): string[] {
  const stack = (error as { stack?: unknown } | null)?.stack;
  if (typeof stack !== "string") return [];
  const files: string[] = [];
  for (const line of stack.split("\n")) {
    const m = FRAME_FILE.exec(line);
    if (m) files.push(m[1]!);
  }
  return files;
}
