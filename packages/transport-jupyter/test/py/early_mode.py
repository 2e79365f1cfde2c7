# Two executes sent the moment a kernel starts, defining the same name in two cells: in reactive
# mode (the kernel's config) the second is an error, in sequential mode it is fine. Executes held
# while the kernel loads must run in the mode its config sets. Prints one JSON line.
import json
import sys

import zmq
from jupyter_client.manager import KernelManager

km = KernelManager(kernel_name=sys.argv[1])
km.start_kernel()
kc = km.client()
# Retry a refused connect every 2 ms, so the requests reach the kernel as soon as it binds.
kc.context.setsockopt(zmq.RECONNECT_IVL, 2)
kc.start_channels()
ids = [kc.execute("const a = 1"), kc.execute("const a = 2", stop_on_error=False)]
replies = {}
while len(replies) < 2:
    m = kc.get_shell_msg(timeout=60)
    replies[m["parent_header"]["msg_id"]] = m["content"]["status"]
kc.stop_channels()
km.shutdown_kernel(now=False)
print(json.dumps({"statuses": [replies[i] for i in ids]}), flush=True)
