// The Jupyter transport (docs/jupyter.md): Jupyter's messaging protocol 5.3 over ZeroMQ, mapped
// onto kernelkit's own requests and frames. Sockets live on an I/O thread (io-worker.ts); this
// side keeps shell requests in order, wraps each request in iopub status busy … idle, and
// translates frames into iopub and reply messages.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import {
  type Connection,
  type Frame,
  type GuardWatch,
  KernelkitError,
  type Logger,
  processInterrupts,
  type Transport,
  VERSION,
} from "@kernelkit/core";
import { type Channel, type ConnectionInfo, readConnectionFile } from "./connection-file.ts";
import { codePointsToUtf16, utf16ToCodePoints } from "./cursor.ts";
import { History } from "./history.ts";
import { KernelLink } from "./kernel-link.ts";
import { banner, helpLinks, languageInfo } from "./language-info.ts";
import { JUPYTER_PROTOCOL_VERSION } from "./wire.ts";
import {
  CONTROL_SLOTS,
  EXEC_SEQ,
  type FromIo,
  INT_TAKEN,
  type IoWorkerData,
  type ReceivedMessage,
  type ToIo,
} from "./worker-protocol.ts";

export interface JupyterTransportOptions {
  /** The connection file a launcher wrote (`--connection-file`). */
  connectionFile?: string;
  /** Or the connection info itself. */
  connection?: ConnectionInfo;
  /** The kernel's language as Jupyter should see it (javascript, typescript, python). */
  language?: string;
  /** "sequential" (default: code runs as sent, like ipykernel) or "reactive" (cells re-run their dependents). */
  mode?: "sequential" | "reactive";
  /** Raise SIGINT when an interrupt_request finds a cell blocking the main thread (default true). */
  signalInterrupts?: boolean;
  logger?: Logger;
}

type Incoming = ReceivedMessage & { ch: "shell" | "control" };

const WORKER_URL = new URL("../dist/io-worker.js", import.meta.url);

/** The `ename`/`evalue`/`traceback` of a kernelkit error frame, with the traceback never empty. */
function errorContent(f: Frame): { ename: string; evalue: string; traceback: string[] } {
  const ename = String(f.ename ?? "Error");
  const evalue = String(f.evalue ?? "");
  const tb = Array.isArray(f.traceback) ? f.traceback.map(String) : [];
  const last = `${ename}: ${evalue}`;
  if (!tb.some((line) => line.includes(ename))) tb.push(last);
  return { ename, evalue, traceback: tb };
}

export class JupyterTransport implements Transport {
  readonly name = "jupyter";
  readonly info: ConnectionInfo;
  readonly session = randomUUID();
  private readonly options: JupyterTransportOptions;
  private readonly language: string;
  private readonly link = new KernelLink();
  private readonly history = new History();
  private readonly ctlBuffer = new SharedArrayBuffer(CONTROL_SLOTS * 4);
  private readonly ctl = new Int32Array(this.ctlBuffer);
  private worker: Worker | null = null;
  private guardWatch: GuardWatch | null = null;
  private closed = false;
  private ended = false;
  /** Shell requests wait here while one is handled (ipykernel's order). */
  private readonly shellQueue: Incoming[] = [];
  private shellBusy = false;
  private executionCount = 0;
  /** The parent of output that arrives after its request ended (a timer's console.log). */
  private lastExecute: ReceivedMessage | null = null;
  private executing = false;
  private readonly inputs = new Map<string, (value: string | null) => void>();
  private closedResolve: (() => void) | null = null;
  /** Resolved once the process may exit: the shutdown reply is on its way. */
  ports: Record<Channel, number> | null = null;

  constructor(options: JupyterTransportOptions = {}) {
    this.options = options;
    if (options.connection) this.info = options.connection;
    else if (options.connectionFile) this.info = readConnectionFile(options.connectionFile);
    else {
      throw new KernelkitError(
        "KK_JUPYTER_CONNECTION_FILE",
        "the Jupyter transport needs a connection file",
        {
          hint: "Pass --connection-file FILE (a kernelspec's argv has --connection-file {connection_file}).",
        },
      );
    }
    this.language = options.language ?? "javascript";
    this.link.onOrphan = (frame) => this.onOrphan(frame);
  }

