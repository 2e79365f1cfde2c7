# A scripted jupyter_client session against one kernelspec: execute, interrupt a synchronous
# infinite loop by message and by signal (state kept), input() answered through stdin,
# restart, shutdown; then checks that no kernel process is left. Prints one JSON line.
import json
import os
import signal
import sys
import time

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

loop = "while True:\n    pass" if py else "while (true) {}"
for how in ("message", "signal"):
    msg_id = kc.execute(loop)
    time.sleep(0.5)
    if how == "message":
        km.interrupt_kernel()
    else:
        os.kill(km.provisioner.process.pid, signal.SIGINT)
    reply = kc.get_shell_msg(timeout=20)
    assert reply["parent_header"]["msg_id"] == msg_id
    out[f"interrupt_{how}"] = {"status": reply["content"]["status"], "ename": reply["content"].get("ename")}
    reply, outputs = run("x + 1")
    out[f"after_{how}"] = result_text(outputs) or reply

# input() answered through stdin (allow_stdin=True)
code = "name = input('who? ')\nprint('hi ' + name)" if py else "const who = prompt('who? '); console.log('hi ' + who)"
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
