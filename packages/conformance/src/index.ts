export * from "./cases.ts";
export { describeExecutorConformance, describeSuite } from "./vitest.ts";
