// How each conformance case's cell is written in __LANGUAGE__ (docs/conformance-samples.md).
// `kernelkit conformance __NAME__` finds this file through the manifest's "conformance" field.
import type { LanguageSamples } from "@kernelkit/conformance/cases";

/** A value as a single-quoted shell word. */
const q = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
/** An operand of $(( )): a number, or a name read as $name. */
const n = (x: number | string) => (typeof x === "number" ? String(x) : `$${x}`);

const samples: LanguageSamples = {
  language: "__LANGUAGE__",
  extension: "__EXTENSION__",
  define: (name, value) => `${name}=${value}`,
  // A cell's output is what it writes to fd 3.
  add: (a, b) => `echo $((${n(a)} + ${n(b)})) >&3`,
  intText: (v) => String(v),
  print: (text) => `printf '%s\\n' ${q(text)}`,
  printErr: (text) => `printf '%s\\n' ${q(text)} >&2`,
  raise: (message) => `printf '%s\\n' ${q(message)} >&2\nexit 1`,
  errorName: "ShellError",
  raiseInFunction: (fn, message) => ({
    code: `${fn}() {\n  printf '%s\\n' ${q(`${fn}: ${message}`)} >&2; return 1\n}\n${fn}`,
    line: 2,
  }),
  read: (name) => `echo "$${name}" >&3`,
  // `set -u` makes reading an unset name fail: "sh: 1: kk_x: parameter not set".
  undefinedNameError: "ShellError",
  asyncAdd: (a, b, ms) => `sleep ${ms / 1000}\necho $((${a} + ${b})) >&3`,
  asyncRaise: (message) => `sleep 0.005\nprintf '%s\\n' ${q(message)} >&2\nexit 1`,
  asyncPrint: (text, ms) => `sleep ${ms / 1000}\nprintf '%s\\n' ${q(text)}`,
  waitForever: (marker) => `printf '%s\\n' ${q(marker)}\nsleep 100000`,
  busyLoop: (marker) => `printf '%s\\n' ${q(marker)}\nwhile :; do :; done`,
  notApplicable: {
    traceback: "sh reports no line-numbered frames for a failing function",
    display: "sh has no display(): cells write text",
  },
};

export default samples;
