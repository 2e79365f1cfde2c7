// Messages between the language service (main thread) and its worker. Each request carries the
// cells that changed since the last one, so the worker's program is updated incrementally.
import type { TypesConfig } from "./compiler-options.ts";
import type { NotebookShape, TypeCell } from "./notebook-program.ts";

export interface CellDelta {
  /** Set when the notebook's path, folder or language changed (the program is rebuilt). */
  shape?: NotebookShape;
  upserts: TypeCell[];
  removed: string[];
  /** The whole order, when it changed. */
  order?: string[];
}

export type WorkerRequest =
  | {
      id: number;
      op: "complete" | "inspect";
      delta: CellDelta;
      code: string;
      cursorPos: number;
      cellId?: string;
    }
  | { id: number; op: "check"; delta: CellDelta };

export type WorkerReply =
  | { id: number; result: unknown }
  | { id: number; error: { code: string; message: string } };

export interface WorkerOptions {
  config?: TypesConfig | undefined;
  mode?: "reactive" | "sequential" | undefined;
}
