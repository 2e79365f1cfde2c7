// One python3 subprocess running runner.py: NDJSON on fd 3, the cells' output on fd 1/2.
// Output and replies travel on different fds, so a reply that names a stream marker
// (`so`/`se`) is held until that marker has come through, and text written after the marker
// is held until the reply has been handled: output is never attributed to the wrong cell.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { Socket } from "node:net";
import { StringDecoder } from "node:string_decoder";
import { fileURLToPath } from "node:url";

/** A message from the runner. */
export interface RunnerMessage {
  op: string;
  seq?: number | null;
  so?: number | null;
  se?: number | null;
  [key: string]: unknown;
}

export interface PythonProcessOptions {
  python: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  notebookPath: string | null;
  onText(stream: "stdout" | "stderr", text: string): void;
  onMessage(message: RunnerMessage): void;
  onExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): void;
}

const CHANNEL_FD = 3;

/** runner.py sits beside this module in src/, and is found from dist/ through ../src. */
export function runnerPath(): string {
  for (const rel of ["./runner.py", "../src/runner.py"]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return fileURLToPath(new URL("./runner.py", import.meta.url));
}

/** fd 1 or fd 2 of the child: text is delivered at once unless the stream waits at a marker. */
class MarkedStream {
  private readonly decoder = new StringDecoder("utf8");
  private carry = "";
  /** Number of the last marker passed. */
  seen = 0;
  private blocked = false;
  private held: string[] = [];
  /** Every whole marker, for text delivered without waiting. */
  private readonly markers: RegExp;

  constructor(
    private readonly prefix: string,
    private readonly deliver: (text: string) => void,
    private readonly onMarker: () => void,
  ) {
    // The prefix is "\0kk<hex nonce>:"; only its NUL needs escaping.
    this.markers = new RegExp(`${prefix.replace("\0", "\\x00")}\\d+\\x00`, "g");
  }

  push(chunk: Buffer): void {
    const text = this.carry + this.decoder.write(chunk);
    this.carry = "";
    if (text) this.feed(text);
  }

  private feed(text: string): void {
    let start = 0;
    for (;;) {
      if (this.blocked) {
        if (start < text.length) this.held.push(start === 0 ? text : text.slice(start));
        return;
      }
      const i = text.indexOf("\0", start);
      if (i === -1) {
        if (start < text.length) this.deliver(start === 0 ? text : text.slice(start));
        return;
      }
      const m = this.match(text, i);
      if (m === "partial") {
        if (i > start) this.deliver(text.slice(start, i));
        this.carry = text.slice(i);
        return;
      }
      if (m === null) {
        this.deliver(text.slice(start, i + 1));
        start = i + 1;
        continue;
      }
      if (i > start) this.deliver(text.slice(start, i));
      this.seen = m.n;
      this.blocked = true;
      start = m.end;
      this.onMarker();
    }
  }

  /** A marker `\0kk<nonce>:<n>\0` at i, a possible marker cut by the chunk's end, or none. */
  private match(text: string, i: number): { n: number; end: number } | "partial" | null {
    const p = this.prefix;
    const avail = text.length - i;
    if (avail < p.length) return p.startsWith(text.slice(i)) ? "partial" : null;
    if (!text.startsWith(p, i)) return null;
    let j = i + p.length;
    let n = 0;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === 0) return j > i + p.length ? { n, end: j + 1 } : null;
      if (c < 48 || c > 57 || j - i - p.length > 15) return null;
      n = n * 10 + (c - 48);
      j++;
    }
    return "partial";
  }

  /** The reply naming the current marker was handled: let what followed it through. */
  release(): void {
    if (!this.blocked) return;
    this.blocked = false;
    const held = this.held;
    this.held = [];
    for (const t of held) this.feed(t);
  }

  /** The process is gone: deliver everything, markers or not. */
  drain(): void {
    this.blocked = false;
    const rest = this.held.join("") + this.carry + this.decoder.end();
    this.held = [];
    this.carry = "";
    if (rest) this.deliver(rest.replace(this.markers, ""));
  }
}

export class PythonProcess {
  readonly child: ChildProcess;
  private readonly channel: Socket;
  private readonly out: MarkedStream;
  private readonly err: MarkedStream;
  private readonly inbox: RunnerMessage[] = [];
  private inboxHead = 0;
  private pumping = false;
  private lineParts: Buffer[] = [];
  private stderrTail = "";
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private refs = 0;
  /** What keeps the host's event loop alive while something waits for Python. */
  private handleList: { ref(): unknown; unref(): unknown }[] | null = null;

