# One kernelspec through jupyter_client's BlockingKernelClient, as PERFORMANCE.md's turn-2
# Jupyter rows measure it: start to first kernel_info_reply, execute round trip (reply and
# iopub idle both received), and stdout throughput of 100k 64-byte lines through iopub.
# Usage: jupyter_client_bench.py KERNEL_NAME LANGUAGE [--runs R] [--n N] [--lines L]
# Prints one JSON line.
import argparse
import json
import statistics
import time

from jupyter_client.manager import KernelManager

ap = argparse.ArgumentParser()
ap.add_argument("kernel")
ap.add_argument("language")
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--n", type=int, default=500)
ap.add_argument("--lines", type=int, default=100000)
ap.add_argument("--no-stream", action="store_true", help="round trip and start only (the floor kernel)")
a = ap.parse_args()

TRIVIAL = "1+1"
if a.language == "python":
    STREAM = "for _i in range(%d):\n    print('%%06d' %% _i + 'x' * 57)" % a.lines
else:
    STREAM = "for (let i = 0; i < %d; i++) console.log(String(i).padStart(6, '0') + 'x'.repeat(57))" % a.lines


def wait(kc, msg_id, on_iopub=None):
    """Until both the execute_reply (shell) and status idle (iopub) of msg_id arrived."""
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if on_iopub:
            on_iopub(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    while kc.get_shell_msg(timeout=60)["parent_header"].get("msg_id") != msg_id:
        pass


starts, rtts, tputs, lost = [], [], [], []
for run in range(a.runs):
    km = KernelManager(kernel_name=a.kernel)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.kernel_info(reply=True, timeout=60)
    starts.append(time.perf_counter() - t0)
    kc.wait_for_ready(timeout=60)
    for _ in range(10):
        wait(kc, kc.execute(TRIVIAL))
    for _ in range(a.n):
        t = time.perf_counter()
        wait(kc, kc.execute(TRIVIAL))
        rtts.append(time.perf_counter() - t)
    received = [0]

    def on(m):
        if m["msg_type"] == "stream" and m["content"]["name"] == "stdout":
            received[0] += len(m["content"]["text"].encode())

    if not a.no_stream:
        t = time.perf_counter()
        wait(kc, kc.execute(STREAM), on)
        dt = time.perf_counter() - t
        tputs.append(received[0] / dt / 1e6)
        lost.append(a.lines * 64 - received[0])
    kc.stop_channels()
    km.shutdown_kernel(now=False)

rtts.sort()
print(json.dumps({
    "kernel": a.kernel,
    "start_s": statistics.median(starts),
    "rtt_median_ms": statistics.median(rtts) * 1000,
    "rtt_p99_ms": rtts[int(len(rtts) * 0.99) - 1] * 1000,
    "tput_MBps": statistics.median(tputs) if tputs else None,
    "lost_bytes": max(lost) if lost else None,
}), flush=True)
