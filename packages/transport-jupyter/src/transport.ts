// The Jupyter transport (docs/jupyter.md): Jupyter's messaging protocol 5.3 over ZeroMQ, mapped
// onto kernelkit's own requests and frames. Shell, iopub and stdin are the main thread's
// (main-sockets.ts), so a request and its output never cross threads; the heartbeat and control
// live on an I/O thread (io-worker.ts) that keeps serving while a cell blocks. This side keeps
// shell requests in order, wraps each request in iopub status busy … idle, and translates
// frames into iopub and reply messages.
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import {
  type Connection,
  type Frame,
  type GuardWatch,
  type IoThreadHandle,
  KernelkitError,
  type Logger,
  processInterrupts,
  startIoThread,
  type Transport,
  VERSION,
} from "@kernelkit/core";
import { bindHint } from "./bind-channel.ts";
import { type Channel, type ConnectionInfo, readConnectionFile } from "./connection-file.ts";
import { codePointsToUtf16, utf16ToCodePoints } from "./cursor.ts";
import { type EarlySockets, takeEarlySockets } from "./early.ts";
import { History } from "./history.ts";
import { KernelLink } from "./kernel-link.ts";
import { kernelInfoContent } from "./language-info.ts";
import { BindFailure, type MainSocketEvents, MainSockets } from "./main-sockets.ts";
import { encodeMessage, newHeader, Signer } from "./wire.ts";
import type { IoFailure, IoLog, IoPorts, IoThreadData, ReceivedMessage, ToIo } from "./worker-protocol.ts";

type SendChannel = "shell" | "control" | "stdin" | "iopub";

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

/**
 * stdout/stderr text is gathered into one `stream` message up to this many characters or this
 * many milliseconds after its first text (docs/jupyter.md "Output"): core hands over 60 KiB
 * frames, and jupyter_client spends ~200 µs on every message it reads, whatever its size.
 */
const STREAM_FLUSH_CHARS = 1024 * 1024;
const STREAM_FLUSH_MS = 50;

