// The kernelkit page: a small client of the wire protocol (PROTOCOL.md) over the browser's own
// WebSocket. It draws the notebook's cells (from the `notebook_info` extension), runs them,
// shows statuses and outputs live, and sends `set_inputs` from the inputs panel.

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
};

// Markdown cells render through markdown-it (served from this kernel, /vendor/markdown-it.min.js)
// with raw HTML off: a <script> or an onerror attribute in a cell is shown as text, never run,
// and javascript: links are refused by markdown-it's link check.
const markdown =
  typeof window.markdownit === "function" ? window.markdownit({ html: false, linkify: true }) : null;

function renderMarkdown(text) {
  const div = el("div", { class: "markdown-output" });
  if (markdown) div.innerHTML = markdown.render(text);
  else div.textContent = text;
  return div;
}

const token = new URLSearchParams(location.search).get("token") ?? "";
const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/?token=${encodeURIComponent(token)}`;

const TERMINAL = new Set(["done", "run_done", "error_reply"]);
let socket = null;
let counter = 0;
const pending = new Map(); // id -> { request, onFrame, resolve }
const cells = new Map(); // cellId -> { root, status, outputs, fresh }
let running = 0;

function isTerminal(request, frame) {
  if (TERMINAL.has(frame.type) || frame.type.endsWith("_reply")) return true;
  return frame.type === "graph" && request.type === "set_cells" && !request.run;
}

function request(type, fields = {}, onFrame) {
  const id = `p${++counter}`;
  const req = { id, type, ...fields };
  return new Promise((resolve, reject) => {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      reject(new Error("not connected"));
      return;
    }
    pending.set(id, { request: req, onFrame, resolve });
    socket.send(JSON.stringify(req));
  });
}

function setConnection(state, text) {
  const c = $("#connection");
  c.dataset.state = state;
  c.textContent = text;
  const open = state === "open";
  for (const b of document.querySelectorAll("#run-all, #interrupt, #scratch button")) b.disabled = !open;
}

// ---- outputs ----

function renderBundle(bundle) {
  const html = bundle["text/html"];
  if (typeof html === "string") {
    const div = el("div", { class: "html-output" });
    div.innerHTML = html; // the user's own kernel output; the page's CSP keeps scripts from running
    return div;
  }
  for (const mime of ["image/png", "image/jpeg", "image/gif", "image/webp"]) {
    if (typeof bundle[mime] === "string") {
      return el("img", { class: "image-output", src: `data:${mime};base64,${bundle[mime]}`, alt: mime });
    }
  }
  if (typeof bundle["image/svg+xml"] === "string") {
    return el("img", {
      class: "image-output",
      src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(bundle["image/svg+xml"])}`,
      alt: "image/svg+xml",
    });
  }
  if (typeof bundle["text/markdown"] === "string") return renderMarkdown(bundle["text/markdown"]);
  if (bundle["application/json"] !== undefined) {
    return el("pre", { class: "text-output", text: JSON.stringify(bundle["application/json"], null, 2) });
  }
  return el("pre", { class: "text-output", text: String(bundle["text/plain"] ?? "") });
}

/** Appends a frame's visible part to an outputs container. */
function appendOutput(container, frame) {
  switch (frame.type) {
    case "stdout":
    case "stderr": {
      const last = container.lastElementChild;
      if (last?.dataset.stream === frame.type) last.textContent += frame.data;
      else
        container.append(
          el("pre", { class: `stream ${frame.type}`, "data-stream": frame.type, text: frame.data }),
        );
      return;
    }
    case "display":
    case "result": {
      const wrap = el("div", { class: `output ${frame.type}`, "data-kind": frame.type });
      wrap.append(renderBundle(frame.bundle ?? {}));
      container.append(wrap);
      return;
    }
    case "error": {
      const lines = [
        `${frame.ename}: ${frame.evalue}`,
        ...(frame.traceback ?? []).filter((l) => !l.startsWith(`${frame.ename}:`)),
      ];
      container.append(el("pre", { class: "error", "data-code": frame.code ?? "", text: lines.join("\n") }));
      return;
    }
  }
}

// ---- cells ----

