// Human output: one block per cell in notebook order, then a summary line. A cell's stderr
// goes to stderr (so `2>/dev/null` hides it); everything else to stdout.
import pc from "picocolors";
import { cellLabel, cellLabels, labelCellsIn } from "./cell-label.ts";
import type { CellReport } from "./report.ts";

const MARK: Record<string, (s: string) => string> = {
  success: (s) => pc.green(s),
  exception: (s) => pc.red(s),
  error: (s) => pc.red(s),
  cancelled: (s) => pc.yellow(s),
  interrupted: (s) => pc.yellow(s),
  disabled: (s) => pc.dim(s),
};
const SYMBOL: Record<string, string> = {
  success: "✓",
  exception: "✗",
  error: "✗",
  cancelled: "○",
  interrupted: "■",
  disabled: "–",
};

function indent(text: string, prefix = "    "): string {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => prefix + l)
    .join("\n");
}

/** One format for every duration: milliseconds with one decimal below a second, else seconds. */
export function formatDuration(ms: number): string {
  if (ms < 0.05) return "<0.1 ms";
  if (ms < 999.95) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** "1 cell", "6 cells". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The lines of an error: its traceback, without the `Name: message` line repeated at the end
 * when it also opens it (Python puts it last, the executor first).
 */
export function errorText(error: NonNullable<CellReport["error"]>): string {
  const tb = error.traceback;
  if (tb.length === 0) return `${error.name}: ${error.message}`;
  const first = tb[0]!.trim();
  if (tb.length > 1 && first === tb[tb.length - 1]!.trim()) return tb.slice(1).join("\n");
  return tb.join("\n");
}

export interface ReportSink {
  out(text: string): void;
  err(text: string): void;
}

/**
 * Writes the report to `sink` in order, cell stderr on `err`. Without a sink, returns it all
 * as one string (stderr included) for callers that print it themselves.
 */
export function renderReport(cells: CellReport[], totalMs: number, sink?: ReportSink): string {
  let pending: string[] = [];
  let whole = "";
  const flush = () => {
    if (pending.length === 0) return;
    const text = `${pending.join("\n")}\n`;
    pending = [];
    if (sink) sink.out(text);
    else whole += text;
  };
  const errLines = (text: string) => {
    if (!sink) {
      pending.push(text);
      return;
    }
    flush();
    sink.err(`${text}\n`);
  };
  const labels = cellLabels(cells);
  const kinds = new Map<string, number>();
  for (const c of cells) {
    const label = pc.bold(labels.get(c.id) ?? cellLabel(c.index ?? 0, c.name));
    if (c.type === "markdown" || c.type === "raw") {
      kinds.set(c.type, (kinds.get(c.type) ?? 0) + 1);
      pending.push(`${pc.dim("·")} ${label}  ${pc.dim(c.type)}`);
      const text = c.type === "markdown" ? (c.output?.["text/markdown"] as string | undefined) : undefined;
      if (text) pending.push(pc.dim(indent(text, "  │ ")));
      continue;
    }
    const color = MARK[c.status] ?? ((s: string) => s);
    const time =
      c.status === "success" || c.status === "exception" || c.status === "interrupted"
        ? pc.dim(`  ${formatDuration(c.durationMs)}`)
        : "";
    if (c.skippedBy) {
      // Completed by a lifecycle's Skip: it did not run, whatever result the Skip carried.
      pending.push(`${pc.dim("↷")} ${label}  ${pc.dim(`skipped by ${c.skippedBy}`)}`);
    } else pending.push(`${color(SYMBOL[c.status] ?? "?")} ${label}  ${color(c.status)}${time}`);
    if (c.stdout) pending.push(indent(c.stdout));
    if (c.stderr) errLines(pc.yellow(indent(c.stderr)));
    for (const d of c.displays) pending.push(indent(String(d["text/plain"] ?? "")));
    if (c.output)
      pending.push(`  ${pc.cyan("→")} ${String(c.output["text/plain"] ?? "").replace(/\n/g, "\n    ")}`);
    if (c.error) {
      if (c.status === "cancelled" || c.status === "disabled")
        pending.push(pc.dim(`    ${labelCellsIn(c.error.message, labels)}`));
      else pending.push(pc.red(indent(labelCellsIn(errorText(c.error), labels))));
    }
  }
  const counts = new Map<string, number>();
  for (const c of cells) {
    const key = c.skippedBy ? "skipped" : c.status;
    if (c.type === "code") counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = [
    ...[...counts].map(([s, k]) => (MARK[s] ?? ((x: string) => x))(`${k} ${s}`)),
    ...[...kinds].map(([kind, k]) => pc.dim(`${k} ${kind}`)),
  ];
  const ran = counts.size > 0;
  pending.push("");
  pending.push(
    `${plural(cells.length, "cell")}: ${ran ? parts.join(", ") : parts.length > 0 ? `${parts.join(", ")}, nothing to run` : "nothing to run"} ${pc.dim(`· ${formatDuration(totalMs)}`)}`,
  );
  flush();
  return whole;
}
