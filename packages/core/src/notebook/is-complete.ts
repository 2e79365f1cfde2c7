// `is_complete` for JS/TS cells: a console front end asks whether Enter should run the code or
// open a new line. The parser decides valid vs not; a scan of brackets, strings, templates and
// comments tells "not finished yet" (incomplete) from "wrong" (invalid).

import type { IsCompleteReply } from "../contract/language-service.ts";
import { analyzeJsCell } from "./analysis.ts";

const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
const CLOSE = new Set([")", "]", "}"]);

interface Scan {
  /** Brackets still open at the end, innermost last; null when a closer did not match. */
  open: string[] | null;
  /** The code ends inside a template literal or a block comment. */
  unterminated: boolean;
}

/** Brackets left open at the end of `code` (strings, templates, comments and regexes skipped). */
function scan(code: string): Scan {
  const stack: string[] = [];
  // Template literals nest through `${`: each entry is the stack depth where that template's
  // substitution started, so `}` at that depth resumes the template.
  const templates: number[] = [];
  let i = 0;
  const n = code.length;
  let inTemplate = false;
  let prevSignificant = "";
  while (i < n) {
    const ch = code[i]!;
    if (inTemplate) {
      if (ch === "\\") i += 2;
      else if (ch === "`") {
        inTemplate = false;
        i++;
        prevSignificant = "`";
      } else if (ch === "$" && code[i + 1] === "{") {
        templates.push(stack.length);
        stack.push("{");
        inTemplate = false;
        i += 2;
        prevSignificant = "{";
      } else i++;
      continue;
    }
    if (ch === "/" && code[i + 1] === "/") {
      const end = code.indexOf("\n", i);
      i = end === -1 ? n : end;
      continue;
    }
    if (ch === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      if (end === -1) return { open: stack, unterminated: true };
      i = end + 2;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i++;
      while (i < n && code[i] !== ch && code[i] !== "\n") i += code[i] === "\\" ? 2 : 1;
      i++;
      prevSignificant = ch;
      continue;
    }
    if (ch === "`") {
      inTemplate = true;
      i++;
      continue;
    }
    if (ch === "/" && (prevSignificant === "" || "(,=:[!&|?{};+-*%<>~^".includes(prevSignificant))) {
      // A regex literal: skip to its closing slash on this line.
      i++;
      let inClass = false;
      while (i < n && code[i] !== "\n") {
        const c = code[i]!;
        if (c === "\\") i++;
        else if (c === "[") inClass = true;
        else if (c === "]") inClass = false;
        else if (c === "/" && !inClass) break;
        i++;
      }
      i++;
      prevSignificant = "/";
      continue;
    }
    if (ch in OPEN) stack.push(ch);
    else if (CLOSE.has(ch)) {
      const top = stack.pop();
      if (top === undefined || OPEN[top] !== ch) return { open: null, unterminated: false };
      if (ch === "}" && templates.length > 0 && templates[templates.length - 1] === stack.length) {
        templates.pop();
        inTemplate = true;
      }
    }
    if (!/\s/.test(ch)) prevSignificant = ch;
    i++;
  }
  return { open: stack, unterminated: inTemplate };
}

/** Whether a JS/TS cell is complete (runnable), incomplete (needs more lines) or invalid. */
export function isCompleteJs(code: string, typescript: boolean): IsCompleteReply {
  if (code.trim() === "") return { status: "complete" };
  const error = analyzeJsCell(code, typescript).error;
  if (!error) return { status: "complete" };
  const s = scan(code);
  if (s.open === null) return { status: "invalid" };
  if (s.unterminated) return { status: "incomplete", indent: "" };
  if (s.open.length > 0) return { status: "incomplete", indent: "  ".repeat(s.open.length) };
  // Balanced, yet the parser wants more: an operator or keyword at the very end (`x =`, `a +`).
  const lines = code.trimEnd().split("\n");
  if (error.line >= lines.length && error.column > lines[lines.length - 1]!.length)
    return { status: "incomplete", indent: "" };
  if (/(?:[=+\-*/%&|^<>!?:,.]|=>|\b(?:return|await|new|typeof|in|of|else|do))\s*$/.test(code))
    return { status: "incomplete", indent: "" };
  return { status: "invalid" };
}
