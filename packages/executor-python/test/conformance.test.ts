// The built-in Python executor passes the same conformance kit as every executor, with the
// kit's Python samples.
import { describeExecutorConformance, pythonSamples } from "@kernelkit/conformance";
import { createPythonExecutor } from "../src/index.ts";

describeExecutorConformance("python", (ctx) => createPythonExecutor({}, ctx), { samples: pythonSamples });
