// The dataflow graph: an edge P -> C when C refs a name that P defs. Edges are derived
// from two indexes (name -> definers, name -> readers), so an update touches only the
// changed cell's names, and queries cost what they visit.
import type { CellId } from "../contract/cell.ts";
import {
  CycleError,
  type KernelkitError,
  MultipleDefinitionError,
  ReassignError,
} from "../contract/errors.ts";
import type { GraphView } from "../contract/plugin.ts";

export interface GraphCellInput {
  id: CellId;
  defs: readonly string[];
  refs: readonly string[];
  /** Context globals the cell reads: edges only when a cell redefines one of them. */
  globalRefs?: readonly string[];
  /** Free names the cell assigns to. */
  writes?: readonly string[];
}

interface Node {
  id: CellId;
  defs: readonly string[];
  reads: readonly string[];
  writes: readonly string[];
}

export class DataflowGraph implements GraphView {
  private readonly nodes = new Map<CellId, Node>();
  private readonly definers = new Map<string, Set<CellId>>();
  private readonly readers = new Map<string, Set<CellId>>();
  private order: CellId[] = [];
  private position = new Map<CellId, number>();
  private positionsDirty = false;
  private cycleCache: Map<CellId, CycleError> | null = null;

  get size(): number {
    return this.nodes.size;
  }

  /** Increases on every change; lets callers cache what they derive from the graph. */
  version = 0;

  has(id: CellId): boolean {
    return this.nodes.has(id);
  }

  /** Cell ids in notebook order. */
  ids(): readonly CellId[] {
    return this.order;
  }

  defsOf(id: CellId): readonly string[] {
    return this.nodes.get(id)?.defs ?? [];
  }

  /** Inserts or replaces a cell. New cells go at the end, or before `before` when given. */
  upsert(cell: GraphCellInput, before?: CellId): void {
    const existing = this.nodes.get(cell.id);
    if (existing) this.unindex(existing);
    else if (before !== undefined && this.position.has(before)) {
      this.order.splice(this.indexOf(before), 0, cell.id);
      this.positionsDirty = true;
    } else {
      this.position.set(cell.id, this.order.length);
      this.order.push(cell.id);
    }
    const node: Node = {
      id: cell.id,
      defs: cell.defs,
      reads: cell.globalRefs && cell.globalRefs.length > 0 ? [...cell.refs, ...cell.globalRefs] : cell.refs,
      writes: cell.writes ?? [],
    };
    this.nodes.set(cell.id, node);
    for (const n of node.defs) addTo(this.definers, n, cell.id);
    for (const n of node.reads) addTo(this.readers, n, cell.id);
    this.cycleCache = null;
    this.version++;
  }

  remove(id: CellId): void {
    const node = this.nodes.get(id);
    if (!node) return;
    this.unindex(node);
    this.nodes.delete(id);
    this.order.splice(this.indexOf(id), 1);
    this.position.delete(id);
    this.positionsDirty = true;
    this.cycleCache = null;
    this.version++;
  }

  /** Sets the notebook order; ids not listed keep their relative order after the listed ones. */
  setOrder(ids: readonly CellId[]): void {
    const seen = new Set<CellId>();
    const next: CellId[] = [];
    for (const id of ids) {
      if (this.nodes.has(id) && !seen.has(id)) {
        seen.add(id);
        next.push(id);
      }
    }
    for (const id of this.order) if (!seen.has(id)) next.push(id);
    this.order = next;
    this.positionsDirty = true;
    this.version++;
  }

  positionOf(id: CellId): number {
    this.refreshPositions();
    return this.position.get(id) ?? Number.MAX_SAFE_INTEGER;
  }

  /** Cells that define `name`, in notebook order. */
  definersOf(name: string): CellId[] {
    const set = this.definers.get(name);
    if (!set) return [];
    return this.sortByPosition([...set]);
  }

  /** Cells that read `name` (refs or context globals), in notebook order. */
  readersOf(name: string): CellId[] {
    const set = this.readers.get(name);
    if (!set) return [];
    return this.sortByPosition([...set]);
  }

  parents(id: CellId): Set<CellId> {
    const out = new Set<CellId>();
    const node = this.nodes.get(id);
    if (!node) return out;
    for (const n of node.reads) {
      const defs = this.definers.get(n);
      if (defs) for (const p of defs) if (p !== id) out.add(p);
    }
    return out;
  }

  children(id: CellId): Set<CellId> {
    const out = new Set<CellId>();
    const node = this.nodes.get(id);
    if (!node) return out;
    for (const n of node.defs) {
      const rs = this.readers.get(n);
      if (rs) for (const c of rs) if (c !== id) out.add(c);
    }
    return out;
  }

  /** Names that flow along the edge from -> to. */
  edgeNames(from: CellId, to: CellId): string[] {
    const a = this.nodes.get(from);
    const b = this.nodes.get(to);
    if (!a || !b) return [];
    const reads = new Set(b.reads);
    return a.defs.filter((n) => reads.has(n));
  }

  /** Every cell reachable from `ids` along edges, excluding the starting cells unless reached again. */
  descendants(ids: Iterable<CellId>): Set<CellId> {
    return this.reach(ids, (id) => this.children(id));
  }

  ancestors(ids: Iterable<CellId>): Set<CellId> {
    return this.reach(ids, (id) => this.parents(id));
  }

