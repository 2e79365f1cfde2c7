// The cells' `console`. Node's Console formats, then writes through its stream machinery
// (group indentation, a one-off error listener, Writable bookkeeping) on every call; a cell
// printing in a loop spends most of its time there. The methods cells call in loops (log,
// info, debug, dirxml, warn, error) format with util.format's rules and hand the text
// straight to the executor; everything else (table, dir, trace, assert, count, time*, and
// any call inside console.group) is Node's own implementation on the same streams.
import { Console } from "node:console";
import { EventEmitter } from "node:events";
import { formatWithOptions } from "node:util";

export type ConsoleStream = "stdout" | "stderr";

/** Same options object as Console's colourless formatting (colorMode: false). */
const NO_COLOR = {};

/** `console.log`'s text for these arguments, without the newline. */
function format(args: unknown[]): string {
  const first = args[0];
  // util.format returns a lone string argument unchanged (no % substitution without arguments).
  if (args.length === 1 && typeof first === "string") return first;
  return formatWithOptions(NO_COLOR, ...args);
}

export function createCellConsole(write: (stream: ConsoleStream, text: string) => void): Console {
  const stream = (name: ConsoleStream): NodeJS.WritableStream => {
    const target = new EventEmitter() as EventEmitter & { write(chunk: string | Uint8Array): boolean };
    target.write = (chunk) => {
      write(name, typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    };
    // Console adds and removes a one-off 'error' listener around every write to a stream that
    // has none; a permanent one skips that.
    target.on("error", () => {});
    return target as unknown as NodeJS.WritableStream;
  };
  const base = new Console({ stdout: stream("stdout"), stderr: stream("stderr"), colorMode: false });
  // Node binds every method to the instance, so these own properties are what cells call.
  const slow = base as unknown as Record<string, (...args: unknown[]) => void>;
  const slowLog = slow.log!;
  const slowError = slow.error!;
  const origGroup = slow.group!;
  const origGroupCollapsed = slow.groupCollapsed!;
  const origGroupEnd = slow.groupEnd!;
  // Inside a group Node indents every line: those calls take Node's path.
  let depth = 0;
  const toStdout = (args: unknown[]): void => {
    if (depth > 0) slowLog(...args);
    else write("stdout", `${format(args)}\n`);
  };
  const toStderr = (args: unknown[]): void => {
    if (depth > 0) slowError(...args);
    else write("stderr", `${format(args)}\n`);
  };
  const methods: Record<string, (...args: unknown[]) => void> = {
    // A lone string (most calls in a printing loop) is its own text: written here, with no
    // further call, which is what counts while the loop still runs unoptimized.
    log: (...args) => {
      const first = args[0];
      if (depth === 0 && args.length === 1 && typeof first === "string") write("stdout", `${first}\n`);
      else toStdout(args);
    },
    info: (...args) => toStdout(args),
    debug: (...args) => toStdout(args),
    dirxml: (...args) => toStdout(args),
    error: (...args) => {
      const first = args[0];
      if (depth === 0 && args.length === 1 && typeof first === "string") write("stderr", `${first}\n`);
      else toStderr(args);
    },
    warn: (...args) => toStderr(args),
    // Node's group prints its label through `this.log`, then indents.
    group: (...label) => {
      origGroup(...label);
      depth++;
    },
    groupCollapsed: (...label) => {
      origGroupCollapsed(...label);
      depth++;
    },
    groupEnd: () => {
      origGroupEnd();
      if (depth > 0) depth--;
    },
  };
  for (const name of Object.keys(methods)) {
    const fn = methods[name]!;
    Object.defineProperty(fn, "name", { value: name });
    slow[name] = fn;
  }
  return base;
}
