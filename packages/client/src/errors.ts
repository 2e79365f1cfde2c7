// The client's coded errors. Branded like core's KernelkitError (Symbol.for), so
// `isKernelkitError` recognises them without this package importing core.

const ERROR_BRAND = Symbol.for("kernelkit.error");

export type KernelClientErrorCode =
  | "KK_KERNEL_START"
  | "KK_KERNEL_NOT_RUNNING"
  | "KK_KERNEL_EXITED"
  | "KK_KERNEL_UNAVAILABLE"
  | "KK_USAGE";

export class KernelClientError extends Error {
  readonly code: KernelClientErrorCode;
  readonly hint: string | undefined;
  readonly [ERROR_BRAND] = true;
  /** The kernel's pid, when one was started. */
  readonly pid: number | undefined;

  constructor(
    code: KernelClientErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; pid?: number | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KernelClientError";
    this.code = code;
    this.hint = options.hint;
    this.pid = options.pid;
  }
}
