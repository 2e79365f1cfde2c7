// The end of `run --profile`'s human output: the slowest cells, and where the trace went.
import type { Kernel } from "@kernelkit/core";
import pc from "picocolors";
import { formatDuration } from "./render.ts";

interface Profiler {
  name: string;
  out: string | null;
  slowest(n: number): { label: string; wallMs: number; cpuMs: number; heapDeltaBytes: number }[];
  writeTrace(): string | null;
}

function isProfiler(value: unknown): value is Profiler {
  const v = value as Partial<Profiler>;
  return v?.name === "profiling" && typeof v.slowest === "function" && typeof v.writeTrace === "function";
}

function bytes(n: number): string {
  const sign = n < 0 ? "-" : "+";
  const a = Math.abs(n);
  if (a < 1024) return `${sign}${a} B`;
  if (a < 1024 * 1024) return `${sign}${(a / 1024).toFixed(1)} KiB`;
  return `${sign}${(a / 1024 / 1024).toFixed(1)} MiB`;
}

/** Writes the trace and returns the section to print ("" when the run was not profiled). */
export function profileSection(kernel: Kernel, _reports?: unknown): string {
  const profiler = kernel.lifecycles.find(isProfiler);
  if (!profiler) return "";
  const lines = [""];
  try {
    const path = profiler.writeTrace();
    if (path) lines.push(`Trace written to ${path} (open it in https://ui.perfetto.dev or chrome://tracing)`);
  } catch (error) {
    lines.push(pc.red(`${(error as Error).message}`));
  }
  const rows = profiler.slowest(10);
  lines.push(pc.bold(`Slowest cells (${rows.length}):`));
  const cells = [
    ["cell", "wall", "cpu", "heap Δ"],
    ...rows.map((r) => [r.label, formatDuration(r.wallMs), formatDuration(r.cpuMs), bytes(r.heapDeltaBytes)]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  for (const [i, c] of cells.entries()) {
    const line = c.map((v, j) => (j === 0 ? v.padEnd(widths[j]!) : v.padStart(widths[j]!))).join("  ");
    lines.push(`  ${i === 0 ? pc.dim(line) : line}`);
  }
  return `${lines.join("\n")}\n`;
}
