// `kernelkit check NOTEBOOK`: static analysis only; nothing runs.
import { dirname, relative } from "node:path";
import {
  API_VERSION,
  createKernel,
  createLogger,
  type Executor,
  type Kernel,
  KernelkitError,
  loadConfig,
  type Notebook,
  type RunMode,
} from "@kernelkit/core";
import { originalWrite } from "@kernelkit/executor-default";
import pc from "picocolors";
import { cellLabels, labelCellsIn } from "../cell-label.ts";
import { EXIT, reportStartupError } from "../cli-error.ts";
import { loadNotebook } from "../load-notebook.ts";
import { plural } from "../render.ts";
import { createRegistry } from "../setup.ts";

export interface CheckOptions {
  json?: boolean;
  types?: boolean;
  mode?: RunMode;
}

function hasTag(metadata: Readonly<Record<string, unknown>>, tag: string): boolean {
  return Array.isArray(metadata.tags) && metadata.tags.includes(tag);
}

/** An executor that never runs anything: `check` only needs analysis. */
const analysisOnly: Executor = {
  name: "none",
  language: "javascript",
  execute() {
    throw new KernelkitError("KK_INTERNAL", "check does not run cells");
  },
};

/** Python names come from Python's own ast/symtable: a python3 process analyses, no cell runs. */
async function analyzePython(notebook: Notebook): Promise<Kernel> {
  const { createPythonExecutor } = await import("@kernelkit/executor-python");
  const cwd = notebook.path ? dirname(notebook.path) : process.cwd();
  const python = await createPythonExecutor({}, { cwd, notebookPath: notebook.path });
  try {
    const executor: Executor = {
      ...analysisOnly,
      language: "python",
      analyze: (code) => python.analyze(code),
    };
    return await createKernel({ executor, notebook });
  } finally {
    await python.dispose();
  }
}

/** A plugin language: its executor's `analyze` gives defs and refs; nothing runs. */
async function analyzeWithPlugin(notebook: Notebook): Promise<Kernel> {
  const cwd = notebook.path ? dirname(notebook.path) : process.cwd();
  const context = {
    logger: createLogger({ level: "warn" }),
    cwd,
    notebookPath: notebook.path,
    language: notebook.language,
    apiVersion: API_VERSION,
  };
  const { registry } = createRegistry(context, { discoverFrom: cwd });
  const { executor: real } = await registry.resolveExecutor({ language: notebook.language });
  try {
    const executor: Executor = { ...analysisOnly, language: notebook.language };
    if (real.analyze) executor.analyze = (code) => real.analyze!(code);
    return await createKernel({ executor, notebook });
  } finally {
    await real.dispose?.();
  }
}

