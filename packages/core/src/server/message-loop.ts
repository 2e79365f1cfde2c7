// The one control loop: validates, routes, merges queued set_inputs, answers every request once.
import { isKernelkitError } from "../contract/errors.ts";
import type { Connection, Transport } from "../contract/transport.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { UnknownCommandError } from "../kernel/router.ts";
import { FrameSink, RequestFrames } from "./frame-sink.ts";
import type { RequestContext } from "./handlers.ts";
import { isTerminalFrame, validateRequest } from "./protocol.ts";

interface ConnState {
  conn: Connection;
  sink: FrameSink;
  inflight: Set<string>;
}

interface Queued {
  req: { id: string; type: string; [k: string]: unknown };
  st: ConnState;
}

// Code queries too: they never wait for a running cell (code-queries.ts says why that is safe).
const IMMEDIATE = new Set(["interrupt", "kernel_info", "shutdown", "complete", "inspect", "is_complete"]);
const DRAIN_LIMIT_MS = 30_000;

/** The control loop: validates, routes, merges queued set_inputs, answers every request once. */
class MessageLoop {
  private readonly conns = new Map<Connection, ConnState>();
  private queue: Queued[] = [];
  private head = 0;
  private busy = false;
  private stopped = false;
  private resolveFinished!: () => void;
  readonly finished = new Promise<void>((r) => (this.resolveFinished = r));
  private active: Promise<void> | null = null;
  /** Requests answered beside the queue (IMMEDIATE); end of input waits for them too. */
  private readonly beside = new Set<Promise<void>>();
  private draining = false;

  constructor(private readonly kernel: Kernel) {}

  private state(conn: Connection): ConnState {
    let st = this.conns.get(conn);
    if (!st) {
      st = { conn, sink: new FrameSink(conn), inflight: new Set() };
      this.conns.set(conn, st);
    }
    return st;
  }

