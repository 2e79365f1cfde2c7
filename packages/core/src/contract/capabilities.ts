// Capabilities executors `provide` and lifecycles `require` (checked at startup), and the
// interfaces behind them.
import type { Scope } from "./plugin.ts";

/** Cells share one JavaScript realm whose global object holds the notebook's names. */
export const SHARED_JS_SCOPE = "shared-js-scope";

/**
 * The scope of an executor that provides "shared-js-scope". `evaluate` runs a script (not a
 * cell: no rewrite, no output capture) in the cells' realm and returns its completion value,
 * so a lifecycle can build values that belong to that realm (ARCHITECTURE.md: `structuredClone`
 * on the host returns host-realm objects).
 */
export interface SharedJsScope extends Scope {
  evaluate(source: string): unknown;
}

export function isSharedJsScope(scope: Scope): scope is SharedJsScope {
  return typeof (scope as Partial<SharedJsScope>).evaluate === "function";
}
