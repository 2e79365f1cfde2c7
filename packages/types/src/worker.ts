// The language service's thread: holds the notebook's program warm between requests, so the
// kernel's main thread never loads the TypeScript compiler (docs/types.md).
import { parentPort, workerData } from "node:worker_threads";
import { isKernelkitError } from "@kernelkit/core";
import { loadCompiler } from "./load-compiler.ts";
import { NotebookProgram, type NotebookShape, type TypeCell } from "./notebook-program.ts";
import type { CellDelta, WorkerOptions, WorkerReply, WorkerRequest } from "./protocol.ts";

const options = (workerData ?? {}) as WorkerOptions;
const cells = new Map<string, TypeCell>();
let order: string[] = [];
let shape: NotebookShape | null = null;
let program: NotebookProgram | null = null;

function apply(delta: CellDelta): NotebookProgram {
  if (delta.shape) {
    shape = delta.shape;
    program = null;
  }
  for (const id of delta.removed) cells.delete(id);
  for (const c of delta.upserts) cells.set(c.id, c);
  if (delta.order) order = delta.order;
  if (!shape) throw new Error("the first request carries the notebook's shape");
  const changed = program === null || delta.upserts.length > 0 || delta.removed.length > 0 || !!delta.order;
  program ??= new NotebookProgram(loadCompiler(), shape, options);
  // Nothing changed (queries while a cell is typed): the program, and a query's overlay, stay.
  if (changed) program.setCells(order.flatMap((id) => cells.get(id) ?? []));
  return program;
}

function handle(req: WorkerRequest): unknown {
  const p = apply(req.delta);
  switch (req.op) {
    case "complete":
      return p.completions(req.code, req.cursorPos, req.cellId);
    case "inspect":
      return p.inspect(req.code, req.cursorPos, req.cellId);
    case "check":
      return { cells: [...p.check()], problems: p.configProblems };
  }
}

parentPort!.on("message", (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: req.id, result: handle(req) ?? null };
  } catch (error) {
    reply = {
      id: req.id,
      error: {
        code: isKernelkitError(error) ? error.code : "KK_TYPES_WORKER",
        message: (error as Error)?.message ?? String(error),
      },
    };
  }
  parentPort!.postMessage(reply);
});
