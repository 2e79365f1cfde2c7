// A scheduler template (docs/plugins/scheduler.md): first in, first out, cancelling a cell
// cancels its queued descendants. Copy it, rename it, change the order `next()` picks. It passes
// the scheduler kit as it is (test/docs/templates.test.ts).
import { type CellId, defineScheduler, type GraphView, type Scheduler } from "@kernelkit/core";

export class FifoScheduler implements Scheduler {
  /** Shown by `kernel_info` and in logs. */
  readonly name = "fifo-template";
  private queue: CellId[] = [];
  private readonly queued = new Set<CellId>();
  private readonly cancelled = new Set<CellId>();
  private interrupted = false;

  constructor(private readonly graph: Pick<GraphView, "descendants">) {}

  /** Cells arrive in topological order; a new run clears an interrupt. */
  enqueue(cellIds: readonly CellId[]): void {
    this.interrupted = false;
    for (const id of cellIds) {
      this.queue.push(id);
      this.queued.add(id);
      this.cancelled.delete(id);
    }
  }

  /** The next cell to run, or undefined when the queue is empty or interrupted. */
  next(): CellId | undefined {
    if (this.interrupted) return undefined;
    for (;;) {
      const id = this.queue.shift();
      if (id === undefined) return undefined;
      this.queued.delete(id);
      if (!this.cancelled.has(id)) return id;
    }
  }

  /** A cell failed: its queued descendants (transitive closure) will not run. */
  cancel(cellId: CellId): ReadonlySet<CellId> {
    const out = new Set<CellId>();
    for (const d of this.graph.descendants([cellId])) {
      if (this.queued.has(d) && !this.cancelled.has(d)) {
        this.cancelled.add(d);
        out.add(d);
      }
    }
    return out;
  }

  isCancelled(cellId: CellId): boolean {
    return this.cancelled.has(cellId);
  }

  interrupt(): void {
    this.interrupted = true;
  }

  /** Optional: what is still queued (the kernel reports these as cancelled after an interrupt). */
  pending(): readonly CellId[] {
    return this.queue.filter((id) => !this.cancelled.has(id));
  }

  /** Optional: drops everything queued (the kernel calls it when a run ends, after an interrupt too). */
  clear(): void {
    this.queue = [];
    this.queued.clear();
    this.cancelled.clear();
  }
}

/** The module's default export: a factory the kernel calls with its graph. */
export default defineScheduler((_options, ctx) => new FifoScheduler(ctx.graph));
