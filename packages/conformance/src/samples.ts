// Language-specific code samples the executor cases run (like jupyter_kernel_test's code
// samples): the cases say what must happen, the samples say how to write it in a language.
// JavaScript is the default; Python ships too, so executor-python runs the very same cases.

/** A cell raising an error on a known line of the cell. */
export interface RaisingCell {
  code: string;
  /** 1-based line of the cell on which the error is raised. */
  line: number;
}

/**
 * How to write each case's cell in one language. Every function returns the source of one
 * cell; the kit runs it through the executor and checks what a notebook user would see.
 * Field by field, with a template for a new language: docs/conformance-samples.md.
 */
export interface LanguageSamples {
  /** The executor's `language` these samples are written in ("shell"); must equal executor.language. */
  readonly language: string;
  /** Extension of the pretend notebook file cells come from (".sh"); tracebacks are checked against it. */
  readonly extension: string;
  /** JavaScript only: cells are analysed as TypeScript. */
  readonly typescript?: boolean;
  /** A cell binding `name` to the integer `value`, with no output. */
  define(name: string, value: number): string;
  /**
   * A cell whose *output* is `a + b` (integers or names bound to integers). "Output" is what
   * execute resolves with (the cell's result, text/plain); in a language without expressions
   * it is whatever the executor defines as a cell's result (e.g. what the cell writes to fd 3).
   */
  add(a: number | string, b: number | string): string;
  /** text/plain of an integer output, as the executor formats it ("42"). */
  intText(n: number): string;
  /** A cell writing `text` and a newline to stdout. */
  print(text: string): string;
  /** A cell writing `text` and a newline to stderr. */
  printErr(text: string): string;
  /** A cell displaying the string `text` while it runs; omit when the language has no display() (case `display` is then n/a). */
  display?(text: string): string;
  /** A cell raising an error of class `errorName` whose message contains `message`. */
  raise(message: string): string;
  /** The error class name (the cause's `name`) that `raise`, `raiseInFunction` and `asyncRaise` produce. */
  readonly errorName: string;
  /** A cell defining a function `fn` that raises `message`, then calling it; `line` is the raising line. */
  raiseInFunction(fn: string, message: string): RaisingCell;
  /** A cell whose output is the value of `name`. */
  read(name: string): string;
  /** The error class (cause `name`) reading an unbound name raises ("ReferenceError", "NameError"); its message names the name. */
  readonly undefinedNameError: string;
  /** A cell that waits about `ms` without blocking (an await), then outputs `a + b`. */
  asyncAdd(a: number, b: number, ms: number): string;
  /** A cell that waits, then raises an error of class `errorName` whose message contains `message`. */
  asyncRaise(message: string): string;
  /** A cell that waits about `ms` without blocking, then writes `text` and a newline to stdout. */
  asyncPrint(text: string, ms: number): string;
  /** A cell that writes `marker` and a newline to stdout (flushed), then waits forever without blocking. */
  waitForever(marker: string): string;
  /** A cell that writes `marker` and a newline to stdout (flushed), then loops forever without yielding. */
  busyLoop(marker: string): string;
  /**
   * Cases the language cannot express, by case id, with the reason shown on the scorecard as
   * n/a (never counted as passed), e.g. `{ traceback: "sh has no line-numbered frames" }`.
   * Ids: see EXECUTOR_CASE_IDS and docs/conformance-samples.md.
   */
  readonly notApplicable?: Readonly<Record<string, string>>;
}

/** The ids of the executor cases, for LanguageSamples.notApplicable. */
export const EXECUTOR_CASE_IDS: readonly string[] = [
  "output",
  "no-output",
  "defs",
  "redefine",
  "streams",
  "display",
  "error",
  "traceback",
  "undefined-name",
  "after-error",
  "async-output",
  "async-error",
  "interrupt-wait",
  "interrupt-busy",
  "after-interrupt",
  "idle-interrupt",
  "isolation",
  "concurrent-output",
  "dispose-idempotent",
  "execute-after-dispose",
  "dispose-one",
];

const js = JSON.stringify;

export const javascriptSamples: LanguageSamples = {
  language: "javascript",
  extension: ".ts",
  typescript: true,
  define: (name, value) => `const ${name}: number = ${value};`,
  add: (a, b) => `${a} + ${b}`,
  intText: (n) => String(n),
  print: (text) => `console.log(${js(text)});`,
  printErr: (text) => `console.error(${js(text)});`,
  display: (text) => `display(${js(text)});`,
  raise: (message) => `throw new TypeError(${js(message)});`,
  errorName: "TypeError",
  raiseInFunction: (fn, message) => ({
    code: `function ${fn}(): never {\n  throw new TypeError(${js(message)});\n}\n${fn}();`,
    line: 2,
  }),
  read: (name) => name,
  undefinedNameError: "ReferenceError",
  asyncAdd: (a, b, ms) => `await new Promise((r) => setTimeout(r, ${ms}));\n${a} + ${b}`,
  asyncRaise: (message) =>
    `await new Promise((r) => setTimeout(r, 5));\nthrow new TypeError(${js(message)});`,
  asyncPrint: (text, ms) => `await new Promise((r) => setTimeout(r, ${ms}));\nconsole.log(${js(text)});`,
  waitForever: (marker) => `console.log(${js(marker)});\nawait new Promise(() => {});`,
  busyLoop: (marker) => `console.log(${js(marker)});\nwhile (true) {}`,
};

export const pythonSamples: LanguageSamples = {
  language: "python",
  extension: ".py",
  define: (name, value) => `${name} = ${value}`,
  add: (a, b) => `${a} + ${b}`,
  intText: (n) => String(n),
  print: (text) => `print(${js(text)})`,
  printErr: (text) => `import sys\nprint(${js(text)}, file=sys.stderr)`,
  display: (text) => `display(${js(text)})`,
  raise: (message) => `raise ValueError(${js(message)})`,
  errorName: "ValueError",
  raiseInFunction: (fn, message) => ({
    code: `def ${fn}():\n    raise ValueError(${js(message)})\n\n${fn}()`,
    line: 2,
  }),
  read: (name) => name,
  undefinedNameError: "NameError",
  asyncAdd: (a, b, ms) => `import asyncio\nawait asyncio.sleep(${ms / 1000})\n${a} + ${b}`,
  asyncRaise: (message) => `import asyncio\nawait asyncio.sleep(0.005)\nraise ValueError(${js(message)})`,
  asyncPrint: (text, ms) => `import asyncio\nawait asyncio.sleep(${ms / 1000})\nprint(${js(text)})`,
  waitForever: (marker) => `import asyncio\nprint(${js(marker)}, flush=True)\nawait asyncio.Event().wait()`,
  busyLoop: (marker) => `print(${js(marker)}, flush=True)\nwhile True:\n    pass`,
};

/** Built-in samples by executor language. */
export const SAMPLES: Readonly<Record<string, LanguageSamples>> = {
  javascript: javascriptSamples,
  python: pythonSamples,
};
