// Core's SequentialScheduler passes the scheduler conformance kit.
import { describeSchedulerConformance } from "@kernelkit/conformance";
import { SequentialScheduler } from "@kernelkit/core";

describeSchedulerConformance("sequential", (graph) => new SequentialScheduler(graph));
