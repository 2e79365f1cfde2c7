// The request handlers of docs/protocol.md, in handler groups that register themselves.
import { KernelkitError } from "../contract/errors.ts";
import type { Frame } from "../contract/transport.ts";
import type { RunSummary } from "../execution/hooks.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { HandlerGroup, RequestRouter } from "../kernel/router.ts";
import { codeQueryHandlers } from "./code-queries.ts";
import type { RequestFrames } from "./frame-sink.ts";
import type {
  CellSpec,
  ExecuteRequest,
  RunCellsRequest,
  SetCellsRequest,
  SetInputsRequest,
} from "./protocol.ts";

/** What a handler gets besides the request. */
export interface RequestContext {
  readonly kernel: Kernel;
  readonly id: string;
  /** Sends a frame of this request (not the last one). */
  send(type: string, fields?: Record<string, unknown>): void;
  /** Sends the request's terminal frame. */
  reply(type: string, fields?: Record<string, unknown>): void;
  /** The request's frames as a RunObserver (cell_status, stdout, result, error, …). */
  readonly frames: RequestFrames;
  /** Stops the listen loop after this request (shutdown). */
  stopLoop(): void;
}

/** A request was well-formed JSON but named something that does not exist. */
export class InvalidRequestError extends KernelkitError {
  constructor(message: string) {
    super("INVALID_REQUEST", message);
    this.name = "InvalidRequestError";
  }
}

function handlerGroup(
  name: string,
  handlers: Record<string, (req: any, ctx: RequestContext) => unknown>,
): HandlerGroup<RequestContext> {
  return {
    name,
    commands: Object.keys(handlers),
    register(router: RequestRouter<RequestContext>) {
      for (const [type, handler] of Object.entries(handlers)) router.register(type, handler, name);
    },
  };
}

export function runDoneFields(summary: RunSummary): Record<string, unknown> {
  return { ok: summary.ok, cells: summary.cells, interrupted: summary.interrupted };
}

function checkIds(kernel: Kernel, ids: readonly string[], field: string): void {
  for (let i = 0; i < ids.length; i++) {
    if (!kernel.cell(ids[i]!))
      throw new InvalidRequestError(`field '${field}[${i}]' names no cell: '${ids[i]}'`);
  }
}

export const kernelInfoHandlers = handlerGroup("kernel-info", {
  kernel_info(_req, ctx) {
    ctx.reply("kernel_info_reply", ctx.kernel.info());
  },
});

export const executeHandlers = handlerGroup("execute", {
  async execute(req: ExecuteRequest, ctx) {
    ctx.send("started");
    const opts: { silent?: boolean; storeHistory?: boolean; timeoutMs?: number; requestId: string } = {
      requestId: ctx.id,
    };
    if (req.silent !== undefined) opts.silent = req.silent;
    if (req.storeHistory !== undefined) opts.storeHistory = req.storeHistory;
    if (req.timeoutMs !== undefined) opts.timeoutMs = req.timeoutMs;
    if (req.allowStdin === true) (opts as { allowStdin?: boolean }).allowStdin = true;
    const outcome = await ctx.kernel.execute(req.code, opts, ctx.frames);
    ctx.reply("done", {
      status: outcome.status,
      executionCount: outcome.executionCount,
      cancelled: outcome.cancelled,
    });
  },
});

export const inputHandlers = handlerGroup("input", {
  provide_input(req: { inputId: string; value: string }, ctx) {
    if (!ctx.kernel.provideInput(req.inputId, req.value)) {
      throw new InvalidRequestError(`field 'inputId': no cell waits for input '${req.inputId}'`);
    }
    ctx.reply("provide_input_reply", {});
  },
});

export const notebookHandlers = handlerGroup("notebook", {
  async set_cells(req: SetCellsRequest, ctx) {
    const { kernel } = ctx;
    const changed = await kernel.setCells(
      req.cells.map((c: CellSpec) => ({
        id: c.id,
        code: c.code,
        ...(c.name !== undefined ? { name: c.name } : {}),
        disabled: c.config?.disabled === true,
      })),
      req.order,
    );
    const graph = { cells: kernel.graphCells() };
    if (!req.run) {
      ctx.reply("graph", graph);
      return;
    }
    ctx.send("graph", graph);
    const summary = await kernel.runCells(changed, ctx.id, ctx.frames);
    ctx.reply("run_done", runDoneFields(summary));
  },
  async delete_cells(req: { cellIds: string[] }, ctx) {
    const { kernel } = ctx;
    const affected = kernel.deleteCells(req.cellIds);
    ctx.send("graph", { cells: kernel.graphCells() });
    const summary = await kernel.runCells(affected, ctx.id, ctx.frames);
    ctx.reply("run_done", runDoneFields(summary));
  },
  async run_cells(req: RunCellsRequest, ctx) {
    checkIds(ctx.kernel, req.cellIds, "cellIds");
    const summary = await ctx.kernel.runCells(req.cellIds, ctx.id, ctx.frames);
    ctx.reply("run_done", runDoneFields(summary));
  },
  async set_inputs(req: SetInputsRequest, ctx) {
    const summary = await ctx.kernel.setInputs(req.values, ctx.id, ctx.frames);
    ctx.reply("run_done", runDoneFields(summary));
  },
});

export const controlHandlers = handlerGroup("control", {
  interrupt(_req, ctx) {
    ctx.kernel.interrupt();
    ctx.reply("interrupt_reply");
  },
  shutdown(_req, ctx) {
    ctx.reply("shutdown_reply");
    ctx.stopLoop();
  },
});

/** Every built-in handler group; together they own each command of docs/protocol.md exactly once. */
export const CORE_HANDLER_GROUPS: readonly HandlerGroup<RequestContext>[] = [
  kernelInfoHandlers,
  executeHandlers,
  inputHandlers,
  notebookHandlers,
  controlHandlers,
  codeQueryHandlers,
];

export type { Frame };
