// Tracebacks that show the user's frames only, at the notebook's own lines.
import { fileURLToPath } from "node:url";
import { describeThrown, isCellRuntimeError, isKernelkitError } from "../contract/errors.ts";

const kernelRoots = new Set<string>();

/** Frames from files under this folder (a path or file URL) are the kernel's and never shown. */
export function registerKernelSource(pathOrUrl: string): void {
  let p = pathOrUrl.startsWith("file:") ? fileURLToPath(pathOrUrl) : pathOrUrl;
  if (!p.endsWith("/")) p += "/";
  kernelRoots.add(p);
}

export function isKernelFrameFile(file: string): boolean {
  if (
    file.startsWith("node:") ||
    file.startsWith("evalmachine.") ||
    file === "<anonymous>" ||
    file === "native"
  )
    return true;
  const path = file.startsWith("file:") ? safePath(file) : file;
  for (const root of kernelRoots) if (path.startsWith(root)) return true;
  return false;
}

function safePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

export interface MappedFrame {
  file: string;
  line: number;
  column: number;
  fn?: string | null;
}

/**
 * Maps a frame in generated code back to the notebook. Return a frame to show it, null to
 * drop it, undefined when the file is not one of the executor's (other rules then apply).
 */
export type FrameMapper = (
  file: string,
  line: number,
  column: number,
  fn: string | null,
) => MappedFrame | null | undefined;

const FRAME = /^\s*at (?:(async )?(?:(.*?) \()?)?(.+?):(\d+):(\d+)\)?$/;

/** The header line and user frames of an error's stack. */
export function userTraceback(error: unknown, mapFrame?: FrameMapper): string[] {
  const { name, message } = describeThrown(error);
  const lines = [`${name}: ${message}`];
  const stack =
    typeof (error as { stack?: unknown })?.stack === "string" ? (error as { stack: string }).stack : "";
  const frames: string[] = [];
  let lastUserFrame = -1;
  for (const raw of stack.split("\n")) {
    if (!/^\s*at /.test(raw)) continue;
    const m = FRAME.exec(raw);
    if (!m) continue;
    const [, asyncMark, fnRaw, file, l, c] = m;
    const fn = fnRaw ?? null;
    const mapped = mapFrame?.(file!, Number(l), Number(c), fn);
    if (mapped === null) continue;
    if (mapped) {
      const label = mapped.fn ?? fn;
      const loc = `${mapped.file}:${mapped.line}:${mapped.column}`;
      frames.push(`    at ${asyncMark ?? ""}${label ? `${label} (${loc})` : loc}`);
      lastUserFrame = frames.length - 1;
      continue;
    }
    if (isKernelFrameFile(file!)) continue;
    frames.push(raw.replace(/^\s*/, "    "));
  }
  // Below the outermost cell frame is whoever started the cell: never the user's.
  if (lastUserFrame >= 0) frames.length = lastUserFrame + 1;
  lines.push(...frames);
  return lines;
}

/** The traceback to report for any thrown value: the executor's own when it made one. */
export function tracebackOf(error: unknown): string[] {
  if (isCellRuntimeError(error)) return error.traceback;
  // A coded error that points into the notebook (a Python NameError) carries its own.
  const own = (error as { traceback?: unknown })?.traceback;
  if (isKernelkitError(error) && Array.isArray(own)) return own as string[];
  const { name, message } = describeThrown(error);
  if (isKernelkitError(error)) return [`${name}: ${message}`];
  return userTraceback(error);
}

// Core's own frames are never the user's.
registerKernelSource(new URL("../", import.meta.url).href);
