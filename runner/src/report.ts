// Collects what a run produced per cell, for the human report and `run --json`.
import type { CellId, ErrorInfo, Kernel, MimeBundle, RunObserver } from "@kernelkit/core";

export interface CellReport {
  id: string;
  name: string | null;
  /** code | markdown | raw (`kind` in the JSON). */
  kind: "code" | "markdown" | "raw";
  type: "code" | "markdown" | "raw";
  /** 1-based position among all the notebook's cells (human labels: `[n] name`). */
  index?: number;
  status: string;
  output: MimeBundle | null;
  displays: MimeBundle[];
  stdout: string;
  stderr: string;
  error: { name: string; message: string; traceback: string[]; code: string | null } | null;
  defs: string[];
  refs: string[];
  durationMs: number;
  /** The lifecycle whose Skip completed the cell, else null. */
  skippedBy: string | null;
}

/**
 * Text of one stream, appended piece by piece. Pieces are joined every JOIN_EVERY appends, so
 * a cell printing 100k lines does not keep 100k small strings alive until the end of the
 * run: they die young, where garbage collection is cheap.
 */
class TextBuffer {
  private pieces: string[] = [];
  private chunks: string[] = [];
  private size = 0;
  append(text: string): void {
    this.size += text.length;
    if (this.pieces.push(text) >= JOIN_EVERY) this.seal();
  }
  get length(): number {
    return this.size;
  }
  text(): string {
    this.seal();
    if (this.chunks.length > 1) this.chunks = [this.chunks.join("")];
    return this.chunks[0] ?? "";
  }
  /**
   * Writes the text as a JSON string literal, exactly as JSON.stringify would, a batch at a
   * time: no single string of the whole text, escaped or not, is ever built.
   */
  writeJson(out: (text: string) => void): void {
    this.seal();
    let batch = '"';
    let carry = "";
    for (const chunk of this.chunks) {
      let c = carry + chunk;
      carry = "";
      // Never cut between the halves of a surrogate pair: JSON.stringify would escape them.
      const last = c.charCodeAt(c.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        carry = c.slice(-1);
        c = c.slice(0, -1);
      }
      batch += JSON.stringify(c).slice(1, -1);
      if (batch.length >= JSON_BATCH) {
        out(batch);
        batch = "";
      }
    }
    out(`${batch}${carry ? JSON.stringify(carry).slice(1, -1) : ""}"`);
  }
  private seal(): void {
    if (this.pieces.length === 0) return;
    this.chunks.push(this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join(""));
    this.pieces = [];
  }
}

const JOIN_EVERY = 256;
/** Texts at least this long are streamed by writeJson instead of serialized in one piece. */
const STREAM_TEXT = 256 * 1024;
const JSON_BATCH = 256 * 1024;

export class RunCollector implements RunObserver {
  private readonly out = new Map<
    CellId,
    {
      stdout: TextBuffer;
      stderr: TextBuffer;
      displays: MimeBundle[];
      output: MimeBundle | null;
      error: ErrorInfo | null;
      status: string | null;
    }
  >();
  running: CellId | null = null;
  finished = 0;

  constructor(private readonly onProgress?: (event: { cellId: CellId; status: string }) => void) {}

  private entry(id: CellId | null) {
    const key = id ?? "";
    let e = this.out.get(key);
    if (!e)
      this.out.set(
        key,
        (e = {
          stdout: new TextBuffer(),
          stderr: new TextBuffer(),
          displays: [],
          output: null,
          error: null,
          status: null,
        }),
      );
    return e;
  }

  status(cellId: CellId, status: "queued" | "running" | "idle", runResult?: string): void {
    if (status === "running") this.running = cellId;
    if (status === "idle") {
      this.entry(cellId).status = runResult ?? null;
      this.finished++;
      if (this.running === cellId) this.running = null;
    }
    this.onProgress?.({ cellId, status });
  }
  stdout(cellId: CellId | null, text: string): void {
    this.entry(cellId).stdout.append(text);
  }
  stderr(cellId: CellId | null, text: string): void {
    this.entry(cellId).stderr.append(text);
  }
  display(cellId: CellId | null, bundle: MimeBundle): void {
    this.entry(cellId).displays.push(bundle);
  }
  result(cellId: CellId | null, bundle: MimeBundle): void {
    this.entry(cellId).output = bundle;
  }
  error(cellId: CellId | null, info: ErrorInfo): void {
    this.entry(cellId).error = info;
  }

