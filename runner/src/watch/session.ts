// What a save does to a live kernel (docs/watch.md): cells matched by id, changed and new ones
// set (set_cells semantics), removed ones deleted (delete_cells semantics), and one reactive
// run of what that touched. Shared by `kernelkit watch` and `serve --watch`.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { CellId, CellInput, Kernel, Notebook, RunObserver, RunSummary } from "@kernelkit/core";
import {
  bustJsImports,
  evictRequireCache,
  jsLocalImports,
  type LocalImport,
  pythonEvictCode,
  pythonLocalImports,
  removePythonBytecode,
} from "./local-modules.ts";

export type WatchTrigger = "initial" | "notebook" | "module";

/** A change applied to the kernel's cells, before its run. */
export interface WatchChange {
  trigger: WatchTrigger;
  /** Cells whose code, kind or state changed, new cells, and cells that import a changed module. */
  changed: CellId[];
  /** Cells the save removed. */
  deleted: CellId[];
  /** The cells to run (the run adds their stale ancestors and their descendants). */
  run: CellId[];
  /** trigger "module": the module files that changed. */
  files?: string[];
}

const NOOP_OBSERVER: RunObserver = {
  status() {},
  stdout() {},
  stderr() {},
  display() {},
  result() {},
  error() {},
};

export class WatchSession {
  readonly dir: string;
  /** The notebook's cells as the file has them (the kernel may hold busted specifiers). */
  private source = new Map<CellId, string>();
  /** Reload count per module file (0: never reloaded). */
  private readonly versions = new Map<string, number>();
  /** Cell → the local modules it imports. */
  private imports = new Map<CellId, LocalImport[]>();
  private readonly requireCache = createRequire(import.meta.url).cache;

  constructor(
    readonly kernel: Kernel,
    readonly notebookPath: string,
  ) {
    this.dir = dirname(notebookPath);
    for (const cell of kernel.cells()) this.source.set(cell.id, cell.code);
    this.indexImports();
  }

  /** A cell's code as the notebook file has it (the kernel's may carry reload specifiers). */
  sourceOf(id: CellId): string | undefined {
    return this.source.get(id);
  }

  /** Every module file some cell imports (what the watcher watches besides the notebook). */
  moduleFiles(): Set<string> {
    const files = new Set<string>();
    for (const list of this.imports.values()) for (const i of list) files.add(i.file);
    return files;
  }

  private localImports(code: string): LocalImport[] {
    return this.kernel.language === "python"
      ? pythonLocalImports(code, this.dir)
      : this.kernel.language === "javascript"
        ? jsLocalImports(code, this.dir)
        : [];
  }

  private indexImports(): void {
    const next = new Map<CellId, LocalImport[]>();
    for (const cell of this.kernel.cells()) {
      if (!cell.isCode) continue;
      const list = this.localImports(this.source.get(cell.id) ?? cell.code);
      if (list.length > 0) next.set(cell.id, list);
    }
    this.imports = next;
  }

  /** The code the kernel runs for a cell: the file's, with reloaded ESM modules at a new URL. */
  private kernelCode(code: string): string {
    if (this.kernel.language !== "javascript" || this.versions.size === 0) return code;
    return bustJsImports(code, this.dir, (file) => this.versions.get(file) ?? 0);
  }

  /** Applies a save: sets changed and new cells, deletes removed ones; returns what to run. */
  async applyNotebook(notebook: Notebook): Promise<WatchChange> {
    const { kernel } = this;
    const wanted = new Set(notebook.cells.map((c) => c.id));
    const deleted = kernel
      .cells()
      .map((c) => c.id)
      .filter((id) => !wanted.has(id));
    // Cells that read what an edited cell defined re-run too, even when the edit removed the
    // definition (a syntax error, a renamed variable): the graph after the edit no longer links them.
    const edited = notebook.cells
      .filter((c) => {
        const old = kernel.cell(c.id);
        return old !== undefined && this.source.get(c.id) !== c.code;
      })
      .map((c) => c.id);
    const readers = edited.length > 0 ? [...kernel.graph.descendants(edited)] : [];
    const affected = deleted.length > 0 ? kernel.deleteCells(deleted) : [];
    const inputs: CellInput[] = notebook.cells.map((c) => ({
      id: c.id,
      code: c.type === "code" ? this.kernelCode(c.code) : c.code,
      name: c.name,
      type: c.type,
      disabled: c.disabled,
      line: c.line,
      metadata: { ...c.metadata },
    }));
    const changed = await kernel.setCells(
      inputs,
      notebook.cells.map((c) => c.id),
    );
    // A cell that no longer defines a name (it now has a syntax error, or dropped the name)
    // must not leave its old value behind for readers to see: it would run nothing that
    // removes it.
    for (const id of changed) {
      const cell = kernel.cell(id);
      if (!cell?.isCode || cell.ranDefs.length === 0) continue;
      const now = new Set(cell.analysis?.error ? [] : (cell.analysis?.defs ?? []));
      const dropped = cell.ranDefs.filter((name) => !now.has(name));
      if (dropped.length === 0) continue;
      for (const name of dropped) if (kernel.graph.definersOf(name).length === 0) kernel.scope.delete(name);
      cell.ranDefs = cell.ranDefs.filter((name) => now.has(name));
    }
    this.source = new Map(notebook.cells.map((c) => [c.id, c.code]));
    this.indexImports();
    const run = new Set<CellId>();
    for (const id of [...changed, ...affected, ...readers]) if (kernel.cell(id)?.isCode) run.add(id);
    return { trigger: "notebook", changed, deleted, run: [...run] };
  }

  /** Module files changed: the cells importing them load fresh copies and re-run. */
  async applyModules(files: Iterable<string>): Promise<WatchChange> {
    const changedFiles = new Set(files);
    const cells: CellId[] = [];
    for (const [id, list] of this.imports) {
      if (list.some((i) => changedFiles.has(i.file))) cells.push(id);
    }
    const python = this.kernel.language === "python";
    for (const file of changedFiles) {
      this.versions.set(file, (this.versions.get(file) ?? 0) + 1);
      evictRequireCache(this.requireCache, file);
      if (python) removePythonBytecode(file);
    }
    if (python) {
      const dotted = new Set<string>();
      for (const id of cells)
        for (const i of this.imports.get(id) ?? []) if (changedFiles.has(i.file)) dotted.add(i.specifier);
      for (const name of dotted)
        await this.kernel.execute(
          pythonEvictCode(name),
          { silent: true, storeHistory: false },
          NOOP_OBSERVER,
        );
    } else if (this.kernel.language === "javascript") {
      // New specifiers make the cells' code differ, which is what set_cells re-runs.
      await this.kernel.setCells(
        cells.map((id) => {
          const cell = this.kernel.cell(id)!;
          return {
            id,
            code: this.kernelCode(this.source.get(id) ?? cell.code),
            name: cell.name,
            type: cell.type,
            disabled: cell.disabled,
          };
        }),
      );
    }
    for (const id of cells) {
      const cell = this.kernel.cell(id);
      if (cell) cell.stale = true;
    }
    return { trigger: "module", changed: cells, deleted: [], run: cells, files: [...changedFiles] };
  }

  /** The cells a change's run covers, in the order they run. */
  plan(change: WatchChange): CellId[] {
    return change.run.length > 0 ? this.kernel.planRun(change.run) : [];
  }

  run(plan: CellId[], requestId: string | null, observer: RunObserver): Promise<RunSummary> {
    return this.kernel.runPlan(plan, requestId, observer);
  }
}
