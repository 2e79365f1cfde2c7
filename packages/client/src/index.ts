export type { ChannelEvents, ExitInfo, Frame, KernelChannel } from "./channel.ts";
export type {
  ErrorResult,
  ExecuteOptions,
  ExecuteResult,
  RequestOptions,
  ShutdownOptions,
  StartOptions,
} from "./client.ts";
export { KernelClient } from "./client.ts";
export type { KernelClientErrorCode } from "./errors.ts";
export { KernelClientError } from "./errors.ts";
export type { ProcessChannelOptions } from "./process-channel.ts";
export { ProcessChannel } from "./process-channel.ts";
export type { ConnectOptions } from "./remote.ts";
export { WsKernelChannel } from "./remote.ts";
export type { KernelCommandOptions, ResolvedCommand } from "./resolve.ts";
export { KERNEL_NODE_FLAGS, resolveKernelCommand } from "./resolve.ts";