interface PendingStream {
  parent: ReceivedMessage;
  name: string;
  parts: string[];
  size: number;
  since: number;
}

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
  readonly session: string;
  private readonly options: JupyterTransportOptions;
  private readonly language: string;
  private readonly link = new KernelLink();
  private readonly history = new History();
  /** The I/O thread (heartbeat, control), through core's helper. */
  private io: IoThreadHandle<IoPorts> | null = null;
  private sockets: MainSockets | null = null;
  private readonly signer: Signer;
  private guardWatch: GuardWatch | null = null;
  private closed = false;
  private ended = false;
  /** Shell requests wait here while one is handled (ipykernel's order). */
  private readonly shellQueue: Incoming[] = [];
  private shellBusy = false;
  /**
   * Whether the kernel's listen loop started us (`start`): until then only kernel_info is
   * answered, since an execute depends on the mode the kernel's config sets (`setMode`).
   */
  private attached = false;
  private executionCount = 0;
  /** The parent of output that arrives after its request ended (a timer's console.log). */
  private lastExecute: ReceivedMessage | null = null;
  private executing = false;
  /** Pager payloads of the running execute (`page(value)`), returned in its execute_reply. */
  private pages: Record<string, unknown>[] | null = null;
  private readonly inputs = new Map<string, (value: string | null) => void>();
  /** Text not yet sent as a `stream` message; any other message sends it first (order kept). */
  private stream: PendingStream | null = null;
  private streamTimer: ReturnType<typeof setTimeout> | null = null;
  /** Resolved once the process may exit: the shutdown reply is on its way. */
  ports: Record<Channel, number> | null = null;
  private preparing: Promise<void> | null = null;
  /** The sockets `bindEarly` bound for this connection before core loaded (early.ts). */
  private readonly early: EarlySockets | null;

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
    this.signer = new Signer(this.info.key, this.info.signatureScheme);
    this.early = takeEarlySockets(this.info);
    this.session = this.early?.session ?? randomUUID();
    this.language = options.language ?? "javascript";
    this.link.onOrphan = (frame) => this.onOrphan(frame);
  }

  async start(onMessage: (msg: unknown, from: Connection) => void): Promise<void> {
    this.link.attach(onMessage);
    // The kernel exists and its mode is set: requests held until now can be handled.
    this.attached = true;
    this.pumpShell();
    await this.prepare();
  }

  /** Where the transport's own diagnostics go (serve prepares the transport before the kernel exists). */
  setLogger(logger: Logger): void {
    this.options.logger = logger;
  }

  /** Sequential (default) or reactive, from the kernel's config (known once it is built). */
  setMode(mode: "sequential" | "reactive"): void {
    this.options.mode = mode;
  }

  /**
   * Starts the I/O thread and binds the sockets; `start` awaits it. A launcher calls it before
   * building the kernel, so the sockets bind while the executor loads: kernel_info is answered
   * from the transport's own knowledge, and requests that need the kernel wait for it.
   */
  prepare(): Promise<void> {
    this.preparing ??= this.spawn();
    return this.preparing;
  }

  private async spawn(): Promise<void> {
    if (!existsSync(WORKER_URL)) {
      throw new KernelkitError("KK_INTERNAL", "the Jupyter transport's I/O thread is not built", {
        hint: "Run `npm run build` at the repository root.",
      });
    }
    const signal = this.options.signalInterrupts !== false;
    let guard: IoThreadData["guard"] = null;
    if (signal) {
      this.guardWatch = processInterrupts().watchGuard(() => {});
      guard = { sab: this.guardWatch.sab, depth: this.guardWatch.depth };
    }
    // The I/O thread (heartbeat, control) and the main thread's sockets bind side by side.
    const io = startIoThread<IoPorts, ReceivedMessage, IoLog>(WORKER_URL, {
      data: { info: this.info, guard } satisfies IoThreadData,
      forwardInterrupts: signal,
      onRequest: (m, _connection, outdated) => void this.handle({ ...m, ch: "control" }, outdated),
      onEvent: (e) => this.options.logger?.[e.level](e.data, `jupyter: ${e.msg}`),
      // Nobody can interrupt or shut the kernel down any more: stop as on SIGTERM.
      onExit: (error) => {
        if (error) this.options.logger?.error({ err: error }, "the Jupyter I/O thread failed");
        this.endInput();
      },
    });
    this.io = io;
    const workerReady = io.ready.catch((reason: unknown) => {
      const f = reason as Partial<IoFailure> | Error;
      if (f instanceof Error || f.code === undefined) throw f;
      throw new KernelkitError(f.code, f.message ?? "", { hint: bindHint(f.code) });
    });
    // Shell is served as soon as it is bound: kernel_info needs neither the I/O thread nor the kernel.
    const events: MainSocketEvents = {
      message: (ch, m) => this.onMain(ch, m),
      log: (level, msg, data) => this.options.logger?.[level](data, `jupyter: ${msg}`),
    };
    const open = () =>
      MainSockets.open(this.info, this.signer).catch((error: unknown) => {
        if (error instanceof BindFailure)
          throw new KernelkitError(error.code, error.message, { hint: error.hint });
        throw error;
      });
    // The early bind's sockets when it bound them (what they held is read first), else our own.
    const early = this.early;
    const socketsReady = (early ? early.sockets.catch(open) : open()).then((sockets) => {
      this.sockets = sockets;
      if (early?.owns(sockets)) early.adopt(events);
      else sockets.listen(events);
      return sockets;
    });
    const [workerPorts, sockets] = await Promise.allSettled([workerReady, socketsReady]);
    if (workerPorts.status === "fulfilled" && sockets.status === "fulfilled") {
      this.ports = { ...sockets.value.ports, ...workerPorts.value };
      return;
    }
    if (sockets.status === "fulfilled") sockets.value.close();
    this.sockets = null;
    // Closed through the helper, so the thread closes its sockets before it ends.
    await io.close();
    this.io = null;
    this.guardWatch?.dispose();
    throw workerPorts.status === "rejected" ? workerPorts.reason : (sockets as PromiseRejectedResult).reason;
  }

  private onMain(ch: "shell" | "stdin", m: ReceivedMessage): void {
    if (ch === "stdin") this.onStdin(m);
    else {
      this.shellQueue.push({ ...m, ch: "shell" });
      this.pumpShell();
    }
  }

  private pumpShell(): void {
    if (this.shellBusy || this.closed) return;
    const head = this.shellQueue[0];
    if (!head || (!this.attached && head.header.msg_type !== "kernel_info_request")) return;
    const next = this.shellQueue.shift()!;
    this.shellBusy = true;
    void this.handle(next).finally(() => {
      this.shellBusy = false;
      this.pumpShell();
    });
  }

  // ---- sending ----

  /** Encodes, signs and sends one message: control's through the I/O thread, the rest here. */
  private send(
    ch: SendChannel,
    ids: readonly Uint8Array[],
    type: string,
    parent: unknown,
    metadata: unknown,
    content: unknown,
  ): void {
    // Output made before this message goes out before it.
    if (this.stream) this.flushStream();
    this.sendNow(ch, ids, type, parent, metadata, content);
  }

  /** Adds text to the pending `stream` message, sending it when full or old enough. */
  private streamText(parent: ReceivedMessage, name: string, text: string): void {
    if (text.length === 0) return;
    let p = this.stream;
    if (p && (p.parent !== parent || p.name !== name)) {
      this.flushStream();
      p = null;
    }
    const now = performance.now();
    if (!p) {
      p = { parent, name, parts: [], size: 0, since: now };
      this.stream = p;
      // A cell that stops printing (or waits) gets its text out by this timer; one that
      // prints in a synchronous loop, where no timer runs, by the age check below.
      this.streamTimer = setTimeout(() => this.flushStream(), STREAM_FLUSH_MS);
      this.streamTimer.unref?.();
    }
    p.parts.push(text);
    p.size += text.length;
    if (p.size >= STREAM_FLUSH_CHARS || now - p.since >= STREAM_FLUSH_MS) this.flushStream();
  }

  private flushStream(): void {
    const p = this.stream;
    if (!p) return;
    this.stream = null;
    if (this.streamTimer) clearTimeout(this.streamTimer);
    this.streamTimer = null;
    const text = p.parts.length === 1 ? p.parts[0]! : p.parts.join("");
    this.sendNow("iopub", [], "stream", p.parent.header, {}, { name: p.name, text });
  }

  private sendNow(
    ch: SendChannel,
    ids: readonly Uint8Array[],
    type: string,
    parent: unknown,
    metadata: unknown,
    content: unknown,
  ): void {
    if (this.closed) return;
    const topic = ch === "iopub" ? [Buffer.from(`kernel.${this.session}.${type}`)] : ids;
    const frames = encodeMessage(
      this.signer,
      topic,
      newHeader(type, this.session),
      parent,
      metadata,
      content,
    );
    if (ch === "control") this.io?.post({ frames } satisfies ToIo);
    else this.sockets?.send(ch, frames);
  }

  private iopub(
    type: string,
    parent: ReceivedMessage | null,
    content: unknown,
    metadata: unknown = {},
  ): void {
    this.send("iopub", [], type, parent?.header ?? {}, metadata, content);
  }

  private reply(to: Incoming, type: string, content: unknown, metadata: unknown = {}): void {
    this.send(to.ch, to.identities, type, to.header, metadata, content);
  }

  private status(state: "busy" | "idle" | "starting", parent: ReceivedMessage | null): void {
    this.iopub("status", parent, { execution_state: state });
  }

  // ---- requests ----

  /** `outdated`: an interrupt_request read while an execute ran that is over (core's helper). */
  private async handle(m: Incoming, outdated = false): Promise<void> {
    this.status("busy", m);
    try {
      await this.dispatch(m, outdated);
    } catch (error) {
      this.options.logger?.error({ err: error, msg_type: m.header.msg_type }, "jupyter: a request failed");
    } finally {
      this.status("idle", m);
    }
  }

  private async dispatch(m: Incoming, outdated: boolean): Promise<void> {
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
        return this.interrupt(m, outdated);
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
    this.reply(m, "kernel_info_reply", kernelInfoContent(this.language, VERSION));
  }

  private async execute(m: Incoming): Promise<void> {
    if (this.options.mode === "reactive") return this.executeReactive(m);
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
    // An interrupt_request read before now was meant for an earlier execute (outdated).
    this.io?.executionStarted();
    let error: ReturnType<typeof errorContent> | null = null;
    const pages: Record<string, unknown>[] = [];
    this.pages = pages;
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
      this.pages = null;
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
      {
        status: "ok",
        execution_count: this.executionCount,
        user_expressions: userExpressions,
        payload: pages,
      },
      { status: "ok" },
    );
  }

  /**
   * Reactive mode (docs/jupyter.md): the request's code becomes the cell `metadata.cellId`
   * names (front-ends such as JupyterLab send one; otherwise the code's hash), it runs with
   * the cells that read its names, and their outputs go out as display_data naming their cell.
   */
  private async executeReactive(m: Incoming): Promise<void> {
    const c = m.content;
    const code = typeof c.code === "string" ? c.code : "";
    const silent = c.silent === true;
    const storeHistory = !silent && c.store_history !== false;
    const stopOnError = c.stop_on_error !== false;
    const meta = m.metadata as { cellId?: unknown; cell_id?: unknown };
    const given =
      typeof meta.cellId === "string" ? meta.cellId : typeof meta.cell_id === "string" ? meta.cell_id : null;
    const cellId = given ?? `jupyter-${createHash("sha256").update(code).digest("hex").slice(0, 16)}`;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    if (!silent) this.iopub("execute_input", m, { code, execution_count: count });
    if (storeHistory) this.history.add(count, code);
    this.lastExecute = m;
    this.executing = true;
    // An interrupt_request read before now was meant for an earlier execute (outdated).
    this.io?.executionStarted();
    let error: ReturnType<typeof errorContent> | null = null;
    const other = (cell: string, data: Record<string, unknown>) =>
      this.iopub("display_data", m, { data, metadata: { kernelkit: { cellId: cell } }, transient: {} });
    let done: Frame;
    try {
      done = await this.link.request({ type: "set_cells", cells: [{ id: cellId, code }], run: true }, (f) => {
        const own = f.cellId === undefined || f.cellId === cellId;
        const cell = String(f.cellId);
        if (f.type === "error") {
          if (own) {
            error = errorContent(f);
            this.iopub("error", m, error);
          } else other(cell, { "text/plain": errorContent(f).traceback.join("\n") });
        } else if (f.type === "result") {
          if (own && !silent)
            this.iopub("execute_result", m, { execution_count: count, data: f.bundle, metadata: {} });
          else if (!own) other(cell, f.bundle as Record<string, unknown>);
        } else if ((f.type === "stdout" || f.type === "stderr") && !own) {
          other(cell, { "text/plain": String(f.data) });
        } else if (f.type !== "graph" && f.type !== "cell_status") this.output(m, f);
      });
    } finally {
      this.executing = false;
    }
    const runResult = (done.cells as Record<string, string> | undefined)?.[cellId];
    if (done.type === "error_reply" && !error) {
      const e = done.error as { code?: string; message?: string } | undefined;
      error = { ename: e?.code ?? "Error", evalue: e?.message ?? "", traceback: [] };
      this.iopub("error", m, error);
    }
    if (error || (runResult !== undefined && runResult !== "success")) {
      const e = error ?? { ename: "Cancelled", evalue: `the cell did not run (${runResult})`, traceback: [] };
      const aborted = stopOnError ? await this.takeQueuedExecutes() : [];
      this.reply(m, "execute_reply", { status: "error", execution_count: count, ...e }, { status: "error" });
      for (const q of aborted) {
        this.status("busy", q);
        const status = { status: "aborted" };
        this.reply(q, "execute_reply", { ...status, execution_count: count }, status);
        this.status("idle", q);
      }
      return;
    }
    const userExpressions = await this.userExpressions(c.user_expressions);
    this.reply(
      m,
      "execute_reply",
      { status: "ok", execution_count: count, user_expressions: userExpressions, payload: [] },
      { status: "ok" },
    );
  }

  /** iopub messages for the output frames of a request. */
  private output(m: ReceivedMessage, f: Frame): void {
    switch (f.type) {
      case "stdout":
      case "stderr":
        this.streamText(m, f.type, String(f.data ?? ""));
        return;
      case "display": {
        if (f.page === true && this.pages) {
          this.pages.push({ source: "page", data: f.bundle, start: 0 });
          return;
        }
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
    this.send(
      "stdin",
      m.identities,
      "input_request",
      m.header,
      {},
      {
        prompt: String(f.prompt ?? ""),
        password: f.password === true,
      },
    );
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

  private async interrupt(m: Incoming, outdated: boolean): Promise<void> {
    // The I/O thread may have stopped a blocking cell with SIGINT already, and another execute
    // started since: the request was meant for the one that is over (`outdated`), and passing
    // it on would stop the next.
    if (this.executing && !outdated) await this.link.request({ type: "interrupt" });
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
    this.flushStream();
    // The I/O thread sends what it was given (the shutdown reply) and closes its sockets first.
    await this.io?.close();
    this.io = null;
    this.closed = true;
    // Sends are handed to ZeroMQ as they are made; linger lets it deliver the last of them.
    this.sockets?.close();
    this.sockets = null;
    this.guardWatch?.dispose();
    this.guardWatch = null;
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
