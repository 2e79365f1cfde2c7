// Collects what a run produced per cell, for the human report and `run --json`.
import type { CellId, ErrorInfo, Kernel, MimeBundle, RunObserver } from "@kernelkit/core";

export interface CellReport {
  id: string;
  name: string | null;
  type: "code" | "markdown" | "raw";
  status: string;
  output: MimeBundle | null;
  displays: MimeBundle[];
  stdout: string;
  stderr: string;
  error: { name: string; message: string; traceback: string[]; code: string | null } | null;
  defs: string[];
  refs: string[];
  durationMs: number;
}

export class RunCollector implements RunObserver {
  private readonly out = new Map<
    CellId,
    {
      stdout: string[];
      stderr: string[];
      displays: MimeBundle[];
      output: MimeBundle | null;
      error: ErrorInfo | null;
      status: string | null;
    }
  >();
  running: CellId | null = null;
  finished = 0;

  constructor(private readonly onProgress?: (event: { cellId: CellId; status: string }) => void) {}

  private entry(id: CellId | null) {
    const key = id ?? "";
    let e = this.out.get(key);
    if (!e)
      this.out.set(
        key,
        (e = { stdout: [], stderr: [], displays: [], output: null, error: null, status: null }),
      );
    return e;
  }

  status(cellId: CellId, status: "queued" | "running" | "idle", runResult?: string): void {
    if (status === "running") this.running = cellId;
    if (status === "idle") {
      this.entry(cellId).status = runResult ?? null;
      this.finished++;
      if (this.running === cellId) this.running = null;
    }
    this.onProgress?.({ cellId, status });
  }
  stdout(cellId: CellId | null, text: string): void {
    this.entry(cellId).stdout.push(text);
  }
  stderr(cellId: CellId | null, text: string): void {
    this.entry(cellId).stderr.push(text);
  }
  display(cellId: CellId | null, bundle: MimeBundle): void {
    this.entry(cellId).displays.push(bundle);
  }
  result(cellId: CellId | null, bundle: MimeBundle): void {
    this.entry(cellId).output = bundle;
  }
  error(cellId: CellId | null, info: ErrorInfo): void {
    this.entry(cellId).error = info;
  }

  /** Every cell in notebook order, as `run --json` lists them. */
  reports(kernel: Kernel): CellReport[] {
    return kernel.cells().map((cell) => {
      const e = this.out.get(cell.id);
      const base = {
        id: cell.id,
        name: cell.name,
        type: cell.type,
        defs: [...(cell.analysis?.defs ?? [])],
        refs: [...(cell.analysis?.refs ?? [])],
      };
      if (cell.type === "markdown") {
        return {
          ...base,
          status: "success",
          output: { "text/markdown": cell.code, "text/plain": cell.code },
          displays: [],
          stdout: "",
          stderr: "",
          error: null,
          durationMs: 0,
        };
      }
      if (cell.type === "raw") {
        return {
          ...base,
          status: "disabled",
          output: null,
          displays: [],
          stdout: "",
          stderr: "",
          error: null,
          durationMs: 0,
        };
      }
      const error = e?.error ?? null;
      return {
        ...base,
        status: e?.status ?? cell.lastRun?.status ?? "cancelled",
        output: e?.output ?? null,
        displays: e?.displays ?? [],
        stdout: e ? e.stdout.join("") : "",
        stderr: e ? e.stderr.join("") : "",
        error: error
          ? { name: error.name, message: error.message, traceback: error.traceback, code: error.code }
          : null,
        durationMs: Math.round((cell.lastRun?.durationMs ?? 0) * 1000) / 1000,
      };
    });
  }

  /** Output written outside any cell (none in practice; kept so nothing is lost). */
  orphan(): { stdout: string; stderr: string } {
    const e = this.out.get("");
    return { stdout: e ? e.stdout.join("") : "", stderr: e ? e.stderr.join("") : "" };
  }
}
