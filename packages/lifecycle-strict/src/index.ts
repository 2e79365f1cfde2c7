export type { Uncopyable } from "./copy.ts";
export { isZeroCopy, ZERO_COPY, zeroCopy } from "./copy.ts";
export {
  createStrictLifecycle,
  createStrictLifecycle as default,
  StrictExecutionError,
  StrictLifecycle,
} from "./strict.ts";
