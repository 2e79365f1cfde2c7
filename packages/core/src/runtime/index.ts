// Process-level utilities with no kernel knowledge: logging, supervised async tasks, out-of-band interrupts.
export type { Task } from "./async.ts";
export {
  cancelAndWait,
  fireAndForget,
  isCancellation,
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
export type { SignalOptions } from "./interrupt-relay.ts";
export { InterruptRelay, isInterruptRequest } from "./interrupt-relay.ts";
export type { LoggerOptions } from "./logger.ts";
export { createLogger, silentLogger } from "./logger.ts";
export { isPipeOrSocket, lazyRequire, statFd } from "./module-trap.ts";
export type { IoThreadHandle, IoThreadOptions } from "./start-io-thread.ts";
export { startIoThread } from "./start-io-thread.ts";