function setStatus(cell, status, runResult, skippedBy) {
  cell.root.dataset.status = status;
  if (runResult) cell.root.dataset.result = skippedBy ? "skipped" : runResult;
  cell.status.textContent =
    runResult && status === "idle" ? `idle · ${skippedBy ? `skipped by ${skippedBy}` : runResult}` : status;
  cell.status.dataset.status = status;
}

function renderCell(info) {
  const title = info.name ?? (info.type === "code" ? `cell ${info.id.slice(0, 8)}` : info.type);
  const root = el("article", {
    class: `cell ${info.type}`,
    "data-cell-id": info.id,
    "data-name": info.name ?? "",
  });
  const status = el("span", { class: "status", "data-status": "idle" });
  const head = el("header", { class: "cell-head" }, el("span", { class: "cell-name", text: title }), status);
  const outputs = el("div", { class: "outputs" });
  const cell = { root, status, outputs, fresh: false, type: info.type };
  if (info.type === "code") {
    const run = el("button", { type: "button", class: "run", text: "Run" });
    run.addEventListener("click", () => runCells([info.id]));
    head.append(run);
    if (info.disabled) head.append(el("span", { class: "tag", text: "disabled" }));
    root.append(head, el("pre", { class: "code", text: info.code }), outputs);
  } else {
    root.append(
      head,
      info.type === "markdown" ? renderMarkdown(info.code) : el("pre", { class: "code", text: info.code }),
    );
  }
  setStatus(cell, "idle", info.lastRun ?? undefined);
  if (!info.lastRun) {
    status.textContent = info.type === "code" ? "not run" : info.type;
  }
  for (const e of info.errors ?? [])
    outputs.append(el("pre", { class: "error", "data-code": e.code, text: `${e.name}: ${e.message}` }));
  cells.set(info.id, cell);
  return root;
}

function onCellFrame(frame) {
  const cell = cells.get(frame.cellId);
  if (!cell) return;
  if (frame.type === "cell_status") {
    if (frame.status === "queued") {
      cell.outputs.replaceChildren();
      cell.fresh = true;
    } else if (frame.status === "running" && !cell.fresh) {
      cell.outputs.replaceChildren();
    } else if (frame.status === "idle") {
      cell.fresh = false;
      delete cell.root.dataset.stale;
    }
    setStatus(cell, frame.status, frame.runResult, frame.skippedBy);
    return;
  }
  appendOutput(cell.outputs, frame);
}

function onRunDone(frame) {
  const results = Object.values(frame.cells ?? {});
  const failed = results.filter((r) => r !== "success").length;
  $("#last-run").textContent =
    `${frame.ok ? "ok" : "failed"}: ${results.length} cell(s)${failed ? `, ${failed} not successful` : ""}${frame.interrupted ? ", interrupted" : ""}`;
  $("#last-run").dataset.ok = String(frame.ok);
}

async function busy(promise) {
  running++;
  document.body.dataset.busy = "true";
  try {
    return await promise;
  } catch (error) {
    $("#last-run").textContent = String(error?.message ?? error);
  } finally {
    if (--running === 0) document.body.dataset.busy = "false";
  }
}

function runCells(ids) {
  return busy(request("run_cells", { cellIds: ids }).then(onRunDone));
}

// ---- watch: the file was saved (frames with id "watch:N", docs/watch.md) ----

function applyWatch(frame) {
  const container = $("#cells");
  for (const id of frame.deleted ?? []) {
    cells.get(id)?.root.remove();
    cells.delete(id);
  }
  for (const info of frame.cells ?? []) {
    const old = cells.get(info.id);
    const root = renderCell(info);
    // Changed cells are stale until their run reaches them.
    if (info.type === "code") root.dataset.stale = "true";
    if (old) old.root.replaceWith(root);
    else container.append(root);
  }
  // Appending a node that is already there moves it: this puts every cell in file order.
  for (const id of frame.order ?? []) {
    const c = cells.get(id);
    if (c) container.append(c.root);
  }
  container.querySelector(":scope > p.hint")?.remove();
  $("#last-run").textContent =
    `saved: ${frame.trigger === "module" ? "a module changed" : "the notebook changed"}…`;
}

