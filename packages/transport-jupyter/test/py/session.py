# A scripted jupyter_client session against one kernelspec: execute, interrupt a synchronous
# infinite loop by message and by signal (state kept, the heartbeat answering while it blocks),
# output that reaches the front-end while a synchronous loop still prints, input() answered
# through stdin, restart, shutdown; then checks that no kernel process is left. Prints one JSON
# line.
import json
import os
import signal
import sys
import tempfile
import time

import zmq

from jupyter_client.manager import start_new_kernel

name = sys.argv[1]
py = name.endswith("python")
out = {"kernel": name}

km, kc = start_new_kernel(kernel_name=name, startup_timeout=60)


def run(code, **kw):
    outputs = []
    reply = kc.execute_interactive(
        code, output_hook=lambda m: outputs.append({"type": m["msg_type"], "content": m["content"]}), timeout=30, **kw
    )
    return reply["content"], outputs


def result_text(outputs):
    for o in outputs:
        if o["type"] == "execute_result":
            return o["content"]["data"]["text/plain"]
    return None


def stream_text(outputs):
    return "".join(o["content"]["text"] for o in outputs if o["type"] == "stream")


reply, outputs = run("x = 41" if py else "var x = 41")
out["define"] = reply["status"]
reply, outputs = run("print('hello', x + 1)" if py else "console.log('hello', x + 1)")
out["print"] = stream_text(outputs)

def heartbeat_answers():
    """One ping on hb, as a front-end's heartbeat channel sends it: answered within 2 s?"""
    info = km.get_connection_info()
    sock = zmq.Context.instance().socket(zmq.REQ)
    sock.linger = 0
    sock.connect(f"{info['transport']}://{info['ip']}:{info['hb_port']}")
    try:
        sock.send(b"ping")
        return sock.poll(2000) != 0 and sock.recv() == b"ping"
    finally:
        sock.close()


loop = "while True:\n    pass" if py else "while (true) {}"
for how in ("message", "signal"):
    msg_id = kc.execute(loop)
    time.sleep(0.5)
    if how == "message":
        out["heartbeat_while_blocked"] = heartbeat_answers()
        km.interrupt_kernel()
    else:
        os.kill(km.provisioner.process.pid, signal.SIGINT)
    reply = kc.get_shell_msg(timeout=20)
    assert reply["parent_header"]["msg_id"] == msg_id
    out[f"interrupt_{how}"] = {"status": reply["content"]["status"], "ename": reply["content"].get("ename")}
    reply, outputs = run("x + 1")
    out[f"after_{how}"] = result_text(outputs) or reply

# Output leaves while the cell still runs: the cell prints until the front-end, having seen its
# first line, creates the flag file (a kernel holding output back until the cell ends would
# print "deadline" after 20 s instead).
flag = os.path.join(tempfile.mkdtemp(), "seen")
if py:
    code = (
        "import os, time\n_deadline = time.time() + 20\n"
        f"while not os.path.exists({flag!r}) and time.time() < _deadline:\n"
        "    print('tick', flush=True)\n    time.sleep(0.005)\n"
        f"print('released' if os.path.exists({flag!r}) else 'deadline')"
    )
else:
    code = (
        "{ const { existsSync } = await import('node:fs'); const deadline = Date.now() + 20000; let i = 0;\n"
        f"while (!existsSync({json.dumps(flag)}) && Date.now() < deadline) {{ if (i++ % 2000 === 0) console.log('tick') }}\n"
        f"console.log(existsSync({json.dumps(flag)}) ? 'released' : 'deadline') }}"
    )
msg_id = kc.execute(code)
text = ""
while True:
    m = kc.get_iopub_msg(timeout=30)
    if m["parent_header"].get("msg_id") != msg_id:
        continue
    if m["msg_type"] == "stream":
        if not os.path.exists(flag):
            open(flag, "w").close()
        text += m["content"]["text"]
    if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
        break
out["live_output"] = text.strip().splitlines()[-1] if text.strip() else None

# input() answered through stdin (allow_stdin=True)
code = "name = input('who? ')\nprint('hi ' + name)" if py else "const who = await prompt('who? '); console.log('hi ' + who)"
prompts = []


def answer(msg):
    prompts.append(msg["content"]["prompt"])
    kc.input("kernelkit")


reply, outputs = run(code, allow_stdin=True, stdin_hook=answer)
out["input"] = {"status": reply["status"], "prompts": prompts, "text": stream_text(outputs)}

pid1 = km.provisioner.process.pid
km.restart_kernel(now=False)
kc.wait_for_ready(timeout=60)
pid2 = km.provisioner.process.pid
out["restarted"] = pid1 != pid2
reply, outputs = run("'x' in globals()" if py else "typeof x")
out["after_restart"] = result_text(outputs)

km.shutdown_kernel(now=False)
kc.stop_channels()
time.sleep(0.2)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


out["left_behind"] = [p for p in (pid1, pid2) if alive(p)]
print(json.dumps(out), flush=True)
