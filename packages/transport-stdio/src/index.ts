export type { FramingErrorCode, NdjsonDecoderOptions } from "./framing.ts";
export { DEFAULT_MAX_FRAME_BYTES, encodeFrame, NdjsonDecoder } from "./framing.ts";
export type { StdioTransportOptions } from "./transport.ts";
export {
  createStdioTransport,
  createStdioTransport as default,
  StdioConnection,
  StdioTransport,
} from "./transport.ts";
export { ChannelClosedError, writeAllSync } from "./write-sync.ts";
