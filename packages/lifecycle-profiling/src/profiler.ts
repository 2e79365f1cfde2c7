// Per-cell wall time, CPU time and heap delta, kept in memory and written as a Chrome
// trace-event file (opens in Perfetto and chrome://tracing): one complete event per cell.
import { writeFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import type {
  CompiledCell,
  ExecutionContext,
  ExecutionLifecycle,
  PluginContext,
  RunResult,
} from "@kernelkit/core";
import { KernelkitError } from "@kernelkit/core";

export interface CellProfile {
  cellId: string;
  /** The cell's name, else its id (the trace event's name). */
  label: string;
  /** performance.now() when the cell's evaluation started. */
  startMs: number;
  wallMs: number;
  /** User + system CPU time of the process while the cell ran. */
  cpuMs: number;
  /** Change of V8's used heap across the cell (negative when a GC ran). */
  heapDeltaBytes: number;
  ok: boolean;
}

export interface ProfilingOptions {
  /** Where to write the Chrome trace (on `writeTrace()` and when the kernel is torn down). */
  out?: string | null;
}

/** Chrome trace-event format, "JSON object" flavour. */
export interface ChromeTrace {
  traceEvents: {
    name: string;
    cat: string;
    ph: "X";
    ts: number;
    dur: number;
    pid: number;
    tid: number;
    args: Record<string, unknown>;
  }[];
  displayTimeUnit: "ms";
}

interface Open {
  t0: number;
  cpu: NodeJS.CpuUsage;
  heap: number;
}

export class ProfilingLifecycle implements ExecutionLifecycle {
  readonly name = "profiling";
  readonly out: string | null;
  readonly profiles: CellProfile[] = [];
  private readonly open = new WeakMap<ExecutionContext, Open>();
  private written = -1;

  constructor(options: ProfilingOptions = {}) {
    this.out = options.out ?? null;
  }

  setup(_cell: CompiledCell, ctx: ExecutionContext): void {
    this.open.set(ctx, {
      heap: getHeapStatistics().used_heap_size,
      cpu: process.cpuUsage(),
      t0: performance.now(),
    });
  }

  teardown(cell: CompiledCell, ctx: ExecutionContext, result: RunResult): void {
    const wallMs = performance.now();
    const cpu = process.cpuUsage();
    const heap = getHeapStatistics().used_heap_size;
    const o = this.open.get(ctx);
    if (!o) return;
    this.open.delete(ctx);
    this.profiles.push({
      cellId: cell.id,
      label: cell.name ?? cell.id,
      startMs: o.t0,
      wallMs: wallMs - o.t0,
      cpuMs: (cpu.user - o.cpu.user + cpu.system - o.cpu.system) / 1000,
      heapDeltaBytes: heap - o.heap,
      ok: result.error == null,
    });
  }

  /** The `n` cells that took longest (latest run of each cell). */
  slowest(n = 10): CellProfile[] {
    const latest = new Map<string, CellProfile>();
    for (const p of this.profiles) latest.set(p.cellId, p);
    return [...latest.values()].sort((a, b) => b.wallMs - a.wallMs).slice(0, n);
  }

  trace(): ChromeTrace {
    const origin = performance.timeOrigin;
    return {
      traceEvents: this.profiles.map((p) => ({
        name: p.label,
        cat: "cell",
        ph: "X",
        ts: Math.round((origin + p.startMs) * 1000),
        dur: Math.max(1, Math.round(p.wallMs * 1000)),
        pid: process.pid,
        tid: 1,
        args: {
          cellId: p.cellId,
          status: p.ok ? "success" : "exception",
          wallMs: round(p.wallMs),
          cpuMs: round(p.cpuMs),
          heapDeltaBytes: p.heapDeltaBytes,
        },
      })),
      displayTimeUnit: "ms",
    };
  }

  /** Writes the trace to `path` (default: the `out` option); returns the path written, or null. */
  writeTrace(path: string | null = this.out): string | null {
    if (!path) return null;
    try {
      writeFileSync(path, `${JSON.stringify(this.trace())}\n`);
    } catch (error) {
      throw new KernelkitError(
        "KK_PROFILE_WRITE",
        `cannot write the profile to ${path}: ${(error as Error).message}`,
        { cause: error, hint: "Pass --profile a path in a folder that exists and is writable." },
      );
    }
    if (path === this.out) this.written = this.profiles.length;
    return path;
  }

  /** Writes what was not written yet (the kernel's teardown). */
  dispose(): void {
    if (this.out && this.written !== this.profiles.length) this.writeTrace();
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Factory (docs/plugins.md): `["profiling", { out: "trace.json" }]`. A relative `out` is from the cwd. */
export function createProfilingLifecycle(
  options: ProfilingOptions = {},
  _ctx?: PluginContext,
): ProfilingLifecycle {
  return new ProfilingLifecycle(options);
}
