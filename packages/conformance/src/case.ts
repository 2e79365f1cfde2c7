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
