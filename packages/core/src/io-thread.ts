// What a transport's I/O thread imports (`@kernelkit/core/io-thread`): the interrupt relay and
// nothing else, so a worker thread loads a few hundred lines instead of all of core.
export type { SignalOptions } from "./runtime/interrupt-relay.ts";
export {
  FORWARD_AFTER_MS,
  InterruptRelay,
  isInterruptRequest,
  RESIGNAL_MAX,
  RESIGNAL_MS,
} from "./runtime/interrupt-relay.ts";
