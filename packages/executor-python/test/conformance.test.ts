// The built-in Python executor passes the same conformance kit as the JS one, with Python samples.
import { describeExecutorConformance, pythonSamples } from "@kernelkit/conformance";
import { createPythonExecutor } from "@kernelkit/executor-python";

describeExecutorConformance("python", (ctx) => createPythonExecutor({}, ctx), { samples: pythonSamples });