  onMessage(msg: unknown, conn: Connection): void {
    if (this.stopped) return;
    const st = this.state(conn);
    const v = validateRequest(msg);
    if (!v.ok) {
      st.sink.send({ type: "error_reply", id: v.id, error: { code: "INVALID_REQUEST", message: v.message } });
      return;
    }
    const req = v.request;
    if (req.type === "exit") {
      if ((req as { drain?: unknown }).drain === true) this.drain();
      else void this.stop();
      return;
    }
    if (st.inflight.has(req.id)) {
      st.sink.send({
        type: "error_reply",
        id: req.id,
        error: {
          code: "INVALID_REQUEST",
          message: `field 'id': request id '${req.id}' is already in flight`,
        },
      });
      return;
    }
    if (!this.kernel.router.has(req.type)) {
      st.sink.send({
        type: "error_reply",
        id: req.id,
        error: { code: "UNKNOWN_COMMAND", message: `unknown command type '${req.type}'` },
      });
      return;
    }
    st.inflight.add(req.id);
    if (IMMEDIATE.has(req.type)) {
      const p = this.dispatch({ req, st });
      this.beside.add(p);
      void p.then(() => {
        this.beside.delete(p);
        if (this.draining && this.idle()) void this.stop();
      });
      return;
    }
    this.queue.push({ req, st });
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.head < this.queue.length && !this.stopped) {
        if (this.queue[this.head]!.req.type === "set_inputs") {
          // One macrotask turn lets requests a transport has read but not yet delivered (a
          // burst that arrived while a cell blocked the thread) join the merge.
          await new Promise((resolve) => setImmediate(resolve));
          if (this.stopped) break;
        }
        const item = this.queue[this.head++]!;
        if (item.req.type === "set_inputs") {
          const merged: Queued[] = [item];
          while (this.head < this.queue.length) {
            const next = this.queue[this.head]!;
            if (next.req.type !== "set_inputs" || next.st !== item.st) break;
            merged.push(next);
            this.head++;
          }
          if (merged.length > 1) {
            await this.runMerged(merged);
            continue;
          }
        }
        const p = this.dispatch(item);
        this.active = p;
        await p;
        this.active = null;
      }
      if (this.head >= this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
    } finally {
      this.busy = false;
    }
    if (this.draining && this.idle()) void this.stop();
  }

  private idle(): boolean {
    return !this.busy && this.head >= this.queue.length && this.beside.size === 0;
  }

  /**
   * End of input (`exit` with `drain: true`, from a transport): what was already received is
   * answered first, as a client piping a file of requests expects; then the loop stops. A run
   * that does not end within DRAIN_LIMIT_MS is interrupted, so a kernel whose client is gone
   * does not live on.
   */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    if (this.idle()) {
      void this.stop();
      return;
    }
    setTimeout(() => void this.stop(), DRAIN_LIMIT_MS).unref();
  }

  /** Consecutive set_inputs: last value per name, first-seen order, one run. */
  private async runMerged(items: Queued[]): Promise<void> {
    const values = new Map<string, unknown>();
    for (const { req } of items) {
      const v = req.values as Record<string, unknown>;
      for (const k of Object.keys(v)) values.set(k, v[k]);
    }
    const merged: Record<string, unknown> = {};
    for (const [k, v] of values)
      Object.defineProperty(merged, k, { value: v, enumerable: true, writable: true, configurable: true });
    const last = items[items.length - 1]!;
    const mergedReq = { ...last.req };
    Object.defineProperty(mergedReq, "values", {
      value: merged,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    // The other requests get their run_done (mergedInto) just before the run's own.
    const beforeTerminal = (fields: Record<string, unknown> | undefined) => {
      for (const item of items.slice(0, -1)) {
        item.st.sink.send({
          type: "run_done",
          id: item.req.id,
          ok: fields?.ok ?? false,
          cells: fields?.cells ?? {},
          interrupted: fields?.interrupted ?? false,
          mergedInto: last.req.id,
        });
        item.st.inflight.delete(item.req.id);
      }
    };
    const p = this.dispatch({ req: mergedReq, st: last.st }, beforeTerminal);
    this.active = p;
    await p;
    this.active = null;
  }

  private async dispatch(
    { req, st }: Queued,
    beforeTerminal?: (fields: Record<string, unknown> | undefined) => void,
  ): Promise<void> {
    const { kernel } = this;
    let terminated = false;
    const frames = new RequestFrames(st.sink, req.id);
    const ctx: RequestContext = {
      kernel,
      id: req.id,
      frames,
      send: (type, fields) => {
        frames.frame(type, fields ?? {}, null);
      },
      reply: (type, fields) => {
        if (terminated) return;
        beforeTerminal?.(fields);
        beforeTerminal = undefined;
        frames.frame(type, fields ?? {}, null);
        terminated = true;
        frames.end();
        st.inflight.delete(req.id);
        // Whatever the type (a `graph` ends set_cells without run), the answer goes out now.
        if (!isTerminalFrame(type)) st.sink.flush();
      },
      stopLoop: () => {
        void this.stop();
      },
    };
    try {
      await kernel.router.dispatch(req, ctx);
    } catch (error) {
      if (!terminated) {
        if (error instanceof UnknownCommandError) {
          ctx.reply("error_reply", { error: { code: "UNKNOWN_COMMAND", message: error.message } });
        } else if (
          isKernelkitError(error) &&
          (error.code === "INVALID_REQUEST" || error.code === "KK_UNKNOWN_CELL")
        ) {
          ctx.reply("error_reply", { error: { code: "INVALID_REQUEST", message: error.message } });
        } else {
          kernel.logger.error({ err: error, request: req.type }, "request handler failed");
          ctx.reply("error_reply", {
            error: {
              code: "INTERNAL",
              message: `${req.type} failed: ${(error as Error)?.message ?? String(error)}`,
            },
          });
        }
      }
    }
    if (!terminated) {
      ctx.reply("error_reply", { error: { code: "INTERNAL", message: `${req.type} ended without a reply` } });
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.kernel.busy) this.kernel.interrupt("the kernel is shutting down");
    // Queued requests still get their one terminal frame.
    for (let i = this.head; i < this.queue.length; i++) {
      const { req, st } = this.queue[i]!;
      st.sink.send({
        type: "error_reply",
        id: req.id,
        error: { code: "INTERNAL", message: "the kernel is shutting down" },
      });
    }
    this.queue = [];
    this.head = 0;
    if (this.active || this.beside.size > 0) {
      await Promise.race([
        Promise.all([this.active, ...this.beside]),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
    }
    for (const st of this.conns.values()) st.sink.flush();
    this.resolveFinished();
  }
}

/**
 * Serves requests from a transport until `shutdown`, `exit` or end of input (a transport
 * reports end of input as `{type: "exit", drain: true}`: requests already received are
 * answered first). Resolves when the loop has stopped.
 */
export async function listenMessages(kernel: Kernel, transport: Transport): Promise<void> {
  kernel.transport = transport;
  const loop = new MessageLoop(kernel);
  await transport.start((msg, from) => {
    try {
      loop.onMessage(msg, from);
    } catch (error) {
      kernel.logger.error({ err: error }, "listen loop failed on a message");
    }
  });
  await loop.finished;
}
