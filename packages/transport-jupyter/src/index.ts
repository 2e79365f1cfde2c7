export { endpoint } from "./bind-channel.ts";
export type { Channel, ConnectionInfo } from "./connection-file.ts";
export { CHANNELS, parseConnectionInfo, readConnectionFile } from "./connection-file.ts";
export { codePointsToUtf16, utf16ToCodePoints } from "./cursor.ts";
export { History } from "./history.ts";
export type { LanguageInfo } from "./language-info.ts";
export { languageInfo } from "./language-info.ts";
export type { JupyterTransportOptions } from "./transport.ts";
export { createJupyterTransport, createJupyterTransport as default, JupyterTransport } from "./transport.ts";
export type { DecodeResult, JupyterHeader, JupyterMessage } from "./wire.ts";
export {
  DELIMITER,
  decodeMessage,
  encodeMessage,
  JUPYTER_PROTOCOL_VERSION,
  newHeader,
  Signer,
} from "./wire.ts";
