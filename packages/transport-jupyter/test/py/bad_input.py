# Bad input on a live kernel: a message with a bad signature, malformed multipart frames and an
# unknown msg_type; the kernel must keep serving. Prints one JSON line.
import json
import sys
import time
import uuid

import zmq
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

name = sys.argv[1]
km, kc = start_new_kernel(kernel_name=name, startup_timeout=60)
out = {}
ctx = zmq.Context.instance()
shell = ctx.socket(zmq.DEALER)
shell.connect("tcp://%s:%d" % (km.ip, km.shell_port))
good = Session(key=km.session.key, signature_scheme="hmac-sha256")
bad = Session(key=b"not-the-key", signature_scheme="hmac-sha256")


def recv_reply(timeout=3.0):
    if shell.poll(int(timeout * 1000)):
        idents, msg = good.feed_identities(shell.recv_multipart())
        return good.deserialize(msg)
    return None


# 1. A bad signature: dropped (no reply, never executed).
bad.send(shell, bad.msg("execute_request", {"code": "globalThis.pwned = 1" if not name.endswith("python") else "pwned = 1", "silent": False}))
out["bad_signature_reply"] = recv_reply(1.5)
# 2. Malformed multipart messages.
shell.send_multipart([b"garbage"])
shell.send_multipart([b"<IDS|MSG>", b"sig"])
shell.send_multipart([b"<IDS|MSG>", b"", b"{not json", b"{}", b"{}", b"{}"])
# 3. An unknown msg_type: Jupyter's reply convention (status error), the kernel keeps going.
good.send(shell, good.msg("frobnicate_request", {}))
reply = recv_reply(5)
out["unknown"] = None if reply is None else {"msg_type": reply["msg_type"], "status": reply["content"]["status"]}
# Still serving: kernel_info and an execute through the regular client.
out["alive"] = kc.kernel_info(reply=True, timeout=10)["content"]["status"]
check = "typeof globalThis.pwned" if not name.endswith("python") else "'pwned' in globals()"
r = kc.execute_interactive(check, timeout=10, output_hook=lambda m: out.setdefault("check", m["content"].get("data", {}).get("text/plain")) if m["msg_type"] == "execute_result" else None)
shell.close(0)
km.shutdown_kernel(now=False)
print(json.dumps(out), flush=True)
