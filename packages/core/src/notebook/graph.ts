// The dataflow graph: an edge P -> C when C refs a name that P defs. Edges are derived
// from two indexes (name -> definers, name -> readers), so an update touches only the
// changed cell's names, and queries cost what they visit.
//
// A cell gets an integer slot and a name an integer id when they enter the graph; past that
// one string lookup, every index and every walk is over integer arrays. String-keyed Maps of
// 100k entries cost several times more per lookup than of 10k (they outgrow the CPU caches),
// so a design that looked names up on every step grew faster than the notebook
// (docs/architecture.md "The dataflow graph at scale").
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

/** In an index by name id: no cell, or the one cell's slot, or MANY (the cells are in a Set). */
const NONE = -1;
const MANY = -2;
const EMPTY: readonly string[] = Object.freeze([]);

/**
 * A cell's names as name ids, in the order of its list (duplicates kept): NONE for no name, the
 * id itself for one — nearly every cell defines one name and reads a few, so most cells own no
 * array of their own — else an array.
 */
type NameIds = number | number[];

export class DataflowGraph implements GraphView {
  // Cells, by slot. A removed cell's slot is reused.
  private readonly slotOf = new Map<CellId, number>();
  private readonly idAt: (CellId | undefined)[] = [];
  private readonly defsAt: (readonly string[])[] = [];
  private readonly writesAt: (readonly string[])[] = [];
  private readonly defNamesAt: NameIds[] = [];
  /** Refs then context globals: the names whose definers are the cell's parents. */
  private readonly readNamesAt: NameIds[] = [];
  private readonly freeSlots: number[] = [];

  // Names, by id. A name no cell defines or reads any more is forgotten and its id reused.
  private readonly nameOf = new Map<string, number>();
  private readonly nameAt: (string | undefined)[] = [];
  private readonly definer: number[] = [];
  /** The cells of a name with more than one (definer[n] === MANY): rare, so not an array by name. */
  private readonly definerSets = new Map<number, Set<number>>();
  private readonly reader: number[] = [];
  private readonly readerSets = new Map<number, Set<number>>();
  private readonly freeNames: number[] = [];

  // Notebook order, as ids (what ids() returns) and as slots; positions by slot.
  private order: CellId[] = [];
  private orderSlots: number[] = [];
  private posAt: Int32Array = new Int32Array(64);
  private positionsDirty = false;

  // Scratch for walks: stamp[slot] === gen marks a cell as in the current walk's set, so no
  // walk clears or allocates per-cell state (a re-run's walk costs what it visits).
  private stamp: Int32Array = new Int32Array(64);
  private counts: Int32Array = new Int32Array(64);
  private gen = 0;
  private readonly buf: number[] = [];

  private cycleCache: Map<number, CycleError> | null = null;
  /** Position of the cell errorsOf last answered: the errors of every cell are asked in notebook order. */
  private cursor = -1;

  get size(): number {
    return this.slotOf.size;
  }

  /** Increases on every change; lets callers cache what they derive from the graph. */
  version = 0;

  has(id: CellId): boolean {
    return this.slotOf.has(id);
  }

  /** Cell ids in notebook order. */
  ids(): readonly CellId[] {
    return this.order;
  }

  defsOf(id: CellId): readonly string[] {
    const s = this.slotOf.get(id);
    return s === undefined ? EMPTY : this.defsAt[s]!;
  }

  /** Inserts or replaces a cell. New cells go at the end, or before `before` when given. */
  upsert(cell: GraphCellInput, before?: CellId): void {
    let slot = this.slotOf.get(cell.id);
    if (slot !== undefined) this.unindex(slot);
    else {
      const at = before !== undefined && this.slotOf.has(before) ? this.indexOf(before) : -1;
      slot = this.newSlot(cell.id);
      if (at >= 0) {
        this.order.splice(at, 0, cell.id);
        this.orderSlots.splice(at, 0, slot);
        this.positionsDirty = true;
      } else {
        if (!this.positionsDirty) this.posAt[slot] = this.order.length;
        this.order.push(cell.id);
        this.orderSlots.push(slot);
      }
    }
    this.defsAt[slot] = cell.defs;
    this.writesAt[slot] = cell.writes ?? EMPTY;
    this.defNamesAt[slot] = this.link(cell.defs, EMPTY, slot, this.definer, this.definerSets);
    this.readNamesAt[slot] = this.link(
      cell.refs,
      cell.globalRefs ?? EMPTY,
      slot,
      this.reader,
      this.readerSets,
    );
    this.cycleCache = null;
    this.version++;
  }

