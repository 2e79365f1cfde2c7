// The wire protocol's rules (docs/protocol.md) without the rest of core (`@kernelkit/core/protocol`):
// request types and validation, and which frame ends a request. Clients import this; it imports
// nothing but core's version constants.
export * from "./server/protocol.ts";
