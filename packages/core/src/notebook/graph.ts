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
  private readonly definers = new Map<string, Cells>();
  private readonly readers = new Map<string, Cells>();
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
    const cells = this.definers.get(name);
    if (cells === undefined) return [];
    return typeof cells === "string" ? [cells] : this.sortByPosition([...cells]);
  }

  /** Cells that read `name` (refs or context globals), in notebook order. */
  readersOf(name: string): CellId[] {
    const cells = this.readers.get(name);
    if (cells === undefined) return [];
    return typeof cells === "string" ? [cells] : this.sortByPosition([...cells]);
  }

  parents(id: CellId): Set<CellId> {
    const out = new Set<CellId>();
    const node = this.nodes.get(id);
    if (!node) return out;
    for (const n of node.reads) {
      const defs = this.definers.get(n);
      if (typeof defs === "string") {
        if (defs !== id) out.add(defs);
      } else if (defs) for (const p of defs) if (p !== id) out.add(p);
    }
    return out;
  }

  children(id: CellId): Set<CellId> {
    const out = new Set<CellId>();
    const node = this.nodes.get(id);
    if (!node) return out;
    for (const n of node.defs) {
      const rs = this.readers.get(n);
      if (typeof rs === "string") {
        if (rs !== id) out.add(rs);
      } else if (rs) for (const c of rs) if (c !== id) out.add(c);
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
    // Ready cells leave smallest notebook position first. Cells mostly come after the cells they
    // read, so a cursor moving forward over the notebook finds most of them in one pass; only a
    // cell that becomes ready behind the cursor waits in a heap. Building the order of a
    // notebook written top to bottom is therefore linear in its size (docs/architecture.md).
    // A few cells out of many (a re-run's descendants) are ordered by the heap alone, so the
    // cost stays what the subset visits, not the notebook's size.
    const scan = subset.size * 8 >= this.order.length;
    const ready = new Uint8Array(scan ? this.order.length : 0);
    const behind = new MinHeap<number>((a, b) => a - b);
    for (const [id, d] of indegree) {
      if (d !== 0) continue;
      const p = this.position.get(id);
      if (p === undefined) continue;
      if (scan) ready[p] = 1;
      else behind.push(p);
    }
    let cursor = scan ? 0 : this.order.length;
    const out: CellId[] = [];
    for (;;) {
      let at: number;
      if (behind.size > 0) at = behind.pop()!;
      else {
        while (cursor < ready.length && ready[cursor] === 0) cursor++;
        if (cursor >= ready.length) break;
        at = cursor++;
      }
      const id = this.order[at]!;
      out.push(id);
      for (const c of this.children(id)) {
        if (!subset.has(c)) continue;
        const d = indegree.get(c)! - 1;
        indegree.set(c, d);
        if (d > 0) continue;
        const p = this.position.get(c)!;
        if (p < cursor) behind.push(p);
        else ready[p] = 1;
      }
    }
    // Every cell of the notebook placed: it has no cycle, and cycles() need not look for one.
    if (out.length === this.nodes.size && subset.size === this.nodes.size) this.cycleCache ??= new Map();
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
      if (set !== undefined && typeof set !== "string") {
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
      if (typeof set === "string") {
        if (set !== id) errors.push(new ReassignError(w, set));
      } else if (set) {
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

/**
 * The cells indexed under one name: nearly always one, kept as the id itself; a Set only from
 * the second on. A 100k-cell notebook then allocates no Set per name, which is what kept
 * building its graph from growing linearly (garbage collection of 200k small Sets).
 */
type Cells = CellId | Set<CellId>;

function addTo(map: Map<string, Cells>, key: string, id: CellId): void {
  const cells = map.get(key);
  if (cells === undefined) map.set(key, id);
  else if (typeof cells === "string") {
    if (cells !== id) map.set(key, new Set([cells, id]));
  } else cells.add(id);
}

function removeFrom(map: Map<string, Cells>, key: string, id: CellId): void {
  const cells = map.get(key);
  if (cells === undefined) return;
  if (typeof cells === "string") {
    if (cells === id) map.delete(key);
    return;
  }
  cells.delete(id);
  if (cells.size === 1) map.set(key, cells.values().next().value as CellId);
  else if (cells.size === 0) map.delete(key);
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
