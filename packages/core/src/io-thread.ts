// What a transport's I/O thread imports (`@kernelkit/core/io-thread`): `ioThread()`, the thread's
// half of the helper whose main-thread half is `startIoThread` (docs/transports.md), and the
// interrupt relay under it — nothing else, so a worker thread loads a few hundred lines instead
// of all of core.
export type { SignalOptions } from "./runtime/interrupt-relay.ts";
export {
  FORWARD_AFTER_MS,
  InterruptRelay,
  isInterruptRequest,
  RESIGNAL_MAX,
  RESIGNAL_MS,
} from "./runtime/interrupt-relay.ts";
export type { IoRequestOptions, IoThread } from "./runtime/io-thread.ts";
export { ioThread } from "./runtime/io-thread.ts";
