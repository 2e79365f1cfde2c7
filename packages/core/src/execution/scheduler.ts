// The default scheduler: first in, first out; cancelling a cell cancels its queued descendants.
import type { CellId } from "../contract/cell.ts";
import type { GraphView, Scheduler } from "../contract/plugin.ts";

export class SequentialScheduler implements Scheduler {
  readonly name = "sequential";
  private queue: CellId[] = [];
  private head = 0;
  private readonly queued = new Set<CellId>();
  private readonly cancelled = new Set<CellId>();
  private interrupted = false;

  constructor(private readonly graph: Pick<GraphView, "descendants">) {}

  enqueue(cellIds: readonly CellId[]): void {
    this.interrupted = false;
    for (const id of cellIds) {
      this.queue.push(id);
      this.queued.add(id);
      this.cancelled.delete(id);
    }
  }

  next(): CellId | undefined {
    if (this.interrupted) return undefined;
    while (this.head < this.queue.length) {
      const id = this.queue[this.head++]!;
      this.queued.delete(id);
      if (this.cancelled.has(id)) continue;
      return id;
    }
    this.queue = [];
    this.head = 0;
    return undefined;
  }

  cancel(cellId: CellId): ReadonlySet<CellId> {
    const out = new Set<CellId>();
    if (this.queued.size === 0) return out;
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

  pending(): readonly CellId[] {
    return this.queue.slice(this.head).filter((id) => !this.cancelled.has(id));
  }

  /** Drops everything queued (after an interrupt, the runner reports those cells as cancelled). */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.queued.clear();
    this.cancelled.clear();
  }
}