  private reach(ids: Iterable<CellId>, next: (id: CellId) => Set<CellId>): Set<CellId> {
    const out = new Set<CellId>();
    const stack: CellId[] = [...ids];
    while (stack.length > 0) {
      const id = stack.pop()!;
      for (const n of next(id)) {
        if (!out.has(n)) {
          out.add(n);
          stack.push(n);
        }
      }
    }
    return out;
  }

  /**
   * Topological order of `ids` (all cells by default), ties broken by notebook position.
   * Cells on a cycle come after what they can, in notebook order.
   */
  topologicalOrder(ids?: Iterable<CellId>): CellId[] {
    this.refreshPositions();
    const subset = ids ? new Set(ids) : new Set(this.order);
    if (subset.size <= 1) return [...subset];
    const indegree = new Map<CellId, number>();
    for (const id of subset) {
      let d = 0;
      for (const p of this.parents(id)) if (subset.has(p)) d++;
      indegree.set(id, d);
    }
    const heap = new MinHeap<CellId>((a, b) => this.position.get(a)! - this.position.get(b)!);
    for (const [id, d] of indegree) if (d === 0) heap.push(id);
    const out: CellId[] = [];
    while (heap.size > 0) {
      const id = heap.pop()!;
      out.push(id);
      for (const c of this.children(id)) {
        if (!subset.has(c)) continue;
        const d = indegree.get(c)! - 1;
        indegree.set(c, d);
        if (d === 0) heap.push(c);
      }
    }
    if (out.length < subset.size) {
      const placed = new Set(out);
      const rest = this.sortByPosition([...subset].filter((id) => !placed.has(id)));
      out.push(...rest);
    }
    return out;
  }

  /** Static errors of a cell that come from its relation to other cells. */
  errorsOf(id: CellId): KernelkitError[] {
    const node = this.nodes.get(id);
    if (!node) return [];
    const errors: KernelkitError[] = [];
    // One error naming every conflicting name (a user fixes them together).
    const conflicts: { variable: string; otherCells: string[] }[] = [];
    for (const n of node.defs) {
      const set = this.definers.get(n);
      if (set && set.size > 1) {
        conflicts.push({ variable: n, otherCells: this.sortByPosition([...set].filter((c) => c !== id)) });
      }
    }
    if (conflicts.length > 0) {
      const [first, ...more] = conflicts;
      errors.push(new MultipleDefinitionError(first!.variable, first!.otherCells, more));
    }
    const cycle = this.cycles().get(id);
    if (cycle) errors.push(cycle);
    for (const w of node.writes) {
      const set = this.definers.get(w);
      if (set) {
        const other = this.sortByPosition([...set].filter((c) => c !== id))[0];
        if (other !== undefined) errors.push(new ReassignError(w, other));
      }
    }
    return errors;
  }

  /** Cycle errors by cell (Tarjan's strongly connected components, iterative). */
  private cycles(): Map<CellId, CycleError> {
    if (this.cycleCache) return this.cycleCache;
    const result = new Map<CellId, CycleError>();
    const index = new Map<CellId, number>();
    const low = new Map<CellId, number>();
    const onStack = new Set<CellId>();
    const stack: CellId[] = [];
    let counter = 0;
    for (const root of this.order) {
      if (index.has(root)) continue;
      const work: { id: CellId; children: CellId[]; i: number }[] = [];
      const enter = (id: CellId) => {
        index.set(id, counter);
        low.set(id, counter);
        counter++;
        stack.push(id);
        onStack.add(id);
        work.push({ id, children: [...this.children(id)], i: 0 });
      };
      enter(root);
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        if (frame.i < frame.children.length) {
          const c = frame.children[frame.i++]!;
          if (!index.has(c)) enter(c);
          else if (onStack.has(c)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(c)!));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
        if (low.get(frame.id) === index.get(frame.id)) {
          const component: CellId[] = [];
          let x: CellId;
          do {
            x = stack.pop()!;
            onStack.delete(x);
            component.push(x);
          } while (x !== frame.id);
          if (component.length > 1) {
            const members = new Set(component);
            const sorted = this.sortByPosition(component);
            const edges: { from: string; to: string; names: string[] }[] = [];
            for (const from of sorted) {
              for (const to of this.sortByPosition([...this.children(from)].filter((c) => members.has(c)))) {
                edges.push({ from, to, names: this.edgeNames(from, to) });
                if (edges.length >= 50) break;
              }
            }
            const error = new CycleError(edges);
            for (const id of component) result.set(id, error);
          }
        }
      }
    }
    this.cycleCache = result;
    return result;
  }

  private unindex(node: Node): void {
    for (const n of node.defs) removeFrom(this.definers, n, node.id);
    for (const n of node.reads) removeFrom(this.readers, n, node.id);
  }

  private indexOf(id: CellId): number {
    this.refreshPositions();
    return this.position.get(id) ?? -1;
  }

  private refreshPositions(): void {
    if (!this.positionsDirty) return;
    this.position = new Map();
    for (let i = 0; i < this.order.length; i++) this.position.set(this.order[i]!, i);
    this.positionsDirty = false;
  }

  private sortByPosition(ids: CellId[]): CellId[] {
    this.refreshPositions();
    return ids.sort((a, b) => (this.position.get(a) ?? 0) - (this.position.get(b) ?? 0));
  }
}

function addTo(map: Map<string, Set<CellId>>, key: string, id: CellId): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(id);
}

function removeFrom(map: Map<string, Set<CellId>>, key: string, id: CellId): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}

class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
