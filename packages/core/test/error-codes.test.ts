// The ErrorCode union is exact: a code core does not define is a compile error (tsc runs on
// tests), and a plugin's own codes go through the type argument.
import { describe, expect, it } from "vitest";
import { KernelkitError } from "../src/index.ts";

describe("KernelkitError codes", () => {
  it("accepts core's codes, and a plugin's own codes only when it names them", () => {
    const core = new KernelkitError("KK_PLUGIN_LANGUAGE", "wrong language");
    // @ts-expect-error — not one of core's codes: the union has no escape type.
    const unknown = new KernelkitError("KK_NOT_A_CODE", "x");
    const own = new KernelkitError<"KK_GPU_OOM">("KK_GPU_OOM", "out of GPU memory");
    expect([core.code, unknown.code, own.code]).toEqual([
      "KK_PLUGIN_LANGUAGE",
      "KK_NOT_A_CODE",
      "KK_GPU_OOM",
    ]);
  });
});
