// The example executor passes the same conformance kit as the built-in one.
import { describeExecutorConformance } from "@kernelkit/conformance";
import { createWorkerExecutor } from "kernelkit-executor-worker";

describeExecutorConformance("worker", (ctx) => createWorkerExecutor({}, ctx));
