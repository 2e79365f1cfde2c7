export * from "./cases.ts";
export { describeExecutorConformance, describeLifecycleConformance, describeSuite } from "./vitest.ts";
