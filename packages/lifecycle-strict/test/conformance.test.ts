// Strict mode passes the lifecycle conformance kit, with the kit's reference executor and with
// the built-in one it runs on in a kernel.
import { describeLifecycleConformance } from "@kernelkit/conformance";
import { createDefaultExecutor } from "@kernelkit/executor-default";
import { createStrictLifecycle } from "@kernelkit/lifecycle-strict";

describeLifecycleConformance("strict", () => createStrictLifecycle());
describeLifecycleConformance("strict (on executor-default)", () => createStrictLifecycle(), {
  executor: (ctx) => createDefaultExecutor({}, ctx),
});
