// The suites as plain data, for any runner: `kernelkit conformance` imports this entry, which
// does not load vitest.
export type { CaseContext, ConformanceCase, ConformanceSuite, PluginKind, Tier } from "./case.ts";
export {
  ConformanceFailure,
  check,
  isNotApplicable,
  markNotApplicable,
  NotApplicable,
  show,
  TIER_TITLES,
} from "./case.ts";
export type { Execution, ExecutorFactory } from "./executor-harness.ts";
export { ExecutorHarness, outputText } from "./executor-harness.ts";
export type { ExecutorConformanceOptions } from "./executor-suite.ts";
export { executorSuite } from "./executor-suite.ts";
export type { FdPair } from "./fd-harness.ts";
export { fifoHarness } from "./fd-harness.ts";
export type {
  LifecycleCell,
  LifecycleConformanceOptions,
  LifecycleFactory,
  LifecycleSamples,
} from "./lifecycle-suite.ts";
export { lifecycleSuite } from "./lifecycle-suite.ts";
export { createReferenceExecutor, ReferenceExecutor } from "./reference-executor.ts";
export type { CaseVerdict, RunSuiteOptions, Scorecard, TierScore } from "./run.ts";
export {
  caseVerdict,
  failureMessage,
  formatScorecardMarkdown,
  formatScorecardText,
  notApplicableCount,
  notApplicableReason,
  runCase,
  runSuite,
  scorecardPassed,
  summarize,
  tierPassed,
} from "./run.ts";
export type { LanguageSamples, RaisingCell } from "./samples.ts";
export { EXECUTOR_CASE_IDS, javascriptSamples, pythonSamples, SAMPLES } from "./samples.ts";
export type { SchedulerConformanceOptions, SchedulerUnderTestFactory } from "./scheduler-suite.ts";
export { schedulerSuite } from "./scheduler-suite.ts";
export type {
  TransportConformanceOptions,
  TransportEndpoint,
  TransportHarness,
  WireClient,
} from "./transport-suite.ts";
export { transportSuite } from "./transport-suite.ts";
