// Per-connection output: stdout/stderr text is coalesced (flushed at 60 KiB, after 10 ms,
// and always before the next frame), other frames go out in order; terminal frames flush.
// Flushes made while code runs are partial (Connection.flush): they never wait for the client.
import type { CellId } from "../contract/cell.ts";
import type { MimeBundle } from "../contract/mime.ts";
import type { Connection, Frame } from "../contract/transport.ts";
import type { DisplayExtras, ErrorInfo, RunObserver } from "../execution/cell-runner.ts";
import { isTerminalFrame } from "./protocol.ts";

/**
 * Text per stdout/stderr frame at most: with its JSON envelope a frame of ASCII text fits the
 * 64 KiB a pipe holds, so a client parses each frame as it arrives. Megabyte frames reach it in
 * pipe-sized pieces it has to gather and re-scan for the line's end (several times slower).
 */
const FLUSH_CHARS = 60 * 1024;

export interface FrameSinkOptions {
  flushBytes?: number;
  flushMs?: number;
}

type Pending = {
  type: "stdout" | "stderr";
  id: string | null;
  cellId: CellId | null;
  parts: string[];
  size: number;
};

export class FrameSink {
  private pending: Pending | null = null;
  /**
   * One timer, left running once armed: a request that ends within flushMs (most do) flushes
   * itself and leaves the timer to find nothing to do, instead of re-arming it every time.
   */
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerPending = false;
  private armed = false;
  /** When the timer was armed: a synchronous loop never lets the timer fire, so writes check the age. */
  private armedAt = 0;
  private readonly flushBytes: number;
  private readonly flushMs: number;

  constructor(
    readonly connection: Connection,
    options: FrameSinkOptions = {},
  ) {
    this.flushBytes = options.flushBytes ?? FLUSH_CHARS;
    this.flushMs = options.flushMs ?? 10;
  }

  send(frame: Frame): void {
    if (this.pending) this.emitPending();
    void this.connection.send(frame);
    if (isTerminalFrame(frame.type)) this.flush();
    else this.armOrFlush();
  }

  text(type: "stdout" | "stderr", id: string | null, cellId: CellId | null, data: string): void {
    if (data.length === 0) return;
    const p = this.pending;
    if (p && p.type === type && p.id === id && p.cellId === cellId) {
      if (p.size + data.length <= this.flushBytes) {
        p.parts.push(data);
        p.size += data.length;
        if (p.size === this.flushBytes) this.flushSome(true);
        else this.armOrFlush();
        return;
      }
      // A full frame: it goes out now, and this text starts the next.
      this.emitPending();
      this.pending = { type, id, cellId, parts: [data], size: data.length };
      if (data.length >= this.flushBytes) this.flushSome(true);
      else this.flushSome(false);
      return;
    }
    if (p) this.emitPending();
    this.pending = { type, id, cellId, parts: [data], size: data.length };
    if (data.length >= this.flushBytes) this.flushSome(true);
    else this.armOrFlush();
  }

  /** Sends pending text and asks the connection to write what it batched. */
  flush(): void {
    this.armed = false;
    if (this.pending) this.emitPending();
    this.connection.flush?.();
  }

  /**
   * While code runs and prints: sends pending text (withPending) and lets the connection write what its
   * channel takes without waiting for the client (Connection.flush's `partial`), so the cell
   * prints on while the client reads. The rest goes out by the next flush — this timer's full
   * one, should the cell stop printing.
   */
  private flushSome(withPending: boolean): void {
    if (withPending && this.pending) this.emitPending();
    if (!this.connection.flush) {
      this.armed = false;
      return;
    }
    this.connection.flush(true);
    this.armed = true;
    this.armedAt = performance.now();
    if (!this.timerPending) this.startTimer(this.flushMs);
  }

  private emitPending(): void {
    const p = this.pending!;
    this.pending = null;
    const frame: Frame = {
      type: p.type,
      id: p.id,
      data: p.parts.length === 1 ? p.parts[0]! : p.parts.join(""),
    };
    if (p.cellId !== null) frame.cellId = p.cellId;
    void this.connection.send(frame);
  }

  /** Flushes within flushMs of the first unflushed frame: by the timer, or by a later write. */
  private armOrFlush(): void {
    if (this.armed) {
      if (performance.now() - this.armedAt >= this.flushMs) this.flushSome(true);
      return;
    }
    this.armed = true;
    this.armedAt = performance.now();
    if (!this.timerPending) this.startTimer(this.flushMs);
  }

  private startTimer(ms: number): void {
    this.timerPending = true;
    if (this.timer && ms === this.flushMs) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(this.onTimer, ms);
    this.timer.unref?.();
  }

  private readonly onTimer = (): void => {
    this.timerPending = false;
    if (!this.armed) return;
    // Armed after the timer started: wait out the rest of its flushMs.
    const left = this.flushMs - (performance.now() - this.armedAt);
    if (left > 1) this.startTimer(Math.ceil(left));
    else this.flush();
  };
}

/** A RunObserver that turns a request's events into frames; after the request ends, output goes out with id null. */
export class RequestFrames implements RunObserver {
  private ended = false;
  constructor(
    private readonly sink: FrameSink,
    readonly id: string,
  ) {}

  get requestId(): string | null {
    return this.ended ? null : this.id;
  }

  end(): void {
    this.ended = true;
  }

  frame(type: string, fields: Record<string, unknown>, cellId: CellId | null): void {
    const f: Frame = { type, id: this.requestId };
    if (cellId !== null) f.cellId = cellId;
    Object.assign(f, fields);
    this.sink.send(f);
  }

  status(
    cellId: CellId,
    status: "queued" | "running" | "idle",
    runResult?: string,
    skippedBy?: string | null,
  ): void {
    const f: Frame = { type: "cell_status", id: this.requestId, cellId, status };
    if (runResult !== undefined) f.runResult = runResult;
    // Only on a skipped cell's idle frame: clients show it as skipped (docs/plugins/lifecycle.md).
    if (skippedBy) f.skippedBy = skippedBy;
    this.sink.send(f);
  }
  stdout(cellId: CellId | null, text: string): void {
    this.sink.text("stdout", this.requestId, cellId, text);
  }
  stderr(cellId: CellId | null, text: string): void {
    this.sink.text("stderr", this.requestId, cellId, text);
  }
  display(cellId: CellId | null, bundle: MimeBundle, extras?: DisplayExtras): void {
    if (!extras) {
      this.frame("display", { bundle }, cellId);
      return;
    }
    const fields: Record<string, unknown> = { bundle };
    if (extras.displayId !== undefined) fields.displayId = extras.displayId;
    if (extras.update === true) fields.update = true;
    if (extras.page === true) fields.page = true;
    this.frame("display", fields, cellId);
  }
  clearOutput(cellId: CellId | null, wait: boolean): void {
    this.frame("clear_output", { wait }, cellId);
  }
  inputRequest(cellId: CellId | null, inputId: string, prompt: string, password: boolean): void {
    this.frame("input_request", { inputId, prompt, password }, cellId);
    // The client must see the request now: the cell waits for its answer.
    this.sink.flush();
  }
  result(cellId: CellId | null, bundle: MimeBundle): void {
    this.frame("result", { bundle }, cellId);
  }
  error(cellId: CellId | null, info: ErrorInfo): void {
    const fields: Record<string, unknown> = {
      ename: info.name,
      evalue: info.message,
      traceback: info.traceback,
    };
    if (info.code !== null) fields.code = info.code;
    this.frame("error", fields, cellId);
  }
}
