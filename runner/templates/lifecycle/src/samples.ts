// Cells that make the lifecycle decide, so the conformance kit reaches its own Skip, failure and
// interrupt branches (docs/conformance-samples.md in kernelkit). They match OPTIONS below, which
// the test and the manifest's "conformance" field both use.
import type { LifecycleSamples } from "@kernelkit/conformance/cases";
import type { LifecycleOptions } from "./lifecycle.ts";

export const OPTIONS: LifecycleOptions = { budgetMs: 300, skip: ["skip-me"], deny: ["denied"] };

const samples: LifecycleSamples = {
  skip: { id: "skip-me", code: `console.log("this never prints");` },
  fail: { id: "denied", code: "1 + 1" },
  interrupt: { code: "await new Promise(() => {});", reason: "over its budget" },
};

export default samples;
