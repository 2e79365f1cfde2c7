export type { DefaultExecutorOptions } from "./executor.ts";
export { createDefaultExecutor, createDefaultExecutor as default, DefaultExecutor } from "./executor.ts";
export { originalWrite, realExit } from "./output.ts";
