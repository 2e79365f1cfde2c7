export { PythonError, PythonProcessError, PythonSystemExit } from "./errors.ts";
export type { PythonExecutorOptions, PythonInfo } from "./executor.ts";
export { createPythonExecutor, createPythonExecutor as default, PythonExecutor } from "./executor.ts";
export { PythonObject } from "./scope.ts";
