// A cell as the kernel holds it: code, analysis, last run, and its static errors.
import type { CellAnalysis, CellId, CellType, CompiledCell } from "../contract/cell.ts";
import {
  CellStaticProblem,
  CellSyntaxError,
  type KernelkitError,
  StarImportError,
} from "../contract/errors.ts";
import type { CellRunRecord, RunnableCell } from "../execution/cell-runner.ts";
import type { Kernel } from "./kernel.ts";
/** A cell as the kernel holds it. */
export class CellState implements RunnableCell {
  lastRun: CellRunRecord | null = null;
  stale = true;
  ranDefs: readonly string[] = [];
  analysis: CellAnalysis | null = null;
  compiled: CompiledCell | null = null;

  constructor(
    private readonly kernel: Kernel,
    public id: CellId,
    public name: string | null,
    public type: CellType,
    public code: string,
    public disabled: boolean,
    public line: number,
    public metadata: Record<string, unknown>,
  ) {}

  get label(): string {
    return this.name ?? this.id;
  }

  get isCode(): boolean {
    return this.type === "code";
  }

  private errorsCache: {
    version: number;
    analysis: CellAnalysis | null;
    line: number;
    errors: KernelkitError[];
  } | null = null;

  staticErrors(): KernelkitError[] {
    const version = this.kernel.graph.version;
    const c = this.errorsCache;
    if (c && c.version === version && c.analysis === this.analysis && c.line === this.line) return c.errors;
    const out: KernelkitError[] = [];
    const e = this.analysis?.error;
    if (e) {
      const line = this.line > 0 ? this.line + e.line - 1 : e.line;
      if (e.code !== "KK_SYNTAX")
        out.push(new CellStaticProblem(e.code, e.name, `line ${line}: ${e.message}`, line, e.column));
      else out.push(new CellSyntaxError(`${e.message} (line ${line}, column ${e.column})`, line, e.column));
    }
    if (this.kernel.mode === "reactive") {
      for (const s of this.analysis?.starImports ?? [])
        out.push(new StarImportError(s.module, this.line > 0 ? this.line + s.line - 1 : s.line));
    }
    // Redefinition, cycles and reassignment are reactive rules; sequential cells may do all three.
    if (this.kernel.mode === "reactive") out.push(...this.kernel.graph.errorsOf(this.id));
    this.errorsCache = { version, analysis: this.analysis, line: this.line, errors: out };
    return out;
  }
}
