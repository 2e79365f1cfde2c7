export { loadNotebook } from "./load-notebook.ts";
export type { CellReport } from "./report.ts";
export { RunCollector } from "./report.ts";
export { buildKernel } from "./setup.ts";
