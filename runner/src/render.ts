// Human output: one block per cell in notebook order, then a summary line.
import pc from "picocolors";
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

export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function renderReport(cells: CellReport[], totalMs: number): string {
  const lines: string[] = [];
  let n = 0;
  for (const c of cells) {
    if (c.type === "markdown") {
      lines.push(pc.dim(indent(c.output?.["text/markdown"] as string, "  │ ")));
      continue;
    }
    if (c.type === "raw") continue;
    n++;
    const color = MARK[c.status] ?? ((s: string) => s);
    const label = c.name ?? pc.dim(c.id);
    const time =
      c.status === "success" || c.status === "exception" || c.status === "interrupted"
        ? pc.dim(`  ${formatDuration(c.durationMs)}`)
        : "";
    if (c.skippedBy) {
      // Completed by a lifecycle's Skip: it did not run, whatever result the Skip carried.
      lines.push(`${pc.dim("↷")} ${pc.bold(`[${n}]`)} ${label}  ${pc.dim(`skipped by ${c.skippedBy}`)}`);
    } else
      lines.push(
        `${color(SYMBOL[c.status] ?? "?")} ${pc.bold(`[${n}]`)} ${label}  ${color(c.status)}${time}`,
      );
    if (c.stdout) lines.push(indent(c.stdout));
    if (c.stderr) lines.push(pc.yellow(indent(c.stderr)));
    for (const d of c.displays) lines.push(indent(String(d["text/plain"] ?? "")));
    if (c.output)
      lines.push(`  ${pc.cyan("→")} ${String(c.output["text/plain"] ?? "").replace(/\n/g, "\n    ")}`);
    if (c.error) {
      if (c.status === "cancelled" || c.status === "disabled") lines.push(pc.dim(`    ${c.error.message}`));
      else
        lines.push(
          pc.red(
            indent(
              c.error.traceback.length > 0
                ? c.error.traceback.join("\n")
                : `${c.error.name}: ${c.error.message}`,
            ),
          ),
        );
    }
  }
  const counts = new Map<string, number>();
  for (const c of cells) {
    const key = c.skippedBy ? "skipped" : c.status;
    if (c.type === "code") counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = [...counts].map(([s, k]) => (MARK[s] ?? ((x: string) => x))(`${k} ${s}`));
  lines.push("");
  lines.push(
    `${n} cell${n === 1 ? "" : "s"}: ${parts.join(", ") || "nothing to run"} ${pc.dim(`· ${formatDuration(totalMs)}`)}`,
  );
  return `${lines.join("\n")}\n`;
}
