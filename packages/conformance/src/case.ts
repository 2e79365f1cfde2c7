// The shape of a conformance suite: plain data and functions, independent of any test
// runner, so the same cases run under vitest (describe*Conformance) and under
// `kernelkit conformance` (runSuite).
import { inspect } from "node:util";
import { KernelkitError } from "@kernelkit/core";

export type PluginKind = "executor" | "lifecycle" | "scheduler" | "transport";

export type Tier = 1 | 2 | 3 | 4;

/** What each tier certifies; a report can say "tier 2 passed, tier 3: 4/6". */
export const TIER_TITLES: Readonly<Record<Tier, string>> = {
  1: "basic contract",
  2: "errors",
  3: "async and interrupt",
  4: "isolation and disposal",
};

/** What a case gets while it runs. */
export interface CaseContext {
  /** Runs after the case, pass or fail, in reverse order of registration. */
  defer(cleanup: () => unknown): void;
}

export interface ConformanceCase {
  readonly tier: Tier;
  /**
   * A stable key for the case (e.g. "traceback"): code samples declare cases they cannot
   * express as not applicable by this key (LanguageSamples.notApplicable).
   */
  readonly id?: string;
  /** Set when the plugin's samples declared the case not applicable: the reason, shown as n/a. */
  readonly notApplicable?: string;
  /** Says what behaviour is checked, as a sentence a plugin author can act on. */
  readonly name: string;
  /** Resolves when the behaviour holds; throws a ConformanceFailure (or anything) when not. */
  run(ctx: CaseContext): Promise<void>;
  /** Upper bound for the whole case, cleanup included (default: the suite's). */
  readonly timeoutMs?: number;
}

export interface ConformanceSuite {
  readonly kind: PluginKind;
  /** The plugin's name as the author or the CLI gave it. */
  readonly plugin: string;
  readonly cases: readonly ConformanceCase[];
  /** Default bound of one case. */
  readonly timeoutMs: number;
}

/** A case's verdict: the behaviour the plugin got wrong, in one message. */
export class ConformanceFailure extends KernelkitError {
  constructor(message: string, hint?: string) {
    super("KK_CONFORMANCE", message, { hint });
    this.name = "ConformanceFailure";
  }
}

/**
 * Thrown by a case that cannot run with the samples it was given (an optional sample left out):
 * the scorecard shows it as n/a with this reason, never as passed.
 */
export class NotApplicable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "NotApplicable";
  }
}

export function isNotApplicable(error: unknown): error is NotApplicable {
  return error instanceof NotApplicable;
}

/** The cases with the reasons `declared` gives by case id (samples' `notApplicable`). */
export function markNotApplicable(
  cases: readonly ConformanceCase[],
  declared: Readonly<Record<string, string>> | undefined,
): ConformanceCase[] {
  if (!declared) return [...cases];
  const ids = new Set(cases.map((c) => c.id).filter((id) => id !== undefined));
  const unknown = Object.keys(declared).filter((k) => !ids.has(k));
  if (unknown.length > 0)
    throw new KernelkitError(
      "KK_CONFORMANCE_SAMPLES",
      `the samples declare unknown case ids not applicable: ${unknown.join(", ")}`,
      { hint: `Case ids of this suite: ${[...ids].join(", ")}.` },
    );
  return cases.map((c) => {
    const reason = c.id !== undefined && Object.hasOwn(declared, c.id) ? declared[c.id] : undefined;
    return reason === undefined ? c : { ...c, notApplicable: String(reason) || "declared not applicable" };
  });
}

/** Throws a ConformanceFailure unless `condition` holds. */
export function check(
  condition: unknown,
  message: string | (() => string),
  hint?: string,
): asserts condition {
  if (!condition) throw new ConformanceFailure(typeof message === "function" ? message() : message, hint);
}

/** A value as a message shows it: short, one line. */
export function show(value: unknown): string {
  const text = inspect(value, { depth: 3, breakLength: Number.POSITIVE_INFINITY, maxStringLength: 200 });
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** Resolves with the promise's value, or throws a ConformanceFailure naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConformanceFailure(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Settles a promise into a value or an error, never throwing. */
export async function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
