// The Jupyter transport (PERFORMANCE.md, turn 2): jupyter_client's BlockingKernelClient
// against the kernelkit-javascript kernelspec and against ipykernel, side by side in one run —
// execute round trip (≥ 5× faster), start to first kernel_info_reply (≤ ⅓), and 100k
// console.log/print lines through iopub (≥ 2× the MB/s, nothing lost). The floor is
// jupyter-floor-kernel.mjs measured the same way in the same run: a kernel that evaluates
// nothing, so its round trip is jupyter_client's and ZeroMQ's own cost — no kernel beats it,
// and ipykernel's time over it is the best ratio any kernel can reach on this machine.
// Standalone: `node bench/jupyter.mjs [--quick] [--json]`; or import `run({ quick })`.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, REPO } from "./lib/kernel-process.mjs";
import { log, row, standalone } from "./lib/measure.mjs";

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(REPO, "bench", "jupyter_client_bench.py");

const FLOOR_KERNEL = join(REPO, "bench", "jupyter-floor-kernel.mjs");

function measure(kernel, language, env, quick, extra = []) {
  const args = [
    SCRIPT,
    kernel,
    language,
    "--runs",
    quick ? "1" : "3",
    "--n",
    quick ? "100" : "500",
    ...extra,
  ];
  const r = spawnSync(PYTHON, args, { env, encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  const line = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`${kernel}: ${r.stderr?.slice(-2000)}`);
  return JSON.parse(line);
}

export async function run({ quick = false } = {}) {
  const probe = spawnSync(PYTHON, ["-c", "import jupyter_client, ipykernel"], { encoding: "utf8" });
  if (probe.status !== 0) {
    const note = "not measured: install Debian's python3-jupyter-client and python3-ipykernel";
    log(`jupyter: ${note}`);
    return { name: "jupyter", rows: [row({ row: "jupyter: round trip", met: null, note })] };
  }
  const prefix = mkdtempSync(join(tmpdir(), "kk-bench-jupyter-"));
  try {
    const inst = spawnSync(
      process.execPath,
      [CLI, "jupyter", "install", "--prefix", prefix, "--language", "javascript"],
      {
        encoding: "utf8",
      },
    );
    if (inst.status !== 0) throw new Error(inst.stderr);
    const floorSpec = join(prefix, "share", "jupyter", "kernels", "kernelkit-bench-floor");
    mkdirSync(floorSpec, { recursive: true });
    writeFileSync(
      join(floorSpec, "kernel.json"),
      JSON.stringify({
        argv: [process.execPath, FLOOR_KERNEL, "{connection_file}"],
        display_name: "floor (bench)",
        language: "javascript",
        interrupt_mode: "message",
      }),
    );
    const env = {
      ...process.env,
      JUPYTER_PATH: join(prefix, "share", "jupyter"),
      JUPYTER_RUNTIME_DIR: join(prefix, "runtime"),
      JUPYTER_PLATFORM_DIRS: "1",
    };
    log("jupyter: ipykernel (python3) through jupyter_client …");
    const ipy = measure("python3", "python", env, quick);
    log("jupyter: kernelkit-javascript through jupyter_client …");
    const kk = measure("kernelkit-javascript", "javascript", env, quick);
    log("jupyter: the floor kernel through jupyter_client …");
    const floor = measure("kernelkit-bench-floor", "javascript", env, quick, ["--no-stream"]);
    const rtt = ipy.rtt_median_ms / kk.rtt_median_ms;
    const start = kk.start_s / ipy.start_s;
    const tput = kk.tput_MBps / ipy.tput_MBps;
    const f = (n, d = 2) => Number(n.toFixed(d));
    return {
      name: "jupyter",
      ipykernel: ipy,
      kernelkit: kk,
      floor,
      rows: [
        row({
          row: "jupyter: execute round trip (jupyter_client)",
          floor: `${f(floor.rtt_median_ms, 3)} ms (best reachable: ${f(ipy.rtt_median_ms / floor.rtt_median_ms, 1)}× faster)`,
          peers: `ipykernel ${f(ipy.rtt_median_ms)} ms`,
          kernelkit: `${f(kk.rtt_median_ms, 3)} ms (p99 ${f(kk.rtt_p99_ms)} ms)`,
          ratio: `${f(rtt, 1)}× faster`,
          target: "≥ 5× faster than ipykernel",
          met: rtt >= 5,
        }),
        row({
          row: "jupyter: start to first kernel_info_reply",
          peers: `ipykernel ${f(ipy.start_s * 1000, 0)} ms`,
          kernelkit: `${f(kk.start_s * 1000, 0)} ms`,
          ratio: `${f(start)}× ipykernel's`,
          target: "≤ ⅓ of ipykernel's",
          met: start <= 1 / 3,
        }),
        row({
          row: "jupyter: 100k lines through iopub",
          peers: `ipykernel ${f(ipy.tput_MBps, 1)} MB/s`,
          kernelkit: `${f(kk.tput_MBps, 1)} MB/s, ${kk.lost_bytes} bytes lost`,
          ratio: `${f(tput, 1)}×`,
          target: "≥ 2× ipykernel's MB/s, nothing lost",
          met: tput >= 2 && kk.lost_bytes === 0,
        }),
      ],
    };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

await standalone(import.meta.url, run);
