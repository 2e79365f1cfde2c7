// The built-in JS executor passes the conformance kit it is the reference for.
import { describeExecutorConformance } from "@kernelkit/conformance";
import { createDefaultExecutor } from "@kernelkit/executor-default";

describeExecutorConformance("default", (ctx) => createDefaultExecutor({}, ctx));