function applyGraph(frame) {
  for (const g of frame.cells ?? []) {
    const cell = cells.get(g.id);
    if (!cell) continue;
    for (const e of cell.outputs.querySelectorAll("pre.error[data-static]")) e.remove();
    for (const e of g.errors ?? [])
      cell.outputs.append(
        el("pre", {
          class: "error",
          "data-static": "true",
          "data-code": e.code,
          text: `${e.name}: ${e.message}`,
        }),
      );
  }
}

function onUnsolicited(frame) {
  if (frame.type === "watch") {
    if (frame.event === "error") {
      $("#last-run").textContent = `${frame.error?.code}: ${frame.error?.message}`;
      $("#last-run").dataset.ok = "false";
    } else applyWatch(frame);
    return;
  }
  if (typeof frame.id !== "string" || !frame.id.startsWith("watch:")) return;
  if (frame.type === "graph") applyGraph(frame);
  else if (frame.type === "run_done") onRunDone(frame);
}

// ---- inputs ----

function parseValue(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function renderInputs(inputs) {
  const form = $("#inputs");
  form.replaceChildren();
  $("#no-inputs").hidden = inputs.length > 0;
  for (const input of inputs) {
    const field = el("input", {
      type: "text",
      name: input.name,
      "data-input": input.name,
      placeholder: "value",
    });
    if (input.value !== undefined)
      field.value = typeof input.value === "string" ? input.value : JSON.stringify(input.value);
    // Enter and leaving the field both send, but one value is sent once.
    let sent = field.value;
    const send = () => {
      if (field.value === sent) return;
      sent = field.value;
      return busy(
        request("set_inputs", { values: { [input.name]: parseValue(field.value) } }).then(onRunDone),
      );
    };
    field.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        send();
      }
    });
    field.addEventListener("change", send);
    form.append(
      el("label", { class: "input-row" }, el("span", { class: "input-name", text: input.name }), field),
    );
  }
}

// ---- connection ----

async function load() {
  const container = $("#cells");
  const reply = await request("notebook_info");
  container.replaceChildren();
  cells.clear();
  if (reply.type !== "notebook_info_reply") {
    container.append(
      el("p", {
        class: "hint",
        text: `This kernel does not describe its notebook (${reply.error?.message ?? reply.type}).`,
      }),
    );
    renderInputs([]);
    return;
  }
  $("#notebook").textContent = reply.path ? reply.path.split("/").pop() : "(no notebook)";
  if (reply.cells.length === 0)
    container.append(el("p", { class: "hint", text: "This kernel has no cells; use the scratch box." }));
  for (const info of reply.cells) container.append(renderCell(info));
  renderInputs(reply.inputs ?? []);
  $("#run-all").onclick = () => runCells([...cells].filter(([, c]) => c.type === "code").map(([id]) => id));
}

function connect() {
  setConnection("connecting", "connecting…");
  socket = new WebSocket(wsUrl);
  socket.addEventListener("open", () => {
    setConnection("open", "connected");
    load().catch((error) => setConnection("error", `error: ${error.message}`));
  });
  socket.addEventListener("message", (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame.cellId !== undefined && frame.cellId !== null && cells.has(frame.cellId)) onCellFrame(frame);
    const p = typeof frame.id === "string" ? pending.get(frame.id) : undefined;
    if (!p) {
      onUnsolicited(frame);
      return;
    }
    p.onFrame?.(frame);
    if (isTerminal(p.request, frame)) {
      pending.delete(frame.id);
      p.resolve(frame);
    }
  });
  socket.addEventListener("close", (event) => {
    setConnection("closed", `disconnected (${event.code}${event.reason ? `: ${event.reason}` : ""})`);
    for (const p of pending.values())
      p.resolve({
        type: "error_reply",
        id: p.request.id,
        error: { code: "CLOSED", message: "connection closed" },
      });
    pending.clear();
  });
}

$("#interrupt").addEventListener("click", () => {
  request("interrupt").catch(() => {});
});

$("#scratch").addEventListener("submit", (e) => {
  e.preventDefault();
  const out = $("#scratch-out");
  out.replaceChildren();
  const code = $("#scratch-code").value;
  busy(request("execute", { code }, (frame) => appendOutput(out, frame)));
});

if (!token) setConnection("closed", "no token in the address: open the URL the kernel printed");
else connect();
