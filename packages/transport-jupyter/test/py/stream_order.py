# Output through iopub as stream messages gathered by the transport: a cell printing megabytes,
# a display in the middle and a result at the end must arrive complete and in the order made;
# and text printed before a cell waits must arrive while it waits. Prints one JSON line.
import json
import os
import sys
import tempfile

from jupyter_client.manager import start_new_kernel

km, kc = start_new_kernel(kernel_name=sys.argv[1], startup_timeout=60)
out = {}


def run(code, on_msg=None):
    msg_id = kc.execute(code)
    msgs = []
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if on_msg:
            on_msg(m)
        msgs.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=60)
    return reply["content"]["status"], msgs


N = 40000
code = (
    f"for (let i = 0; i < {N}; i++) console.log('a' + String(i).padStart(6, '0') + 'x'.repeat(56));\n"
    "display.html('<b>mid</b>');\n"
    f"for (let i = 0; i < {N}; i++) console.log('b' + String(i).padStart(6, '0') + 'x'.repeat(56));\n"
    "6 * 7"
)
status, msgs = run(code)
kinds = []
for m in msgs:
    t = m["msg_type"]
    if t == "stream":
        t = "stream:" + m["content"]["name"]
        first = m["content"]["text"][0]
        t += ":" + first
    if not kinds or kinds[-1] != t:
        kinds.append(t)
text = "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream")
expected = "".join("a%06d%s\n" % (i, "x" * 56) for i in range(N)) + "".join("b%06d%s\n" % (i, "x" * 56) for i in range(N))
out["status"] = status
out["kinds"] = kinds
out["text_equal"] = text == expected
out["streams"] = sum(1 for m in msgs if m["msg_type"] == "stream")
# Every stream message holds one side of the display, never both.
out["mixed"] = any(
    "a" in {l[:1] for l in m["content"]["text"].splitlines()} and "b" in {l[:1] for l in m["content"]["text"].splitlines()}
    for m in msgs
    if m["msg_type"] == "stream"
)

# A line printed before the cell waits reaches the front-end while it waits: the cell waits
# (without printing) until the flag file the front-end creates on seeing the line exists.
flag = os.path.join(tempfile.mkdtemp(), "seen")
wait_code = (
    "console.log('waiting');\n"
    "{ const { existsSync } = await import('node:fs'); const deadline = Date.now() + 20000;\n"
    f"while (!existsSync({json.dumps(flag)}) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));\n"
    f"console.log(existsSync({json.dumps(flag)}) ? 'released' : 'deadline') }}"
)


def seen(m):
    if m["msg_type"] == "stream" and "waiting" in m["content"]["text"]:
        open(flag, "w").close()


status, msgs = run(wait_code, seen)
out["wait"] = "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream").split()
kc.stop_channels()
km.shutdown_kernel(now=False)
print(json.dumps(out), flush=True)
