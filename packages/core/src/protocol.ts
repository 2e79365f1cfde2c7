// The wire protocol's rules (docs/protocol.md) without the rest of core (`@kernelkit/core/protocol`):
// request types and validation, and which frame ends a request. Clients import this; it imports
// nothing but core's version constants.
export type {
  BaseRequest,
  CellSpec,
  DeleteCellsRequest,
  ErrorReplyCode,
  ExecuteRequest,
  ProtocolErrorCode,
  RequestType,
  RunCellsRequest,
  SetCellsRequest,
  SetInputsRequest,
  Validation,
} from "./server/protocol.ts";
export {
  isTerminalFrame,
  PROTOCOL_VERSION,
  parseMessage,
  REQUEST_TYPES,
  validateRequest,
} from "./server/protocol.ts";
