// The templates the plugin guides tell authors to copy (docs/templates/) pass their kits as they
// are; the transport template (test/fixtures/transport-unix) has its own test in test/e2e.
import { describeLifecycleConformance, describeSchedulerConformance } from "@kernelkit/conformance";
import { createTimingLifecycle } from "../../docs/templates/lifecycle.ts";
import { FifoScheduler } from "../../docs/templates/scheduler.ts";

describeSchedulerConformance("fifo-template", (graph) => new FifoScheduler(graph));
describeLifecycleConformance("timing-template", () => createTimingLifecycle());
