export * from "./cases.ts";
export {
  describeExecutorConformance,
  describeLifecycleConformance,
  describeSchedulerConformance,
  describeSuite,
} from "./vitest.ts";
