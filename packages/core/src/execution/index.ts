// Running cells: the scheduler, the evaluator around lifecycles, the cell runner, hooks, formatting, tracebacks.
export type { CellRunRecord, CellStatus, ErrorInfo, RunObserver } from "./cell-runner.ts";
export { CellRunner, errorInfo, isInterruptError } from "./cell-runner.ts";
export { Evaluator } from "./evaluator.ts";
export { formatValue, plainText, rich } from "./format.ts";
export type { KernelHooks, RunStatus, RunSummary } from "./hooks.ts";
export { callSeries, createHooks, HookError } from "./hooks.ts";
export { SequentialScheduler } from "./scheduler.ts";
export type { FrameMapper, MappedFrame } from "./traceback.ts";
export {
  isKernelFrameFile,
  registerKernelSource,
  tracebackOf,
  userTraceback,
} from "./traceback.ts";
