// Checks shared by the suites, each failing with a message that says what the plugin did.
import { describeThrown, isCellRuntimeError, isInterruptError, isKernelkitError } from "@kernelkit/core";
import { check, show } from "./case.ts";
import { type Execution, outputText } from "./executor-harness.ts";

/** A rejection as a message shows it: class, code, message. */
export function describeError(error: unknown): string {
  if (isKernelkitError(error)) return `${error.name} (${error.code}): ${error.message}`;
  if (error instanceof Error || (typeof error === "object" && error !== null && "message" in error)) {
    const { name, message } = describeThrown(error);
    return `a bare ${name}: ${message}`;
  }
  return `the non-error value ${show(error)}`;
}

/** A random integer, so an executor cannot pass by returning a constant. */
export function randomInt(min = 100, max = 9_999): number {
  return min + Math.floor(Math.random() * (max - min));
}

export function randomToken(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

export function expectOutput(e: Execution, text: string, what: string): void {
  check(e.ok, () => `${what}: execute rejected with ${describeError(e.error)}`);
  const got = outputText(e.output);
  check(
    got === text,
    () => `${what}: expected the output ${show(text)}, got ${got === undefined ? "no output" : show(got)}`,
  );
}

/** The rejection is a CellRuntimeError whose cause is the user's error; returns that error. */
export function expectRuntimeError(
  e: Execution,
  errorName: string,
  token: string,
  what: string,
): { traceback: string[]; cause: unknown } {
  check(
    !e.ok,
    () =>
      `${what}: execute resolved with ${outputText(e.output) === undefined ? "no output" : show(outputText(e.output))} instead of rejecting: the user's error was swallowed`,
  );
  check(
    isCellRuntimeError(e.error),
    () =>
      `${what}: execute rejected with ${describeError(e.error)}, not a CellRuntimeError wrapping the user's error`,
    "Wrap what user code throws: `new CellRuntimeError(error, userTraceback(error, mapFrame))` from @kernelkit/core.",
  );
  const err = e.error as { cause?: unknown; traceback?: unknown };
  const cause = describeThrown(err.cause);
  check(
    cause.name === errorName && cause.message.includes(token),
    () =>
      `${what}: the CellRuntimeError's cause is ${show(`${cause.name}: ${cause.message}`)}; expected the user's ${errorName} mentioning ${show(token)}`,
    "Pass the user's own error as the cause.",
  );
  check(
    Array.isArray(err.traceback) &&
      err.traceback.every((l) => typeof l === "string") &&
      err.traceback.length > 0,
    () =>
      `${what}: the CellRuntimeError's traceback is ${show(err.traceback)}, not a non-empty array of lines`,
  );
  const traceback = err.traceback as string[];
  check(
    traceback[0]!.includes(errorName) && traceback.join("\n").includes(token),
    () => `${what}: the traceback does not start with the user's error: ${show(traceback.slice(0, 3))}`,
  );
  return { traceback, cause: err.cause };
}

export function expectInterrupted(e: Execution, what: string): void {
  check(
    !e.ok,
    () =>
      `${what}: execute resolved (output ${show(outputText(e.output))}) instead of rejecting as interrupted`,
  );
  check(
    isInterruptError(e.error),
    () =>
      `${what}: execute rejected with ${describeError(e.error)}, not an interrupted error (code KK_INTERRUPTED)`,
    "Reject an interrupted execution with `new InterruptedError()` from @kernelkit/core.",
  );
}
