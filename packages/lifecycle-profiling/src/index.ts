export type { CellProfile, ChromeTrace, ProfilingOptions } from "./profiler.ts";
export {
  createProfilingLifecycle,
  createProfilingLifecycle as default,
  ProfilingLifecycle,
} from "./profiler.ts";