  /** Every cell in notebook order, as `run --json` lists them (or only those in `only`). */
  reports(kernel: Kernel, only?: ReadonlySet<CellId>): CellReport[] {
    return this.build(kernel, (buffer) => buffer.text(), only);
  }

  /**
   * Writes `run --json`'s object — `head`'s fields, then `cells` — exactly as
   * `JSON.stringify({ ...head, cells })` would, but a long stdout or stderr streams out in
   * batches instead of being joined and escaped as one string.
   */
  writeJson(
    kernel: Kernel,
    head: Record<string, unknown>,
    out: (text: string) => void,
    only?: ReadonlySet<CellId>,
  ): void {
    const streamed: TextBuffer[] = [];
    const tag = `\u0000kk${Math.random().toString(36).slice(2)}:`;
    const reports = this.build(
      kernel,
      (buffer) => {
        if (buffer.length < STREAM_TEXT) return buffer.text();
        streamed.push(buffer);
        return `${tag}${streamed.length - 1}\u0000`;
      },
      only,
    );
    const cells = reports.map(({ type: _type, index: _index, ...rest }) => rest);
    const json = JSON.stringify({ ...head, cells });
    if (streamed.length === 0) {
      out(`${json}\n`);
      return;
    }
    // A placeholder is a whole JSON string: its quotes and its NULs, escaped, around the tag.
    const escapedTag = JSON.stringify(tag).slice(1, -1);
    let at = 0;
    for (;;) {
      const start = json.indexOf(`"${escapedTag}`, at);
      if (start === -1) break;
      const end = json.indexOf('\\u0000"', start);
      const index = Number(json.slice(start + 1 + escapedTag.length, end));
      out(json.slice(at, start));
      streamed[index]!.writeJson(out);
      at = end + '\\u0000"'.length;
    }
    out(`${json.slice(at)}\n`);
  }

  private build(
    kernel: Kernel,
    textOf: (buffer: TextBuffer) => string,
    only?: ReadonlySet<CellId>,
  ): CellReport[] {
    const all = kernel.cells();
    const position = new Map(all.map((c, i) => [c.id, i + 1]));
    const cells = only ? all.filter((c) => only.has(c.id)) : all;
    return cells.map((cell) => {
      const e = this.out.get(cell.id);
      const base = {
        id: cell.id,
        name: cell.name,
        kind: cell.type,
        type: cell.type,
        index: position.get(cell.id)!,
        defs: [...(cell.analysis?.defs ?? [])],
        refs: [...(cell.analysis?.refs ?? [])],
      };
      if (cell.type === "markdown") {
        return {
          ...base,
          status: "success",
          output: { "text/markdown": cell.code, "text/plain": cell.code },
          displays: [],
          stdout: "",
          stderr: "",
          error: null,
          durationMs: 0,
          skippedBy: null,
        };
      }
      if (cell.type === "raw") {
        return {
          ...base,
          status: "disabled",
          output: null,
          displays: [],
          stdout: "",
          stderr: "",
          error: null,
          durationMs: 0,
          skippedBy: null,
        };
      }
      const error = e?.error ?? null;
      return {
        ...base,
        status: e?.status ?? cell.lastRun?.status ?? "cancelled",
        output: e?.output ?? null,
        displays: e?.displays ?? [],
        stdout: e ? textOf(e.stdout) : "",
        stderr: e ? textOf(e.stderr) : "",
        error: error
          ? { name: error.name, message: error.message, traceback: error.traceback, code: error.code }
          : null,
        durationMs: Math.round((cell.lastRun?.durationMs ?? 0) * 1000) / 1000,
        skippedBy: cell.lastRun?.skippedBy ?? null,
      };
    });
  }

  /** Output written outside any cell (none in practice; kept so nothing is lost). */
  orphan(): { stdout: string; stderr: string } {
    const e = this.out.get("");
    return { stdout: e ? e.stdout.text() : "", stderr: e ? e.stderr.text() : "" };
  }
}
