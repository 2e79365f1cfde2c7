export type { CloseInfo, WsChannelOptions } from "./client.ts";
export { isTerminalFor, WsChannel, WsConnectError } from "./client.ts";
export type { NotebookInfo, NotebookInfoCell } from "./notebook-info.ts";
export { NOTEBOOK_INFO, notebookInfo, notebookInfoPlugin, registerNotebookInfo } from "./notebook-info.ts";
export type { ResolvedWsOptions, WsTransportOptions } from "./options.ts";
export {
  DEFAULT_HOST,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_PING_INTERVAL_MS,
  generateToken,
  isLoopbackHost,
  pageUrl,
  resolveToken,
  wsUrl,
} from "./options.ts";
export type { WsAddress, WsDialOptions, WsHostOptions } from "./transport.ts";
export {
  CLOSE_SHUTDOWN,
  createWsTransport,
  createWsTransport as default,
  IoThreadTransport,
  WsClientTransport,
  WsConnection,
  WsTransport,
} from "./transport.ts";
