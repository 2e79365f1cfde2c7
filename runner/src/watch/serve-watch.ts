// `serve --watch` (docs/watch.md "serve --watch"): a save becomes a request the kernel's own
// listen loop queues behind the clients' requests (so it never runs beside one), and its frames
// — `watch`, `graph`, the run's frames, `run_done`, all with id `watch:N` — go to every client.
import type { Connection, Frame, Kernel, RequestContext, Transport } from "@kernelkit/core";
import { notebookInfo } from "@kernelkit/transport-ws";
import type { WatchChange, WatchSession } from "./session.ts";
import { WatchLoop } from "./watch-loop.ts";
import type { WatchTypeReport, WatchTypes } from "./watch-types.ts";

/** The request type of a save; answered only for requests the watch itself queued. */
export const WATCH_REQUEST = "kernelkit_watch";

interface Job {
  apply(): Promise<WatchChange>;
  done(): void;
}

export interface ServeWatch {
  /** The transport to pass to listenMessages (it learns the clients' connections). */
  transport: Transport;
  /** Starts watching; call once listenMessages is running. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function serveWatch(options: {
  kernel: Kernel;
  session: WatchSession;
  transport: Transport;
  /** Connections known before any message (stdio has exactly one). */
  connections?: readonly Connection[];
  warn(code: string, message: string, hint?: string | null): void;
  info(message: string): void;
  /** Sends a `types` frame (the notebook's type errors) before each save's `run_done`. */
  types?: WatchTypes | null;
}): ServeWatch {
  const { kernel, session } = options;
  const clients = new Set<Connection>(options.connections ?? []);
  const jobs = new Map<string, Job>();
  let serial = 0;
  let deliver: ((msg: unknown, from: Connection) => void) | null = null;
  /** Ids of saves that changed nothing: their frames go to no one. */
  const silent = new Set<string>();

  const everyone: Connection & { flush(): void } = {
    id: "watch",
    send(frame: Frame) {
      if (frame.id !== null && silent.has(frame.id)) {
        if (frame.type === "run_done") silent.delete(frame.id);
        return;
      }
      for (const c of clients) {
        if ((c as { closed?: boolean }).closed) {
          clients.delete(c);
          continue;
        }
        void c.send(frame);
      }
    },
    flush() {
      for (const c of clients) (c as { flush?: () => void }).flush?.();
    },
  };

  kernel.router.register(
    WATCH_REQUEST,
    async (_req: unknown, ctx: RequestContext) => {
      const job = jobs.get(ctx.id);
      if (!job) {
        ctx.reply("error_reply", {
          error: { code: "UNKNOWN_COMMAND", message: `unknown command type '${WATCH_REQUEST}'` },
        });
        return;
      }
      jobs.delete(ctx.id);
      try {
        const change = await job.apply();
        if (change.changed.length === 0 && change.deleted.length === 0) {
          silent.add(ctx.id);
          ctx.reply("run_done", { ok: true, cells: {}, interrupted: false });
          return;
        }
        const changedSet = new Set(change.changed);
        const cells = notebookInfo(kernel).cells;
        ctx.send("watch", {
          trigger: change.trigger,
          changed: change.changed,
          deleted: change.deleted,
          order: cells.map((c) => c.id),
          cells: cells.filter((c) => changedSet.has(c.id)),
        });
        ctx.send("graph", { cells: kernel.graphCells() });
        // Checked in the service's thread while the run goes on; sent as soon as it is ready.
        const typed = change.trigger === "module" ? null : checkTypes(ctx);
        const summary = await session.run(session.plan(change), ctx.id, ctx.frames);
        await typed;
        ctx.reply("run_done", { ok: summary.ok, cells: summary.cells, interrupted: summary.interrupted });
      } finally {
        job.done();
      }
    },
    "watch",
  );

  let warnedTypes = false;
  const checkTypes = (ctx: RequestContext): Promise<void> | null => {
    const types = options.types;
    if (!types) return null;
    return types.check().then(
      (report: WatchTypeReport) => {
        if (!warnedTypes) {
          warnedTypes = true;
          for (const w of report.warnings) options.warn(w.code, w.message);
        }
        ctx.send("types", {
          ok: report.ok,
          count: report.count,
          cells: report.cells,
          ...(report.warnings.length > 0 ? { typeWarnings: report.warnings } : {}),
        });
      },
      (error: { code?: string; message?: string }) =>
        options.warn(error.code ?? "KK_TYPES_WORKER", `type check failed: ${error.message ?? error}`),
    );
  };

  /** Queues a change behind the clients' requests; resolves when it has run. */
  const enqueue = (apply: () => Promise<WatchChange>) =>
    new Promise<void>((resolve) => {
      if (!deliver) {
        resolve();
        return;
      }
      const id = `watch:${++serial}`;
      jobs.set(id, { apply, done: resolve });
      deliver({ id, type: WATCH_REQUEST }, everyone);
    });

  const loop = new WatchLoop(session.notebookPath, {
    notebook: (nb) => enqueue(() => session.applyNotebook(nb)),
    modules: (files) => enqueue(() => session.applyModules(files)),
    problem: (error, _reason) => {
      options.warn(error.code, error.message, error.hint ?? null);
      everyone.send({
        type: "watch",
        id: null,
        event: "error",
        error: { code: error.code, message: error.message },
      });
      everyone.flush();
    },
    resumed: () => options.info(`${session.notebookPath} is back; watching again`),
    moduleFiles: () => session.moduleFiles(),
  });

  const transport: Transport = {
    ...(options.transport.name !== undefined ? { name: options.transport.name } : {}),
    start(onMessage) {
      deliver = onMessage;
      return options.transport.start((msg, from) => {
        if (from !== everyone) clients.add(from);
        onMessage(msg, from);
      });
    },
    close: () => options.transport.close(),
  };

  return {
    transport,
    start: () => loop.start(),
    close: () => loop.close(),
  };
}

/** What serve and serve-ws call: a session on the kernel's notebook, messages on stderr. */
export async function attachServeWatch(
  kernel: Kernel,
  transport: Transport,
  connections: readonly Connection[],
  err: (text: string) => void,
  options: { types?: boolean } = {},
): Promise<ServeWatch> {
  const { WatchSession } = await import("./session.ts");
  const session = new WatchSession(kernel, kernel.notebookPath!);
  const { WatchTypes } = options.types ? await import("./watch-types.ts") : { WatchTypes: null };
  const types = WatchTypes ? WatchTypes.for(kernel, session) : null;
  // The compiler loads in the service's thread now, not on the first save.
  if (types) void types.check().catch(() => {});
  return serveWatch({
    kernel,
    session,
    types,
    transport,
    connections,
    warn: (code, message, hint) =>
      err(`kernelkit: warning ${code}: ${message}${hint ? `\n  hint: ${hint}` : ""}\n`),
    info: (message) => err(`kernelkit: ${message}\n`),
  });
}
