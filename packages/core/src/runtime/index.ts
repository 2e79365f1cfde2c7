// Process-level utilities with no kernel knowledge: logging, supervised async tasks, out-of-band interrupts.
export type { Task } from "./async.ts";
export {
  cancelAndWait,
  fireAndForget,
  isCancellation,
  liveTaskCount,
  supervisedTask,
  TaskGroup,
} from "./async.ts";
export type {
  GuardWatch,
  InterruptEvent,
  InterruptSource,
  ProcessInterruptSource,
} from "./interrupt.ts";
export { processInterrupts } from "./interrupt.ts";
export type { LoggerOptions } from "./logger.ts";
export { createLogger, silentLogger } from "./logger.ts";
export { isPipeOrSocket, lazyRequire, statFd } from "./module-trap.ts";
