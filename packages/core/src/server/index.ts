// The kernel on a transport: wire protocol, request handlers, per-connection frame output, the message loop, launch and teardown.
export { codeQueryHandlers, mergeCompletions, serviceNotebook } from "./code-queries.ts";
export { FrameSink } from "./frame-sink.ts";
export type { RequestContext } from "./handlers.ts";
export type { InProcessKernel, TeardownStepFailure } from "./launch.ts";
export { createKernel, startInProcessKernel, teardownKernel } from "./launch.ts";
export type { MemoryClient } from "./memory-transport.ts";
export { createMemoryTransport } from "./memory-transport.ts";
export { listenMessages } from "./message-loop.ts";
export type {
  BaseRequest,
  CellSpec,
  ErrorReplyCode,
  ExecuteRequest,
  ProtocolErrorCode,
  RequestType,
  Validation,
} from "./protocol.ts";
export {
  isTerminalFrame,
  PROTOCOL_VERSION,
  parseMessage,
  REQUEST_TYPES,
  validateRequest,
} from "./protocol.ts";
