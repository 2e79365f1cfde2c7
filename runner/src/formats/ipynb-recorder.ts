// Records a run's outputs per cell in the order cells produced them, as nbformat outputs, for
// `run --output OUT.ipynb` / `--inplace`. It observes the run beside the report's collector.
import type { CellId, ErrorInfo, MimeBundle, RunObserver } from "@kernelkit/core";
import {
  type CellOutputs,
  displayOutput,
  errorOutput,
  type IpynbOutput,
  resultOutput,
  streamOutput,
} from "./ipynb.ts";

interface Pending {
  executionCount: number | null;
  items: ({ stream: "stdout" | "stderr"; text: string } | IpynbOutput)[];
  error: ErrorInfo | null;
  status: string | null;
}

export class IpynbRecorder implements RunObserver {
  private readonly cells = new Map<CellId, Pending>();
  private count = 0;

  private entry(id: CellId): Pending {
    let e = this.cells.get(id);
    if (!e) this.cells.set(id, (e = { executionCount: null, items: [], error: null, status: null }));
    return e;
  }

  status(cellId: CellId, status: "queued" | "running" | "idle", runResult?: string): void {
    // Execution counts number cells in the order they ran, as Jupyter numbers them.
    if (status === "running") this.entry(cellId).executionCount = ++this.count;
    if (status === "idle") {
      const e = this.entry(cellId);
      e.status = runResult ?? null;
      // Cancelled and disabled cells also pass through "running" without executing.
      if (runResult === "cancelled" || runResult === "disabled") {
        if (e.executionCount === this.count) this.count--;
        e.executionCount = null;
      }
    }
  }
  private text(cellId: CellId | null, stream: "stdout" | "stderr", text: string): void {
    if (cellId === null || text === "") return;
    const items = this.entry(cellId).items;
    const last = items[items.length - 1];
    // Consecutive writes to one stream are one output, as Jupyter front ends show them.
    if (last && "stream" in last && last.stream === stream) last.text += text;
    else items.push({ stream, text });
  }
  stdout(cellId: CellId | null, text: string): void {
    this.text(cellId, "stdout", text);
  }
  stderr(cellId: CellId | null, text: string): void {
    this.text(cellId, "stderr", text);
  }
  display(cellId: CellId | null, bundle: MimeBundle): void {
    if (cellId !== null) this.entry(cellId).items.push(displayOutput(bundle));
  }
  result(cellId: CellId | null, bundle: MimeBundle): void {
    if (cellId === null) return;
    const e = this.entry(cellId);
    e.items.push(resultOutput(bundle, e.executionCount));
  }
  error(cellId: CellId | null, info: ErrorInfo): void {
    if (cellId !== null) this.entry(cellId).error = info;
  }

  /** Every cell that produced something, with its outputs in nbformat form. */
  outputs(): Map<CellId, CellOutputs> {
    const out = new Map<CellId, CellOutputs>();
    for (const [id, e] of this.cells) {
      const outputs: IpynbOutput[] = e.items.map((item) =>
        "stream" in item ? streamOutput(item.stream as "stdout" | "stderr", item.text as string) : item,
      );
      // A cancelled or disabled cell did not run: Jupyter shows no error for it.
      if (e.error && (e.status === "exception" || e.status === "error" || e.status === "interrupted"))
        outputs.push(errorOutput(e.error));
      out.set(id, { executionCount: e.executionCount, outputs });
    }
    return out;
  }
}

/** One observer that forwards every event to each of `observers`. */
export function teeObserver(...observers: RunObserver[]): RunObserver {
  return {
    status: (id, status, result) => {
      for (const o of observers) o.status(id, status, result);
    },
    stdout: (id, text) => {
      for (const o of observers) o.stdout(id, text);
    },
    stderr: (id, text) => {
      for (const o of observers) o.stderr(id, text);
    },
    display: (id, bundle) => {
      for (const o of observers) o.display(id, bundle);
    },
    result: (id, bundle) => {
      for (const o of observers) o.result(id, bundle);
    },
    error: (id, info) => {
      for (const o of observers) o.error(id, info);
    },
  };
}