  remove(id: CellId): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.unindex(slot);
    const at = this.indexOf(id);
    this.order.splice(at, 1);
    this.orderSlots.splice(at, 1);
    this.slotOf.delete(id);
    this.idAt[slot] = undefined;
    this.defsAt[slot] = EMPTY;
    this.writesAt[slot] = EMPTY;
    this.freeSlots.push(slot);
    this.positionsDirty = true;
    this.cycleCache = null;
    this.version++;
  }

  /** Sets the notebook order; ids not listed keep their relative order after the listed ones. */
  setOrder(ids: readonly CellId[]): void {
    const gen = this.nextGen();
    const stamp = this.stamp;
    const next: CellId[] = [];
    const nextSlots: number[] = [];
    for (const id of ids) {
      const s = this.slotOf.get(id);
      if (s !== undefined && stamp[s] !== gen) {
        stamp[s] = gen;
        next.push(id);
        nextSlots.push(s);
      }
    }
    for (let i = 0; i < this.orderSlots.length; i++) {
      const s = this.orderSlots[i]!;
      if (stamp[s] !== gen) {
        next.push(this.order[i]!);
        nextSlots.push(s);
      }
    }
    this.order = next;
    this.orderSlots = nextSlots;
    this.positionsDirty = true;
    // A cycle's error lists its edges in notebook order.
    this.cycleCache = null;
    this.version++;
  }

  positionOf(id: CellId): number {
    this.refreshPositions();
    const s = this.slotOf.get(id);
    return s === undefined ? Number.MAX_SAFE_INTEGER : this.posAt[s]!;
  }

  /** Cells that define `name`, in notebook order. */
  definersOf(name: string): CellId[] {
    const n = this.nameOf.get(name);
    return n === undefined ? [] : this.cellsIn(this.definer, this.definerSets, n);
  }

  /** Cells that read `name` (refs or context globals), in notebook order. */
  readersOf(name: string): CellId[] {
    const n = this.nameOf.get(name);
    return n === undefined ? [] : this.cellsIn(this.reader, this.readerSets, n);
  }

  parents(id: CellId): Set<CellId> {
    return this.neighbourIds(id, false);
  }

  children(id: CellId): Set<CellId> {
    return this.neighbourIds(id, true);
  }

  /** Names that flow along the edge from -> to. */
  edgeNames(from: CellId, to: CellId): string[] {
    const a = this.slotOf.get(from);
    const b = this.slotOf.get(to);
    if (a === undefined || b === undefined) return [];
    return this.edgeNamesOf(a, b);
  }

  /** Every cell reachable from `ids` along edges, excluding the starting cells unless reached again. */
  descendants(ids: Iterable<CellId>): Set<CellId> {
    return this.reach(ids, true);
  }

  ancestors(ids: Iterable<CellId>): Set<CellId> {
    return this.reach(ids, false);
  }

  private reach(ids: Iterable<CellId>, down: boolean): Set<CellId> {
    const out = new Set<CellId>();
    const stack: number[] = [];
    for (const id of ids) {
      const s = this.slotOf.get(id);
      if (s !== undefined) stack.push(s);
    }
    const gen = this.nextGen();
    const stamp = this.stamp;
    const buf = this.buf;
    while (stack.length > 0) {
      const s = stack.pop()!;
      const k = this.neighbours(s, down, buf);
      for (let i = 0; i < k; i++) {
        const c = buf[i]!;
        if (stamp[c] === gen) continue;
        stamp[c] = gen;
        out.add(this.idAt[c]!);
        stack.push(c);
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
    const gen = this.nextGen();
    const stamp = this.stamp;
    const counts = this.counts;
    const posAt = this.posAt;
    const buf = this.buf;
    // The subset as slots, first occurrence order. An id the graph does not know stays in the
    // answer (placed last, as a cell with no position): members holds -(its index in `unknown` + 1).
    const members: number[] = [];
    let unknown: CellId[] | null = null;
    if (ids === undefined) {
      for (const s of this.orderSlots) {
        stamp[s] = gen;
        members.push(s);
      }
    } else {
      // Ids mostly come in notebook order (a run of every code cell): they are found by walking
      // the notebook alongside, comparing ids instead of looking each up by string. The walk may
      // skip a few cells per id (markdown between code cells); past that budget, lookups.
      const order = this.order;
      const n = order.length;
      let j = 0;
      let budget = 16;
      for (const id of ids) {
        let s: number | undefined;
        if (j >= 0) {
          budget += 8;
          const end = Math.min(n, j + budget);
          let k = j;
          while (k < end && order[k] !== id) k++;
          if (k < end) {
            s = this.orderSlots[k]!;
            budget -= k - j;
            j = k + 1;
          } else {
            j = -1;
            s = this.slotOf.get(id);
          }
        } else s = this.slotOf.get(id);
        if (s === undefined) {
          unknown ??= [];
          if (!unknown.includes(id)) {
            unknown.push(id);
            members.push(-unknown.length);
          }
        } else if (stamp[s] !== gen) {
          stamp[s] = gen;
          members.push(s);
        }
      }
    }
    if (members.length <= 1) return members.map((m) => (m >= 0 ? this.idAt[m]! : unknown![-1 - m]!));
    // In-degrees within the subset, counted along the same walk that lowers them below, so a child
    // reading two names of one parent is counted and released twice alike.
    for (const s of members) if (s >= 0) counts[s] = 0;
    for (const s of members) {
      if (s < 0) continue;
      const k = this.neighbours(s, true, buf);
      for (let i = 0; i < k; i++) {
        const c = buf[i]!;
        if (stamp[c] === gen) counts[c]!++;
      }
    }
    // Ready cells leave smallest notebook position first. Cells mostly come after the cells they
    // read, so a cursor moving forward over the notebook finds most of them in one pass; only a
    // cell that becomes ready behind the cursor waits in a heap. Building the order of a
    // notebook written top to bottom is therefore linear in its size (docs/architecture.md).
    // A few cells out of many (a re-run's descendants) are ordered by the heap alone, so the
    // cost stays what the subset visits, not the notebook's size.
    const n = this.order.length;
    const scan = members.length * 8 >= n;
    const ready = new Uint8Array(scan ? n : 0);
    const behind = new PositionHeap();
    for (const s of members) {
      if (s < 0 || counts[s] !== 0) continue;
      if (scan) ready[posAt[s]!] = 1;
      else behind.push(posAt[s]!);
    }
    let cursor = scan ? 0 : n;
    const out: CellId[] = [];
    for (;;) {
      let at: number;
      if (behind.size > 0) at = behind.pop();
      else {
        while (cursor < n && ready[cursor] === 0) cursor++;
        if (cursor >= n) break;
        at = cursor++;
      }
      out.push(this.order[at]!);
      const k = this.neighbours(this.orderSlots[at]!, true, buf);
      for (let i = 0; i < k; i++) {
        const c = buf[i]!;
        if (stamp[c] !== gen || --counts[c]! !== 0) continue;
        const p = posAt[c]!;
        if (p < cursor) behind.push(p);
        else ready[p] = 1;
      }
    }
    // Every cell of the notebook placed: it has no cycle, and cycles() need not look for one.
    if (out.length === this.slotOf.size && members.length === this.slotOf.size) this.cycleCache ??= new Map();
    if (out.length < members.length) {
      // What was not placed (cells still waiting for a parent: on or below a cycle) follows in
      // notebook order; an unknown id sorts as position 0.
      const rest: { id: CellId; at: number }[] = [];
      for (const m of members) {
        if (m < 0) rest.push({ id: unknown![-1 - m]!, at: 0 });
        else if (counts[m] !== 0) rest.push({ id: this.idAt[m]!, at: posAt[m]! });
      }
      rest.sort((a, b) => a.at - b.at);
      for (const r of rest) out.push(r.id);
    }
    return out;
  }

  /** Static errors of a cell that come from its relation to other cells. */
  errorsOf(id: CellId): KernelkitError[] {
    const slot = this.nextSlot(id);
    if (slot === undefined) return [];
    const errors: KernelkitError[] = [];
    // One error naming every conflicting name (a user fixes them together).
    let conflicts: { variable: string; otherCells: string[] }[] | null = null;
    const defNames = this.defNamesAt[slot]!;
    const count = typeof defNames === "number" ? (defNames === NONE ? 0 : 1) : defNames.length;
    for (let i = 0; i < count; i++) {
      const n = typeof defNames === "number" ? defNames : defNames[i]!;
      if (this.definer[n] !== MANY) continue;
      conflicts ??= [];
      conflicts.push({
        variable: this.nameAt[n]!,
        otherCells: this.othersInOrder(this.definerSets.get(n)!, slot),
      });
    }
    if (conflicts !== null) {
      const [first, ...more] = conflicts;
      errors.push(new MultipleDefinitionError(first!.variable, first!.otherCells, more));
    }
    const cycles = this.cycles();
    const cycle = cycles.size > 0 ? cycles.get(slot) : undefined;
    if (cycle) errors.push(cycle);
    for (const w of this.writesAt[slot]!) {
      const n = this.nameOf.get(w);
      if (n === undefined) continue;
      const d = this.definer[n]!;
      if (d >= 0) {
        if (d !== slot) errors.push(new ReassignError(w, this.idAt[d]!));
      } else if (d === MANY) {
        const other = this.othersInOrder(this.definerSets.get(n)!, slot)[0];
        if (other !== undefined) errors.push(new ReassignError(w, other));
      }
    }
    return errors;
  }

  /**
   * Cycle errors by slot. Cells with no parent left are peeled off first (linear, integer
   * arrays); only what remains — cells on a cycle or below one — goes through Tarjan's strongly
   * connected components (iterative).
   */
  private cycles(): Map<number, CycleError> {
    if (this.cycleCache) return this.cycleCache;
    this.refreshPositions();
    this.nextGen(); // sizes `counts`
    const result = new Map<number, CycleError>();
    const slots = this.orderSlots;
    const counts = this.counts;
    const buf = this.buf;
    for (const s of slots) counts[s] = 0;
    for (const s of slots) {
      const k = this.neighbours(s, true, buf);
      for (let i = 0; i < k; i++) counts[buf[i]!]!++;
    }
    const free: number[] = [];
    for (const s of slots) if (counts[s] === 0) free.push(s);
    while (free.length > 0) {
      const k = this.neighbours(free.pop()!, true, buf);
      for (let i = 0; i < k; i++) if (--counts[buf[i]!]! === 0) free.push(buf[i]!);
    }
    const left: number[] = [];
    for (const s of slots) if (counts[s]! > 0) left.push(s);
    if (left.length > 0) this.tarjan(left, result);
    this.cycleCache = result;
    return result;
  }

  /** Strongly connected components among `left` (in notebook order): one CycleError per component of 2+ cells. */
  private tarjan(left: readonly number[], result: Map<number, CycleError>): void {
    const gen = this.nextGen();
    const stamp = this.stamp;
    for (const s of left) stamp[s] = gen;
    const index = new Int32Array(this.idAt.length).fill(-1);
    const low = new Int32Array(this.idAt.length);
    const onStack = new Uint8Array(this.idAt.length);
    const stack: number[] = [];
    let counter = 0;
    const work: { slot: number; children: number[]; i: number }[] = [];
    const enter = (s: number) => {
      index[s] = counter;
      low[s] = counter;
      counter++;
      stack.push(s);
      onStack[s] = 1;
      const children: number[] = [];
      this.neighbours(s, true, children);
      work.push({ slot: s, children: children.filter((c) => stamp[c] === gen), i: 0 });
    };
    for (const root of left) {
      if (index[root] !== -1) continue;
      enter(root);
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        if (frame.i < frame.children.length) {
          const c = frame.children[frame.i++]!;
          if (index[c] === -1) enter(c);
          else if (onStack[c] === 1) low[frame.slot] = Math.min(low[frame.slot]!, index[c]!);
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low[parent.slot] = Math.min(low[parent.slot]!, low[frame.slot]!);
        if (low[frame.slot] !== index[frame.slot]) continue;
        const component: number[] = [];
        let x: number;
        do {
          x = stack.pop()!;
          onStack[x] = 0;
          component.push(x);
        } while (x !== frame.slot);
        if (component.length > 1) {
          const error = this.cycleError(component);
          for (const s of component) result.set(s, error);
        }
      }
    }
  }

  private cycleError(component: number[]): CycleError {
    const members = new Set(component);
    const edges: { from: string; to: string; names: string[] }[] = [];
    for (const from of this.sortSlots(component)) {
      const children: number[] = [];
      this.neighbours(from, true, children);
      const inside = [...new Set(children)].filter((c) => members.has(c));
      for (const to of this.sortSlots(inside)) {
        edges.push({ from: this.idAt[from]!, to: this.idAt[to]!, names: this.edgeNamesOf(from, to) });
        if (edges.length >= 50) break;
      }
    }
    return new CycleError(edges);
  }

  private edgeNamesOf(from: number, to: number): string[] {
    const reads = this.readNamesAt[to]!;
    const defs = this.defNamesAt[from]!;
    const read = (n: number) => (typeof reads === "number" ? n === reads : reads.includes(n));
    if (typeof defs === "number") return defs !== NONE && read(defs) ? [this.nameAt[defs]!] : [];
    return defs.filter(read).map((n) => this.nameAt[n]!);
  }

  /**
   * Writes into `out` from index 0 the slots one edge away (children when `down`), once per shared
   * name, never `slot` itself; returns how many. `out` is scratch reused by every walk (resetting
   * an array's length costs a runtime call per step).
   */
  private neighbours(slot: number, down: boolean, out: number[]): number {
    const names = down ? this.defNamesAt[slot]! : this.readNamesAt[slot]!;
    const one = down ? this.reader : this.definer;
    const many = down ? this.readerSets : this.definerSets;
    if (typeof names === "number") return names === NONE ? 0 : putCells(one, many, names, slot, out, 0);
    let k = 0;
    for (let i = 0; i < names.length; i++) k = putCells(one, many, names[i]!, slot, out, k);
    return k;
  }

  private neighbourIds(id: CellId, down: boolean): Set<CellId> {
    const out = new Set<CellId>();
    const slot = this.slotOf.get(id);
    if (slot === undefined) return out;
    const buf = this.buf;
    const k = this.neighbours(slot, down, buf);
    for (let i = 0; i < k; i++) out.add(this.idAt[buf[i]!]!);
    return out;
  }

  /** Links `slot` under each name of `a` then `b` in one index; returns the names' ids. */
  private link(
    a: readonly string[],
    b: readonly string[],
    slot: number,
    one: number[],
    many: Map<number, Set<number>>,
  ): NameIds {
    const total = a.length + b.length;
    if (total === 0) return NONE;
    if (total === 1) {
      const n = this.intern(a.length === 1 ? a[0]! : b[0]!);
      addCell(one, many, n, slot);
      return n;
    }
    const ids: number[] = [];
    for (const name of a) {
      const n = this.intern(name);
      addCell(one, many, n, slot);
      ids.push(n);
    }
    for (const name of b) {
      const n = this.intern(name);
      addCell(one, many, n, slot);
      ids.push(n);
    }
    return ids;
  }

  private unindex(slot: number): void {
    this.unlink(this.defNamesAt[slot]!, slot, this.definer, this.definerSets);
    this.unlink(this.readNamesAt[slot]!, slot, this.reader, this.readerSets);
    this.defNamesAt[slot] = NONE;
    this.readNamesAt[slot] = NONE;
  }

  private unlink(names: NameIds, slot: number, one: number[], many: Map<number, Set<number>>): void {
    if (typeof names === "number") {
      if (names !== NONE) this.unlinkName(names, slot, one, many);
    } else for (const n of names) this.unlinkName(n, slot, one, many);
  }

  private unlinkName(n: number, slot: number, one: number[], many: Map<number, Set<number>>): void {
    const cur = one[n]!;
    if (cur === slot) one[n] = NONE;
    else if (cur === MANY) {
      const set = many.get(n)!;
      set.delete(slot);
      if (set.size === 1) {
        one[n] = set.values().next().value as number;
        many.delete(n);
      }
    }
    if (this.definer[n] === NONE && this.reader[n] === NONE && this.nameAt[n] !== undefined) {
      this.nameOf.delete(this.nameAt[n]!);
      this.nameAt[n] = undefined;
      this.freeNames.push(n);
    }
  }

  private intern(name: string): number {
    const known = this.nameOf.get(name);
    if (known !== undefined) return known;
    let n = this.freeNames.pop();
    if (n === undefined) {
      n = this.nameAt.length;
      this.nameAt.push(name);
      this.definer.push(NONE);
      this.reader.push(NONE);
    } else this.nameAt[n] = name;
    this.nameOf.set(name, n);
    return n;
  }

  private newSlot(id: CellId): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.idAt.length;
      this.idAt.push(id);
      this.defsAt.push(EMPTY);
      this.writesAt.push(EMPTY);
      this.defNamesAt.push(NONE);
      this.readNamesAt.push(NONE);
      if (slot >= this.posAt.length) this.posAt = grown(this.posAt, slot + 1);
    } else this.idAt[slot] = id;
    this.slotOf.set(id, slot);
    return slot;
  }

  /** A fresh mark for `stamp`, with the scratch arrays sized for every slot. */
  private nextGen(): number {
    const need = this.idAt.length;
    if (this.stamp.length < need) this.stamp = grown(this.stamp, need);
    if (this.counts.length < need) this.counts = grown(this.counts, need);
    if (this.gen >= 0x3fffffff) {
      this.stamp.fill(0);
      this.gen = 0;
    }
    return ++this.gen;
  }

  /** The slot of `id`, found without a lookup by string when it is the cell after the last one asked. */
  private nextSlot(id: CellId): number | undefined {
    const at = this.cursor + 1;
    if (at < this.order.length && this.order[at] === id) {
      this.cursor = at;
      return this.orderSlots[at]!;
    }
    const s = this.slotOf.get(id);
    this.cursor = s !== undefined && !this.positionsDirty ? this.posAt[s]! : -1;
    return s;
  }

  private indexOf(id: CellId): number {
    this.refreshPositions();
    const s = this.slotOf.get(id);
    return s === undefined ? -1 : this.posAt[s]!;
  }

  private refreshPositions(): void {
    if (!this.positionsDirty) return;
    const slots = this.orderSlots;
    const posAt = this.posAt;
    for (let i = 0; i < slots.length; i++) posAt[slots[i]!] = i;
    this.positionsDirty = false;
  }

  private sortSlots(slots: number[]): number[] {
    this.refreshPositions();
    const posAt = this.posAt;
    return slots.sort((a, b) => posAt[a]! - posAt[b]!);
  }

  private cellsIn(one: number[], many: Map<number, Set<number>>, n: number): CellId[] {
    const c = one[n]!;
    if (c >= 0) return [this.idAt[c]!];
    if (c === NONE) return [];
    return this.sortSlots([...many.get(n)!]).map((s) => this.idAt[s]!);
  }

  private othersInOrder(cells: Set<number>, slot: number): CellId[] {
    return this.sortSlots([...cells].filter((c) => c !== slot)).map((s) => this.idAt[s]!);
  }
}

function addCell(one: number[], many: Map<number, Set<number>>, n: number, slot: number): void {
  const cur = one[n]!;
  if (cur === NONE) one[n] = slot;
  else if (cur === MANY) many.get(n)!.add(slot);
  else if (cur !== slot) {
    one[n] = MANY;
    many.set(n, new Set([cur, slot]));
  }
}

function putCells(
  one: number[],
  many: Map<number, Set<number>>,
  n: number,
  slot: number,
  out: number[],
  k: number,
): number {
  const c = one[n]!;
  if (c >= 0) {
    if (c !== slot) out[k++] = c;
  } else if (c === MANY) for (const x of many.get(n)!) if (x !== slot) out[k++] = x;
  return k;
}

function grown(a: Int32Array, need: number): Int32Array {
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** A binary min-heap of notebook positions. */
class PositionHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(p: number): void {
    const a = this.items;
    let i = a.length;
    a.push(p);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= p) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = p;
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && a[r]! < a[l]! ? r : l;
        if (a[m]! >= last) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}
