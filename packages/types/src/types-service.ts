// The kernel's language service for JS/TS notebooks: answers `complete` and `inspect` from a
// worker thread started on the first request and kept warm. Nothing of TypeScript loads in the
// kernel's thread, and nothing at all before the first request (docs/types.md).
// This module imports nothing of kernelkit at run time (the `./service` entry): the kernel's
// thread already holds core, and the worker loads its own.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type {
  CodeQuery,
  CompletionReply,
  InspectReply,
  LanguageService,
  ServiceNotebook,
} from "@kernelkit/core";
import type { NotebookShape, TypeCell, TypeDiagnostic } from "./notebook-program.ts";
import type { CellDelta, WorkerOptions, WorkerReply, WorkerRequest } from "./protocol.ts";

export interface TypesServiceOptions extends WorkerOptions {}

/** The worker's built file: beside this module in dist/, or in dist/ when running from src/. */
function workerFile(): string {
  const here = new URL(".", import.meta.url);
  const candidates = [new URL("./worker.js", here), new URL("../dist/worker.js", here)];
  for (const c of candidates) if (existsSync(fileURLToPath(c))) return fileURLToPath(c);
  throw workerError("its built file (dist/worker.js) is missing; run the build");
}

/** A coded error core recognises (its brand) without this module importing core. */
function serviceError(code: string, message: string): Error {
  const e = new Error(message) as Error & { code: string; hint: string };
  e.name = "KernelkitError";
  e.code = code;
  e.hint = "It restarts on the next request; run `kernelkit check --types` to see type problems in full.";
  Object.defineProperty(e, Symbol.for("kernelkit.error"), { value: true });
  return e;
}

const workerError = (detail: string) =>
  serviceError("KK_TYPES_WORKER", `the type service stopped: ${detail}`);

function withoutConditions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--conditions" || a === "-C") i++;
    else if (!a.startsWith("--conditions=")) out.push(a);
  }
  return out;
}

type Outgoing = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, "id" | "delta"> : never) : never;

export class TypesService implements LanguageService {
  readonly name = "types";
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private sent = new Map<string, TypeCell>();
  private sentOrder = "";
  private sentShape = "";
  /** How many workers were started (0 until the first request). */
  startedWorkers = 0;

  constructor(private readonly options: TypesServiceOptions = {}) {}

  get started(): boolean {
    return this.worker !== null;
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerFile(), {
      // The worker is built JavaScript: a parent's resolution conditions (a test runner's
      // "kernelkit-source", which points at TypeScript sources) must not reach it.
      execArgv: withoutConditions(process.execArgv),
      workerData: { config: this.options.config, mode: this.options.mode } satisfies WorkerOptions,
      stdout: true,
      stderr: true,
    });
    worker.unref();
    // The compiler prints nothing; whatever a worker might print must not reach fd 1 (the
    // protocol channel of a stdio kernel) nor a cell's output.
    worker.stdout.resume();
    worker.stderr.resume();
    this.startedWorkers++;
    worker.on("message", (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if ("error" in reply) p.reject(serviceError(reply.error.code, reply.error.message));
      else p.resolve(reply.result);
    });
    const fail = (detail: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      // The next request starts a new worker, which must be told every cell again.
      this.sent = new Map();
      this.sentOrder = "";
      this.sentShape = "";
      for (const p of this.pending.values()) p.reject(workerError(detail));
      this.pending.clear();
    };
    worker.on("error", (error) => fail(error.message));
    worker.on("exit", (code) => fail(`its thread exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  /** The cells changed since the last request (all of them the first time). */
  private delta(nb: ServiceNotebook): CellDelta {
    const shape: NotebookShape = { path: nb.path, cwd: nb.cwd, typescript: nb.typescript };
    const shapeKey = JSON.stringify(shape);
    const delta: CellDelta = { upserts: [], removed: [] };
    if (shapeKey !== this.sentShape) {
      delta.shape = shape;
      this.sentShape = shapeKey;
    }
    const next = new Map<string, TypeCell>();
    for (const c of nb.cells) {
      const old = this.sent.get(c.id);
      const cell: TypeCell =
        old && old.code === c.code && old.line === c.line && old.name === c.name
          ? old
          : { id: c.id, name: c.name, code: c.code, line: c.line };
      if (cell !== old) delta.upserts.push(cell);
      next.set(c.id, cell);
    }
    for (const id of this.sent.keys()) if (!next.has(id)) delta.removed.push(id);
    this.sent = next;
    const order = nb.cells.map((c) => c.id).join("\0");
    if (order !== this.sentOrder) {
      delta.order = nb.cells.map((c) => c.id);
      this.sentOrder = order;
    }
    return delta;
  }

  private request<T>(nb: ServiceNotebook, message: Outgoing): Promise<T> {
    const worker = this.ensure();
    const id = ++this.seq;
    const delta = this.delta(nb);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.ref();
      worker.postMessage({ ...message, id, delta } as WorkerRequest);
    }).finally(() => {
      if (this.pending.size === 0) this.worker?.unref();
    });
  }

  complete(nb: ServiceNotebook, q: CodeQuery): Promise<CompletionReply | null> {
    return this.request(nb, {
      op: "complete",
      code: q.code,
      cursorPos: q.cursorPos,
      ...(q.cellId !== undefined ? { cellId: q.cellId } : {}),
    });
  }

  inspect(nb: ServiceNotebook, q: CodeQuery): Promise<InspectReply | null> {
    return this.request(nb, {
      op: "inspect",
      code: q.code,
      cursorPos: q.cursorPos,
      ...(q.cellId !== undefined ? { cellId: q.cellId } : {}),
    });
  }

  /** Every cell's type errors (notebook lines), from the warm program. */
  async check(
    nb: ServiceNotebook,
  ): Promise<{ cells: Map<string, TypeDiagnostic[]>; problems: TypeDiagnostic[] }> {
    const r = await this.request<{ cells: [string, TypeDiagnostic[]][]; problems: TypeDiagnostic[] }>(nb, {
      op: "check",
    });
    return { cells: new Map(r.cells), problems: r.problems };
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(workerError("the kernel is shutting down"));
    this.pending.clear();
    if (worker) await worker.terminate();
  }
}

export function createTypesService(options: TypesServiceOptions = {}): TypesService {
  return new TypesService(options);
}
