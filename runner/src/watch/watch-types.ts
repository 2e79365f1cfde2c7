// `watch --types` / `serve --watch --types` (docs/watch.md "Type errors"): after each save the
// notebook's type errors, from the kernel's warm language service. The compiler lives in the
// service's worker thread, so a check never delays a run; only the edited cells (and the cells
// that import their names) are checked again (docs/types.md "Incremental").
import type { Kernel, ServiceCell, ServiceNotebook } from "@kernelkit/core";
import pc from "picocolors";
import { type KernelTypesService, type NotebookTypeError, typeCheckerOf } from "../language-service.ts";
import type { WatchSession } from "./session.ts";

export interface WatchTypeReport {
  /** No cell has a type error. */
  ok: boolean;
  /** How many type errors, over all cells. */
  count: number;
  /** The cells that have type errors, in notebook order. */
  cells: { id: string; name: string | null; typeErrors: NotebookTypeError[] }[];
  /** Problems of the setup (tsconfig, lib), KK_TYPES_* coded. */
  warnings: NotebookTypeError[];
}

export class WatchTypes {
  private constructor(
    private readonly kernel: Kernel,
    private readonly session: WatchSession,
    private readonly service: KernelTypesService,
  ) {}

  /** A checker for a JS/TS kernel whose runner wired the language service; null otherwise. */
  static for(kernel: Kernel, session: WatchSession): WatchTypes | null {
    if (kernel.language !== "javascript") return null;
    const service = typeCheckerOf(kernel.languageService);
    return service ? new WatchTypes(kernel, session, service) : null;
  }

  /** The notebook as the file has it (reloaded modules' specifiers are the kernel's business). */
  private notebook(): ServiceNotebook {
    const cells: ServiceCell[] = [];
    for (const c of this.kernel.cells()) {
      if (!c.isCode) continue;
      cells.push({
        id: c.id,
        name: c.name,
        code: this.session.sourceOf(c.id) ?? c.code,
        line: c.line,
        disabled: c.disabled,
      });
    }
    return {
      path: this.kernel.notebookPath,
      cwd: this.kernel.cwd,
      language: this.kernel.language,
      typescript: this.kernel.typescript,
      cells,
    };
  }

  async check(): Promise<WatchTypeReport> {
    const nb = this.notebook();
    const result = await this.service.check(nb);
    const cells: WatchTypeReport["cells"] = [];
    let count = 0;
    for (const c of nb.cells) {
      const typeErrors = result.cells.get(c.id) ?? [];
      if (typeErrors.length === 0) continue;
      count += typeErrors.length;
      cells.push({ id: c.id, name: c.name, typeErrors });
    }
    return { ok: count === 0, count, cells, warnings: result.problems };
  }
}

/** The report as `check --types` prints it: tsc's format, so editors' matchers read it too. */
export function renderTypeReport(report: WatchTypeReport, shown: string): string {
  if (report.ok) return `${pc.green("no type errors")}\n`;
  let text = "";
  for (const c of report.cells)
    for (const e of c.typeErrors)
      text += `${shown}:${e.line}:${e.column} - ${pc.red("error")} ${e.code}: ${e.message}\n`;
  return `${text}Found ${report.count} type error${report.count === 1 ? "" : "s"}.\n`;
}
