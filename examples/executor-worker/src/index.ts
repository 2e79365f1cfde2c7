export type { WorkerExecutorOptions } from "./executor.ts";
export {
  createWorkerExecutor,
  createWorkerExecutor as default,
  MemoryLimitError,
  WorkerExecutor,
} from "./executor.ts";
