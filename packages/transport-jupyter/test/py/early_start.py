# Requests sent the moment a kernel starts, before it has loaded (the early bind answers
# kernel_info; anything else waits for the kernel): the first kernel_info_reply must equal one
# the loaded kernel gives, and an execute sent at once must run and be answered, in order with
# the requests after it. Prints one JSON line.
import json
import sys

import zmq
from jupyter_client.manager import KernelManager

name = sys.argv[1]
km = KernelManager(kernel_name=name)
km.start_kernel()
kc = km.client()
# Retry a refused connect every 2 ms, so the requests reach the kernel as soon as it binds.
kc.context.setsockopt(zmq.RECONNECT_IVL, 2)
kc.start_channels()
out = {}
first = kc.kernel_info()
code = "6 * 7" if name.endswith("python") else "6 * 7"
ex = kc.execute(code)
second = kc.kernel_info()
replies = {}
while len(replies) < 3:
    m = kc.get_shell_msg(timeout=60)
    replies[m["parent_header"]["msg_id"]] = m
order = [replies[i]["msg_type"] for i in (first, ex, second)]
out["order"] = order
out["first_equals_later"] = replies[first]["content"] == replies[second]["content"]
out["first"] = replies[first]["content"]
out["execute"] = {"status": replies[ex]["content"]["status"]}
# The execute's result on iopub.
result = None
while True:
    m = kc.get_iopub_msg(timeout=60)
    if m["parent_header"].get("msg_id") != ex:
        continue
    if m["msg_type"] == "execute_result":
        result = m["content"]["data"]["text/plain"]
    if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
        break
out["result"] = result
# A kernel_info now, from the loaded kernel, with busy/idle around it on iopub.
again = kc.kernel_info()
reply = kc.get_shell_msg(timeout=60)
states = []
while len(states) < 2:
    m = kc.get_iopub_msg(timeout=60)
    if m["parent_header"].get("msg_id") == again and m["msg_type"] == "status":
        states.append(m["content"]["execution_state"])
out["later_equals_first"] = reply["content"] == replies[first]["content"]
out["states"] = states
kc.stop_channels()
km.shutdown_kernel(now=False)
print(json.dumps(out), flush=True)
