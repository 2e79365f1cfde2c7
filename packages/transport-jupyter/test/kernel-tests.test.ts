// jupyter_kernel_test (Debian's python3-jupyter-kernel-test 0.4.5) against the three
// kernelspecs with every sample attribute set (listed in test/py/kernel_tests.py); a skipped
// test counts as a failure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAVE_JUPYTER, installSpecs, runPy, type Specs } from "./jupyter-env.ts";

describe.runIf(HAVE_JUPYTER)("jupyter_kernel_test", () => {
  let specs: Specs;
  beforeAll(() => {
    specs = installSpecs();
  });
  afterAll(() => specs?.cleanup());

  for (const kernel of ["KernelkitJavaScript", "KernelkitTypeScript", "KernelkitPython"]) {
    it(`passes for ${kernel}, nothing skipped`, async () => {
      const r = await runPy("kernel_tests.py", [kernel], specs.env, 240_000);
      const summary = /KERNEL_TESTS ran=(\d+) failures=(\d+) errors=(\d+) skipped=(\d+)/.exec(r.stdout);
      expect(summary, r.stdout + r.stderr).not.toBeNull();
      expect({ failures: summary![2], errors: summary![3], skipped: summary![4] }, r.stdout).toEqual({
        failures: "0",
        errors: "0",
        skipped: "0",
      });
      expect(Number(summary![1])).toBe(12);
      expect(r.code).toBe(0);
    }, 300_000);
  }
});
