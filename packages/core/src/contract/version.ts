/** The plugin API version (PLUGINS.md): independent of the package version, changed by semver. */
export const API_VERSION = "1.0.0";

/** The package version of kernelkit. */
export const VERSION = "0.1.0";

/** The wire protocol's version (PROTOCOL.md), reported by `kernel_info`. */
export const PROTOCOL_VERSION = "1.1";
