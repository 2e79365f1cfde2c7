export * from "./cases.ts";
export {
  describeExecutorConformance,
  describeLifecycleConformance,
  describeSchedulerConformance,
  describeSuite,
  describeTransportConformance,
} from "./vitest.ts";