  async start(onMessage: (msg: unknown, from: Connection) => void): Promise<void> {
    if (this.worker) throw new KernelkitError("KK_INTERNAL", "the Jupyter transport was already started");
    if (!existsSync(WORKER_URL)) {
      throw new KernelkitError("KK_INTERNAL", "the Jupyter transport's I/O thread is not built", {
        hint: "Run `npm run build` at the repository root.",
      });
    }
    this.link.attach(onMessage);
    const signal = this.options.signalInterrupts !== false;
    let guard: IoWorkerData["guard"] = null;
    if (signal) {
      this.guardWatch = processInterrupts().watchGuard(() => {});
      guard = { sab: this.guardWatch.sab, depth: this.guardWatch.depth };
    }
    const workerData: IoWorkerData = {
      info: this.info,
      session: this.session,
      control: this.ctlBuffer,
      guard,
      signalInterrupts: signal,
    };
    const worker = new Worker(WORKER_URL, { workerData, stdout: false, stderr: false });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.on("message", (m: FromIo) => {
        if (m.t === "ready") {
          this.ports = m.ports;
          resolve();
        } else if (m.t === "fatal") {
          reject(
            new KernelkitError(m.code, m.message, {
              hint:
                m.code === "KK_JUPYTER_PORT_IN_USE"
                  ? "Another process holds that port: let the launcher pick free ports (start the kernel again), or free the port."
                  : "Check the connection file's ip and transport.",
            }),
          );
        } else this.onIo(m);
      });
      worker.on("error", (error) => {
        reject(error);
        this.options.logger?.error({ err: error }, "the Jupyter I/O thread failed");
        this.endInput();
      });
      worker.on("exit", () => {
        this.closedResolve?.();
        this.endInput();
      });
    }).catch(async (error: unknown) => {
      this.worker = null;
      await worker.terminate().catch(() => {});
      this.guardWatch?.dispose();
      throw error;
    });
  }

  private onIo(m: FromIo): void {
    if (m.t === "msg") {
      if (m.ch === "stdin") this.onStdin(m.m);
      else if (m.ch === "control") void this.handle({ ...m.m, ch: "control" }, m.interrupt);
      else {
        this.shellQueue.push({ ...m.m, ch: "shell" });
        this.pumpShell();
      }
    } else if (m.t === "log") {
      const logger = this.options.logger;
      if (logger) logger[m.level](m.data ?? {}, `jupyter: ${m.msg}`);
    } else if (m.t === "closed") {
      this.closedResolve?.();
    }
  }

  private pumpShell(): void {
    if (this.shellBusy || this.closed) return;
    const next = this.shellQueue.shift();
    if (!next) return;
    this.shellBusy = true;
    void this.handle(next).finally(() => {
      this.shellBusy = false;
      this.pumpShell();
    });
  }

  // ---- sending ----

  private post(m: ToIo): void {
    if (!this.closed) this.worker?.postMessage(m);
  }

  private iopub(
    type: string,
    parent: ReceivedMessage | null,
    content: unknown,
    metadata: unknown = {},
  ): void {
    this.post({ t: "send", ch: "iopub", ids: [], type, parent: parent?.header ?? {}, metadata, content });
  }

  private reply(to: Incoming, type: string, content: unknown, metadata: unknown = {}): void {
    this.post({ t: "send", ch: to.ch, ids: to.identities, type, parent: to.header, metadata, content });
  }

  private status(state: "busy" | "idle" | "starting", parent: ReceivedMessage | null): void {
    this.iopub("status", parent, { execution_state: state });
  }

  // ---- requests ----

  private async handle(m: Incoming, interrupt?: { n: number; seq: number }): Promise<void> {
    this.status("busy", m);
    try {
      await this.dispatch(m, interrupt);
    } catch (error) {
      this.options.logger?.error({ err: error, msg_type: m.header.msg_type }, "jupyter: a request failed");
    } finally {
      this.status("idle", m);
    }
  }

  private async dispatch(m: Incoming, interrupt?: { n: number; seq: number }): Promise<void> {
    const type = m.header.msg_type;
    const c = m.content;
    switch (type) {
      case "kernel_info_request":
        return this.kernelInfo(m);
      case "execute_request":
        return this.execute(m);
      case "complete_request":
        return this.complete(m);
      case "inspect_request":
        return this.inspect(m);
      case "is_complete_request":
        return this.isComplete(m);
      case "history_request":
        this.reply(m, "history_reply", { status: "ok", history: this.history.request(c) });
        return;
      case "comm_info_request":
        this.reply(m, "comm_info_reply", { status: "ok", comms: {} });
        return;
      case "comm_open":
        // No comm targets: refuse at once, so the front-end does not wait on a dead comm.
        this.iopub("comm_close", m, { comm_id: c.comm_id, data: {} });
        return;
      case "comm_msg":
      case "comm_close":
        return;
      case "interrupt_request":
        return this.interrupt(m, interrupt);
      case "shutdown_request":
        return this.shutdown(m);
      default:
        this.options.logger?.warn({ msg_type: type }, `jupyter: unknown message type '${type}'`);
        if (type.endsWith("_request")) {
          this.reply(m, `${type.slice(0, -"_request".length)}_reply`, {
            status: "error",
            ename: "UnknownMessageType",
            evalue: `kernelkit does not handle '${type}'`,
            traceback: [],
          });
        }
    }
  }

  private async kernelInfo(m: Incoming): Promise<void> {
    this.reply(m, "kernel_info_reply", {
      status: "ok",
      protocol_version: JUPYTER_PROTOCOL_VERSION,
      implementation: "kernelkit",
      implementation_version: VERSION,
      language_info: languageInfo(this.language),
      banner: banner(this.language, VERSION),
      help_links: helpLinks(this.language),
      debugger: false,
    });
  }

  private async execute(m: Incoming): Promise<void> {
    const c = m.content;
    const code = typeof c.code === "string" ? c.code : "";
    const silent = c.silent === true;
    const storeHistory = !silent && c.store_history !== false;
    const allowStdin = c.allow_stdin === true;
    const stopOnError = c.stop_on_error !== false;
    const count = this.executionCount + (storeHistory ? 1 : 0);
    if (!silent) this.iopub("execute_input", m, { code, execution_count: count });
    if (storeHistory) this.history.add(count, code);
    this.lastExecute = m;
    this.executing = true;
    Atomics.add(this.ctl, EXEC_SEQ, 1);
    let error: ReturnType<typeof errorContent> | null = null;
    const request: Record<string, unknown> & { type: string } = {
      type: "execute",
      code,
      silent,
      storeHistory,
    };
    if (allowStdin) request.allowStdin = true;
    let done: Frame;
    try {
      done = await this.link.request(request, (f) => {
        if (f.type === "error") {
          error = errorContent(f);
          this.iopub("error", m, error);
        } else if (f.type === "result") {
          if (!silent) {
            this.iopub("execute_result", m, { execution_count: count, data: f.bundle, metadata: {} });
          }
        } else this.output(m, f);
      });
    } finally {
      this.executing = false;
      Atomics.add(this.ctl, EXEC_SEQ, 1);
    }
    if (typeof done.executionCount === "number") this.executionCount = done.executionCount;
    if (done.type === "error_reply") {
      const e = done.error as { code?: string; message?: string } | undefined;
      error = { ename: e?.code ?? "Error", evalue: e?.message ?? "", traceback: [] };
      this.iopub("error", m, error);
    }
    const failed = error !== null || done.status === "error";
    if (failed) {
      const e = error ?? { ename: "Error", evalue: "", traceback: [] };
      // Aborted are the executes sent before this reply (ipykernel's rule): taken from the
      // queue before the reply goes out, after letting those the I/O thread holds arrive.
      const aborted = stopOnError ? await this.takeQueuedExecutes() : [];
      this.reply(
        m,
        "execute_reply",
        { status: "error", execution_count: this.executionCount, ...e },
        { status: "error" },
      );
      for (const q of aborted) {
        this.status("busy", q);
        const status = { status: "aborted" };
        this.reply(q, "execute_reply", { ...status, execution_count: this.executionCount }, status);
        this.status("idle", q);
      }
      return;
    }
    const userExpressions = await this.userExpressions(c.user_expressions);
    this.reply(
      m,
      "execute_reply",
      { status: "ok", execution_count: this.executionCount, user_expressions: userExpressions, payload: [] },
      { status: "ok" },
    );
  }

  /** iopub messages for the output frames of a request. */
  private output(m: ReceivedMessage, f: Frame): void {
    switch (f.type) {
      case "stdout":
      case "stderr":
        this.iopub("stream", m, { name: f.type, text: f.data });
        return;
      case "display": {
        const transient = typeof f.displayId === "string" ? { display_id: f.displayId } : {};
        const metadata: Record<string, unknown> = {};
        if (typeof f.cellId === "string" && this.options.mode === "reactive") {
          metadata.kernelkit = { cellId: f.cellId };
        }
        this.iopub(f.update === true ? "update_display_data" : "display_data", m, {
          data: f.bundle,
          metadata,
          transient,
        });
        return;
      }
      case "clear_output":
        this.iopub("clear_output", m, { wait: f.wait === true });
        return;
      case "input_request":
        this.inputRequest(m, f);
        return;
      default:
    }
  }

  private onOrphan(frame: Frame): void {
    if (frame.type === "stdout" || frame.type === "stderr" || frame.type === "display") {
      this.output(this.lastExecute ?? ({ header: {} } as ReceivedMessage), frame);
    }
  }

  /** Removes the queued execute requests (stop_on_error aborts them). */
  private async takeQueuedExecutes(): Promise<Incoming[]> {
    await new Promise((r) => setImmediate(r));
    const taken: Incoming[] = [];
    const kept: Incoming[] = [];
    for (const q of this.shellQueue.splice(0))
      (q.header.msg_type === "execute_request" ? taken : kept).push(q);
    this.shellQueue.push(...kept);
    return taken;
  }

  private async userExpressions(raw: unknown): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    if (typeof raw !== "object" || raw === null) return out;
    for (const [name, expr] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof expr !== "string") continue;
      let value: unknown = null;
      let err: ReturnType<typeof errorContent> | null = null;
      const done = await this.link.request(
        { type: "execute", code: expr, silent: true, storeHistory: false },
        (f) => {
          if (f.type === "result") value = f.bundle;
          else if (f.type === "error") err = errorContent(f);
        },
      );
      if (err) out[name] = { status: "error", ...(err as object) };
      else if (done.type === "error_reply")
        out[name] = { status: "error", ename: "Error", evalue: "", traceback: [] };
      else out[name] = { status: "ok", data: value ?? { "text/plain": "undefined" }, metadata: {} };
    }
    return out;
  }

  private inputRequest(m: ReceivedMessage, f: Frame): void {
    const inputId = String(f.inputId);
    this.post({
      t: "send",
      ch: "stdin",
      ids: m.identities,
      type: "input_request",
      parent: m.header,
      metadata: {},
      content: { prompt: String(f.prompt ?? ""), password: f.password === true },
    });
    this.inputs.set("current", (value) => {
      void this.link.request({ type: "provide_input", inputId, value: value ?? "" });
    });
  }

  private onStdin(m: ReceivedMessage): void {
    if (m.header.msg_type !== "input_reply") {
      this.options.logger?.warn({ msg_type: m.header.msg_type }, "jupyter: unexpected message on stdin");
      return;
    }
    const answer = this.inputs.get("current");
    this.inputs.delete("current");
    answer?.(typeof m.content.value === "string" ? m.content.value : "");
  }

  private async complete(m: Incoming): Promise<void> {
    const code = typeof m.content.code === "string" ? m.content.code : "";
    const cp = typeof m.content.cursor_pos === "number" ? m.content.cursor_pos : [...code].length;
    const reply = await this.link.request({ type: "complete", code, cursorPos: codePointsToUtf16(code, cp) });
    if (reply.type !== "complete_reply") {
      this.reply(m, "complete_reply", {
        status: "ok",
        matches: [],
        cursor_start: cp,
        cursor_end: cp,
        metadata: {},
      });
      return;
    }
    const matches = Array.isArray(reply.matches)
      ? (reply.matches as { text: string; kind?: string; detail?: string }[])
      : [];
    const start = utf16ToCodePoints(code, Number(reply.cursorStart ?? 0));
    const end = utf16ToCodePoints(code, Number(reply.cursorEnd ?? codePointsToUtf16(code, cp)));
    this.reply(m, "complete_reply", {
      status: "ok",
      matches: matches.map((x) => x.text),
      cursor_start: start,
      cursor_end: end,
      metadata: {
        _jupyter_types_experimental: matches.map((x) => ({
          text: x.text,
          start,
          end,
          type: x.kind ?? "",
          signature: x.detail ?? "",
        })),
      },
    });
  }

  private async inspect(m: Incoming): Promise<void> {
    const code = typeof m.content.code === "string" ? m.content.code : "";
    const cp = typeof m.content.cursor_pos === "number" ? m.content.cursor_pos : [...code].length;
    const reply = await this.link.request({
      type: "inspect",
      code,
      cursorPos: codePointsToUtf16(code, cp),
      detailLevel: m.content.detail_level === 1 ? 1 : 0,
    });
    if (reply.type !== "inspect_reply" || reply.found !== true) {
      this.reply(m, "inspect_reply", { status: "ok", found: false, data: {}, metadata: {} });
      return;
    }
    this.reply(m, "inspect_reply", { status: "ok", found: true, data: reply.bundle ?? {}, metadata: {} });
  }

  private async isComplete(m: Incoming): Promise<void> {
    const code = typeof m.content.code === "string" ? m.content.code : "";
    const reply = await this.link.request({ type: "is_complete", code });
    if (reply.type !== "is_complete_reply") {
      this.reply(m, "is_complete_reply", { status: "unknown" });
      return;
    }
    const content: Record<string, unknown> = { status: reply.status };
    if (reply.status === "incomplete") content.indent = typeof reply.indent === "string" ? reply.indent : "";
    this.reply(m, "is_complete_reply", content);
  }

  private async interrupt(m: Incoming, interrupt?: { n: number; seq: number }): Promise<void> {
    Atomics.add(this.ctl, INT_TAKEN, 1);
    // The I/O thread may have stopped a blocking cell with SIGINT already: then the execute it
    // was issued against is over, and forwarding the request would hit the next one.
    const current = Atomics.load(this.ctl, EXEC_SEQ);
    if (this.executing && (interrupt === undefined || interrupt.seq === current)) {
      await this.link.request({ type: "interrupt" });
    }
    this.reply(m, "interrupt_reply", { status: "ok" });
  }

  private async shutdown(m: Incoming): Promise<void> {
    const restart = m.content.restart === true;
    this.reply(m, "shutdown_reply", { status: "ok", restart });
    // Also on iopub, as ipykernel does, so every front-end sees it.
    this.iopub("shutdown_reply", m, { status: "ok", restart });
    this.ended = true;
    this.link.notify({ type: "exit" });
  }

  /** Stops serving as if a shutdown_request came (SIGTERM from the launcher). */
  endInput(): void {
    if (this.ended) return;
    this.ended = true;
    this.link.notify({ type: "exit" });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const w = this.worker;
    if (w) {
      const closed = new Promise<void>((resolve) => {
        this.closedResolve = resolve;
      });
      w.postMessage({ t: "close" } satisfies ToIo);
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    this.closed = true;
    this.worker = null;
    this.guardWatch?.dispose();
    this.guardWatch = null;
    if (w) await w.terminate().catch(() => {});
  }
}

/** Factory form (docs/plugins.md): `(options, ctx) => transport`. */
export function createJupyterTransport(
  options: JupyterTransportOptions = {},
  ctx?: { logger?: Logger; language?: string },
): JupyterTransport {
  const merged: JupyterTransportOptions = { ...options };
  if (!merged.logger && ctx?.logger) merged.logger = ctx.logger;
  if (!merged.language && ctx?.language) merged.language = ctx.language;
  return new JupyterTransport(merged);
}
