// The floor of bench/jupyter's round trip: the least a kernel can do for jupyter_client's
// execute — one thread, zeromq sockets, signed messages, and for every execute_request the same
// five messages a real kernel sends (status busy, execute_input, execute_result "2",
// execute_reply, status idle), evaluating nothing. What it measures is jupyter_client's own cost
// plus ZeroMQ's; no kernel can beat it. Started from a kernelspec: `node jupyter-floor-kernel.mjs
// CONNECTION_FILE`.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { REPO } from "./lib/kernel-process.mjs";

// zeromq is the Jupyter transport's dependency, not the repository root's.
const require = createRequire(join(REPO, "packages", "transport-jupyter", "package.json"));
const zmq = require("zeromq");

const info = JSON.parse(readFileSync(process.argv[2], "utf8"));
const key = Buffer.from(info.key ?? "");
const session = randomUUID();
const DELIM = Buffer.from("<IDS|MSG>");
const at = (port) => `${info.transport}://${info.ip}:${port}`;

const shell = new zmq.Router();
const control = new zmq.Router();
const iopub = new zmq.Publisher();
const hb = new zmq.Reply();
await shell.bind(at(info.shell_port));
await control.bind(at(info.control_port));
await iopub.bind(at(info.iopub_port));
await hb.bind(at(info.hb_port));
const stdin = new zmq.Router();
await stdin.bind(at(info.stdin_port));
for (const s of [shell, control, iopub, hb, stdin]) s.linger = 0;

function frames(ids, type, parent, content, metadata = {}) {
  const header = {
    msg_id: randomUUID(),
    msg_type: type,
    session,
    username: "kernel",
    date: new Date().toISOString(),
    version: "5.3",
  };
  const parts = [header, parent, metadata, content].map((p) => Buffer.from(JSON.stringify(p)));
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return [...ids, DELIM, Buffer.from(key.length ? h.digest("hex") : ""), ...parts];
}

/** One send at a time per socket. */
function queue(socket) {
  const q = [];
  let busy = false;
  return async function push(f) {
    q.push(f);
    if (busy) return;
    busy = true;
    while (q.length) await socket.send(q.shift());
    busy = false;
  };
}
const pub = queue(iopub);
const sendShell = queue(shell);
const sendControl = queue(control);
let count = 0;

(async () => {
  for await (const f of hb) await hb.send(f);
})();

async function serve(socket, send) {
  for await (const f of socket) {
    const d = f.findIndex((b) => b.equals(DELIM));
    const ids = f.slice(0, d);
    const header = JSON.parse(f[d + 2].toString());
    const content = JSON.parse(f[d + 5].toString());
    const type = header.msg_type;
    const topic = (t) => [Buffer.from(`kernel.${session}.${t}`)];
    pub(frames(topic("status"), "status", header, { execution_state: "busy" }));
    if (type === "execute_request") {
      count++;
      pub(
        frames(topic("execute_input"), "execute_input", header, {
          code: content.code,
          execution_count: count,
        }),
      );
      pub(
        frames(topic("execute_result"), "execute_result", header, {
          execution_count: count,
          data: { "text/plain": "2" },
          metadata: {},
        }),
      );
      send(
        frames(ids, "execute_reply", header, {
          status: "ok",
          execution_count: count,
          user_expressions: {},
          payload: [],
        }),
      );
    } else if (type === "kernel_info_request") {
      send(
        frames(ids, "kernel_info_reply", header, {
          status: "ok",
          protocol_version: "5.3",
          implementation: "floor",
          implementation_version: "0",
          language_info: { name: "javascript", version: "", mimetype: "", file_extension: ".js" },
          banner: "",
          help_links: [],
        }),
      );
    } else if (type === "shutdown_request") {
      send(frames(ids, "shutdown_reply", header, { status: "ok", restart: content.restart === true }));
      pub(frames(topic("status"), "status", header, { execution_state: "idle" }));
      setTimeout(() => {
        for (const s of [shell, control, iopub, hb, stdin]) s.close();
        process.exit(0);
      }, 50);
      continue;
    } else if (type.endsWith("_request")) {
      send(frames(ids, type.replace(/_request$/, "_reply"), header, { status: "ok" }));
    }
    pub(frames(topic("status"), "status", header, { execution_state: "idle" }));
  }
}
serve(shell, sendShell);
serve(control, sendControl);
