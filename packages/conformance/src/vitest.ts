// The suites as vitest tests: one `describe` per suite, one per tier, one `it` per case, and a
// one-line tiered summary ("tier 1 passed, tier 3: 4/6") printed after the suite.
import { afterAll, describe, it } from "vitest";
import { type ConformanceSuite, isNotApplicable, TIER_TITLES, type Tier } from "./case.ts";
import type { ExecutorFactory } from "./executor-harness.ts";
import { type ExecutorConformanceOptions, executorSuite } from "./executor-suite.ts";
import {
  type LifecycleConformanceOptions,
  type LifecycleFactory,
  lifecycleSuite,
} from "./lifecycle-suite.ts";
import { failureMessage, runCase, type Scorecard, summarize } from "./run.ts";
import {
  type SchedulerConformanceOptions,
  type SchedulerUnderTestFactory,
  schedulerSuite,
} from "./scheduler-suite.ts";
import {
  type TransportConformanceOptions,
  type TransportHarness,
  transportSuite,
} from "./transport-suite.ts";

/** Registers a suite's cases with vitest (call inside or outside a describe). */
export function describeSuite(suite: ConformanceSuite): void {
  const card: Scorecard = { schemaVersion: 1, plugin: suite.plugin, kind: suite.kind, tiers: [] };
  describe(`${suite.kind} conformance: ${suite.plugin}`, () => {
    for (const tier of [1, 2, 3, 4] as Tier[]) {
      const cases = suite.cases.filter((c) => c.tier === tier);
      if (cases.length === 0) continue;
      const score = {
        tier,
        passed: 0,
        total: 0,
        cases: [] as Scorecard["tiers"][number]["cases"],
      };
      card.tiers.push(score);
      describe(`tier ${tier}: ${TIER_TITLES[tier]}`, () => {
        for (const c of cases) {
          const ms = c.timeoutMs ?? suite.timeoutMs;
          it(
            c.name,
            async (test) => {
              // Reported as skipped with the reason: not applicable is never a pass.
              const notApplicable = (reason: string) => {
                score.total++;
                score.cases.push({ name: c.name, ok: null, message: `n/a: ${reason}` });
                const { skip } = test;
                skip(`n/a: ${reason}`);
              };
              if (c.notApplicable !== undefined) return notApplicable(c.notApplicable);
              try {
                await runCase(c, suite.timeoutMs);
              } catch (error) {
                if (isNotApplicable(error)) return notApplicable(error.reason);
                score.total++;
                score.cases.push({
                  name: c.name,
                  ok: false,
                  message: failureMessage(error),
                });
                throw error;
              }
              score.total++;
              score.passed++;
              score.cases.push({ name: c.name, ok: true, message: null });
            },
            ms + 10_000,
          );
        }
      });
    }
    afterAll(() => {
      if (card.tiers.some((t) => t.cases.length > 0))
        console.log(`${suite.kind} conformance ${suite.plugin}: ${summarize(card)}`);
    });
  });
}

/**
 * Certifies an executor: `describeExecutorConformance("gpu", () => createGpuExecutor({}))`.
 * The factory is called for every instance a case needs (it receives a PluginContext).
 */
export function describeExecutorConformance(
  name: string,
  factory: ExecutorFactory,
  options?: ExecutorConformanceOptions,
): void {
  describeSuite(executorSuite(name, factory, options));
}

/**
 * Certifies a lifecycle: `describeLifecycleConformance("trace", () => createTrace({}))`. Cells run
 * with the kit's reference JS executor unless `options.executor` names another.
 */
export function describeLifecycleConformance(
  name: string,
  factory: LifecycleFactory,
  options?: LifecycleConformanceOptions,
): void {
  describeSuite(lifecycleSuite(name, factory, options));
}

/** Certifies a scheduler: `describeSchedulerConformance("fifo", (graph) => new MyScheduler(graph))`. */
export function describeSchedulerConformance(
  name: string,
  factory: SchedulerUnderTestFactory,
  options?: SchedulerConformanceOptions,
): void {
  describeSuite(schedulerSuite(name, factory, options));
}

/**
 * Certifies a transport: the kit plays the kernel, `harness` builds the transport and a client
 * on its wire (see `fifoHarness` for fd-based transports).
 */
export function describeTransportConformance(
  name: string,
  harness: TransportHarness,
  options?: TransportConformanceOptions,
): void {
  describeSuite(transportSuite(name, harness, options));
}
