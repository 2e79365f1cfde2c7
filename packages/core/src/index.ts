// @kernelkit/core's public API, layer by layer (each folder's index says what the layer is).

export * from "./config/index.ts";
export * from "./contract/index.ts";
export * from "./execution/index.ts";
export * from "./kernel/index.ts";
export * from "./notebook/index.ts";
export * from "./registry/index.ts";
export * from "./runtime/index.ts";
export * from "./server/index.ts";
