// The scheduler against kernelkit's conformance kit.
import { describeSchedulerConformance } from "@kernelkit/conformance";
import { createScheduler } from "../src/scheduler.ts";

describeSchedulerConformance("__NAME__", (graph) => createScheduler(graph));