export async function checkCommand(notebookArg: string, options: CheckOptions): Promise<number> {
  const json = options.json === true;
  const out = originalWrite("stdout");
  const err = originalWrite("stderr");
  let kernel: Awaited<ReturnType<typeof createKernel>> | undefined;
  let types: TypeReport | null = null;
  let applied: { index: number; cell: ReturnType<Kernel["cells"]>[number] } | null = null;
  try {
    const notebook = loadNotebook(notebookArg);
    if (notebook.language === "python") {
      kernel = await analyzePython(notebook);
    } else if (notebook.language !== "javascript") {
      kernel = await analyzeWithPlugin(notebook);
    }
    kernel ??= await createKernel({ executor: { ...analysisOnly, language: notebook.language }, notebook });
    // The graph rules depend on the mode, so check analyses for the mode run would use.
    const config = options.mode
      ? null
      : await loadConfig({ from: notebook.path ? dirname(notebook.path) : process.cwd(), configPath: null });
    kernel.mode = options.mode ?? config?.config.mode ?? "reactive";
    // A saved injected-parameters cell is applied, not run, in reactive mode (docs/notebooks.md):
    // out of the graph, as run has it, and listed as it is.
    if (kernel.mode === "reactive" && notebook.cells.some((c) => hasTag(c.metadata, "injected-parameters"))) {
      const { savedParameterValues } = await import("../parameters.ts");
      const saved = savedParameterValues(kernel, notebook.cells);
      const cell = saved ? kernel.cell(saved.cell.id) : undefined;
      if (saved && cell) {
        applied = { index: kernel.cells().indexOf(cell), cell };
        kernel.deleteCells([saved.cell.id]);
      }
    }
    if (options.types) types = await typeCheck(notebook);
  } catch (error) {
    return reportStartupError(error, json, out, err);
  }
  const all = kernel.cells();
  if (applied) all.splice(applied.index, 0, applied.cell);
  const cells = all.map((c) => {
    const errors = c.isCode ? c.staticErrors() : [];
    const first = errors[0];
    const error = first
      ? {
          name: first.name,
          message: first.message,
          code: first.code,
          ...(first instanceof Object && "line" in first
            ? {
                line: (first as unknown as { line: number }).line,
                column: (first as unknown as { column: number }).column,
              }
            : {}),
        }
      : null;
    return {
      id: c.id,
      name: c.name,
      kind: c.type,
      status: error ? ("error" as const) : ("ok" as const),
      defs: [...(c.analysis?.defs ?? [])],
      refs: [...(c.analysis?.refs ?? [])],
      error,
      ...(types ? { typeErrors: types.cells.get(c.id) ?? [] } : {}),
    };
  });
  const typeErrorCount = types ? [...types.cells.values()].reduce((n, list) => n + list.length, 0) : 0;
  const ok = cells.every((c) => c.status === "ok") && typeErrorCount === 0;
  for (const w of types?.problems ?? []) err(`kernelkit: warning ${w.code}: ${w.message}\n`);
  if (json) {
    const extra = types && types.problems.length > 0 ? { typeWarnings: types.problems } : {};
    out(`${JSON.stringify({ schemaVersion: 1, ok, cells, ...extra })}\n`);
  } else {
    const labels = cellLabels(cells);
    if (types) {
      // tsc's own format, so editors and CI matchers that read tsc output read this too.
      const shown = kernel.notebookPath
        ? relative(process.cwd(), kernel.notebookPath) || notebookArg
        : notebookArg;
      for (const c of cells) {
        for (const e of types.cells.get(c.id) ?? []) {
          out(`${shown}:${e.line}:${e.column} - ${pc.red("error")} ${e.code}: ${e.message}\n`);
        }
      }
      if (typeErrorCount > 0)
        out(`\nFound ${typeErrorCount} type error${typeErrorCount === 1 ? "" : "s"}.\n\n`);
    }
    for (const c of cells) {
      const label = pc.bold(labels.get(c.id)!);
      if (c.kind !== "code") {
        out(`${pc.dim("·")} ${label}  ${pc.dim(c.kind)}\n`);
        continue;
      }
      const names = `defs: ${c.defs.join(", ") || "—"}; refs: ${c.refs.join(", ") || "—"}`;
      if (c.error)
        out(
          `${pc.red("✗")} ${label}  ${pc.red(`${c.error.code}: ${labelCellsIn(c.error.message, labels)}`)}\n`,
        );
      else out(`${pc.green("✓")} ${label}  ${pc.dim(names)}\n`);
    }
    const bad = cells.filter((c) => c.status === "error").length;
    out(
      `\n${plural(cells.length, "cell")}, ${bad === 0 ? pc.green("no errors") : pc.red(`${bad} with errors`)}\n`,
    );
    if (types && typeErrorCount === 0) out(`${pc.green("no type errors")}\n`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}

interface TypeReport {
  cells: Map<string, { code: string; message: string; line: number; column: number }[]>;
  problems: { code: string; message: string }[];
}

/** `--types`: the notebook as one TypeScript program (docs/types.md); the compiler loads only here. */
async function typeCheck(notebook: Notebook): Promise<TypeReport> {
  if (notebook.language !== "javascript") return { cells: new Map(), problems: [] };
  const cwd = notebook.path ? dirname(notebook.path) : process.cwd();
  const loaded = await loadConfig({ from: cwd });
  const config = loaded?.config as { types?: Record<string, unknown>; mode?: string } | undefined;
  const { checkNotebookTypes } = await import("@kernelkit/types");
  const result = checkNotebookTypes(notebook, {
    config: config?.types,
    mode: config?.mode === "sequential" ? "sequential" : "reactive",
  });
  return {
    cells: result.cells,
    problems: result.problems.map((p) => ({ code: p.code, message: p.message })),
  };
}