  constructor(private readonly options: PythonProcessOptions) {
    const nonce = randomBytes(8).toString("hex");
    const prefix = `\0kk${nonce}:`;
    this.child = spawn(options.python, [runnerPath()], {
      cwd: options.cwd,
      env: {
        ...options.env,
        KERNELKIT_PY_FD: String(CHANNEL_FD),
        KERNELKIT_PY_NONCE: nonce,
        KERNELKIT_PY_NOTEBOOK: options.notebookPath ?? "",
        // Python subprocesses of cells stream their prints too.
        PYTHONUNBUFFERED: "1",
      },
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      // Its own process group: a terminal's Ctrl-C reaches only the host, which decides, and
      // the whole group (cells' subprocesses included) can be killed when Python is restarted.
      detached: true,
    });
    this.channel = this.child.stdio[CHANNEL_FD] as Socket;
    this.out = new MarkedStream(
      prefix,
      (t) => options.onText("stdout", t),
      () => this.pump(),
    );
    this.err = new MarkedStream(
      prefix,
      (t) => {
        this.stderrTail = (this.stderrTail + t).slice(-2000);
        options.onText("stderr", t);
      },
      () => this.pump(),
    );
    this.child.stdout!.on("data", (c: Buffer) => this.out.push(c));
    this.child.stderr!.on("data", (c: Buffer) => this.err.push(c));
    this.channel.on("data", (c: Buffer) => this.onChannel(c));
    this.channel.on("error", () => {});
    this.child.stdout!.on("error", () => {});
    this.child.stderr!.on("error", () => {});
    this.exitPromise = new Promise<void>((resolve) => {
      let spawnError: Error | null = null;
      this.child.on("error", (e) => {
        spawnError = e;
        if (this.child.pid === undefined) finish(null, null);
      });
      // "close": the process exited and its stdio reached end of file (all output is in). A
      // cell's background subprocess may hold fd 1/2 open, so "exit" alone ends it soon after.
      this.child.on("close", (code, signal) => finish(code, signal));
      this.child.on("exit", (code, signal) => {
        setTimeout(() => finish(code, signal), 200).unref();
      });
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exited) return;
        this.exited = true;
        this.pump();
        this.out.drain();
        this.err.drain();
        this.pump();
        const tail = spawnError ? `${(spawnError as NodeJS.ErrnoException).code ?? spawnError.message}` : "";
        options.onExit(code, signal, tail || this.stderrTail);
        resolve();
      };
    });
    this.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  send(message: Record<string, unknown>): void {
    this.sendLine(JSON.stringify(message));
  }

  /** Writes one already-serialized request. */
  sendLine(line: string): void {
    if (this.exited || this.channel.destroyed) return;
    this.channel.write(`${line}\n`);
  }

  /** While something waits for Python, its pipes keep the host's event loop alive. */
  ref(): void {
    if (this.refs++ === 0) for (const h of this.handles()) h.ref();
  }

  unref(): void {
    if (this.refs > 0) this.refs--;
    if (this.refs === 0) for (const h of this.handles()) h.unref();
  }

  private handles(): { ref(): unknown; unref(): unknown }[] {
    if (this.handleList) return this.handleList;
    const hs: { ref(): unknown; unref(): unknown }[] = [this.child];
    for (const s of [this.channel, this.child.stdout, this.child.stderr]) {
      if (s && typeof (s as Socket).unref === "function") hs.push(s as Socket);
    }
    this.handleList = hs;
    return hs;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, sig);
    } catch {}
  }

  /** SIGKILL to the whole process group (Python and whatever its cells started). */
  kill(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      this.signal("SIGKILL");
    }
  }

  /** Asks the runner to stop; kills the group when it has not exited within `graceMs`. */
  async close(graceMs: number): Promise<void> {
    if (!this.exited) {
      this.ref();
      this.send({ op: "shutdown" });
      this.channel.end();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.exitPromise,
        new Promise<void>((r) => {
          timer = setTimeout(r, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    // Also when Python exited on its own: cells' subprocesses may still hold the group.
    this.kill();
    if (!this.exited) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.exitPromise,
        new Promise<void>((r) => {
          timer = setTimeout(r, 1000);
        }),
      ]);
      clearTimeout(timer);
    }
    this.unref();
  }

  private onChannel(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        if (start < chunk.length) this.lineParts.push(chunk.subarray(start));
        break;
      }
      let line: Buffer = chunk.subarray(start, nl);
      if (this.lineParts.length > 0) {
        this.lineParts.push(line);
        line = Buffer.concat(this.lineParts);
        this.lineParts = [];
      }
      start = nl + 1;
      if (line.length === 0) continue;
      let msg: RunnerMessage;
      try {
        msg = JSON.parse(line.toString("utf8"));
      } catch {
        continue;
      }
      this.inbox.push(msg);
    }
    this.pump();
  }

  /** Hands over replies in order, each once the output before it has been delivered. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.inboxHead < this.inbox.length) {
        const m = this.inbox[this.inboxHead]!;
        if (!this.exited) {
          if (typeof m.so === "number" && this.out.seen < m.so) break;
          if (typeof m.se === "number" && this.err.seen < m.se) break;
        }
        this.inboxHead++;
        this.deliver(m);
        if (typeof m.so === "number") this.out.release();
        if (typeof m.se === "number") this.err.release();
      }
      if (this.inboxHead === this.inbox.length) {
        this.inbox.length = 0;
        this.inboxHead = 0;
      }
    } finally {
      this.pumping = false;
    }
  }

  private deliver(m: RunnerMessage): void {
    try {
      this.options.onMessage(m);
    } catch {}
  }
}
