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
 * run: they die young, where garbage collection is cheap. Once the text is long (STREAM_TEXT),
 * what is joined is kept JSON-escaped, as UTF-8 bytes outside the JS heap: the escaping is
 * done once, while the cell prints, the collector's young generation stays small, and
 * `run --json` writes those bytes as they are.
 */
class TextBuffer {
  private pieces: string[] = [];
  private chunks: string[] = [];
  private escaped: EscapedText | null = null;
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
    if (this.escaped) return this.escaped.text();
    if (this.chunks.length > 1) this.chunks = [this.chunks.join("")];
    return this.chunks[0] ?? "";
  }
  /**
   * Writes the text as a JSON string literal, exactly as JSON.stringify would, a batch at a
   * time: no single string of the whole text, escaped or not, is ever built.
   */
  writeJson(out: (text: string | Uint8Array) => void): void {
    this.seal();
    if (this.escaped) {
      this.escaped.writeJson(out);
      return;
    }
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
    const joined = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join("");
    this.pieces = [];
    if (this.escaped) {
      this.escaped.add(joined);
      return;
    }
    this.chunks.push(joined);
    if (this.size < STREAM_TEXT) return;
    this.escaped = new EscapedText();
    for (const chunk of this.chunks) this.escaped.add(chunk);
    this.chunks = [];
  }
}

/** A long text, JSON-escaped (without its quotes) in UTF-8 blocks; no block splits a character. */
class EscapedText {
  private readonly blocks: Buffer[] = [];
  private block: Buffer | null = null;
  private used = 0;
  /** A high surrogate that ended the text so far: its pair may be the next text's first. */
  private carry = "";
  add(text: string): void {
    let c = this.carry + text;
    this.carry = "";
    // Never escape between the halves of a surrogate pair: JSON.stringify of the whole would not.
    const last = c.charCodeAt(c.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.carry = c.slice(-1);
      c = c.slice(0, -1);
    }
    if (c.length === 0) return;
    const e = JSON.stringify(c).slice(1, -1);
    const bytes = Buffer.byteLength(e, "utf8");
    if (!this.block || this.used + bytes > this.block.length) {
      if (this.block) this.blocks.push(this.block.subarray(0, this.used));
      this.block = Buffer.allocUnsafeSlow(Math.max(ESCAPED_BLOCK, bytes));
      this.used = 0;
    }
    // As many bytes as characters: ASCII, which latin1 copies as is (utf8 looks at each one).
    this.used += this.block.write(e, this.used, bytes === e.length ? "latin1" : "utf8");
  }
  private all(): Buffer[] {
    return this.block ? [...this.blocks, this.block.subarray(0, this.used)] : this.blocks;
  }
  writeJson(out: (text: string | Uint8Array) => void): void {
    out('"');
    for (const b of this.all()) if (b.length > 0) out(b);
    out(`${this.carry ? JSON.stringify(this.carry).slice(1, -1) : ""}"`);
  }
  text(): string {
    return (JSON.parse(`"${Buffer.concat(this.all()).toString("utf8")}"`) as string) + this.carry;
  }
}

const JOIN_EVERY = 256;
/** Texts at least this long are streamed by writeJson instead of serialized in one piece. */
const STREAM_TEXT = 256 * 1024;
const JSON_BATCH = 256 * 1024;
const ESCAPED_BLOCK = 1024 * 1024;

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
    out: (text: string | Uint8Array) => void,
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
