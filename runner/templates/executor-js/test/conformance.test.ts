// The executor against kernelkit's conformance kit.
import { describeExecutorConformance } from "@kernelkit/conformance";
import { createExecutor } from "../src/executor.ts";
import samples from "../src/samples.ts";

describeExecutorConformance("__NAME__", (ctx) => createExecutor({}, ctx), { samples });
