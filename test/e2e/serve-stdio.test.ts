// `kernelkit serve --transport stdio` spoken to byte by byte (fd 0 in, fd 1 out): every request
// type, bad input, ordering, interrupts, input merging and frame hygiene.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.ts";
import { type Frame, isTerminal, type ServeSession, startServe } from "../helpers/serve.ts";

const sessions: ServeSession[] = [];
function serve(args: string[] = [], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const s = startServe(args, options);
  sessions.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForFile(path: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error(`${path} was never created`);
    await sleep(10);
  }
}

const terminal = (frames: Frame[]) => frames.filter((f) => isTerminal(f));

describe("serve --transport stdio: requests", () => {
  it("answers kernel_info with the protocol version and the kernel's parts", async () => {
    const s = serve();
    const [reply] = await s.request({ id: "k", type: "kernel_info" });
    expect(reply).toMatchObject({
      type: "kernel_info_reply",
      id: "k",
      protocolVersion: "1.1",
      implementation: { name: "kernelkit" },
      executor: { name: "default" },
      lifecycles: [],
      scheduler: "sequential",
      language: "javascript",
    });
  });

  it("execute: started, stdout, result, done; errors; silent; storeHistory counting", async () => {
    const s = serve();
    const ok = await s.request({ id: "1", type: "execute", code: "console.log('hi'); 6 * 7" });
    expect(ok.map((f) => f.type)).toEqual(["started", "stdout", "result", "done"]);
    expect(ok[1]).toMatchObject({ data: "hi\n" });
    expect(ok[2]).toMatchObject({ bundle: { "text/plain": "42" } });
    expect(ok[3]).toMatchObject({ status: "ok", executionCount: 1, cancelled: false });

    const err = await s.request({ id: "2", type: "execute", code: "null.x" });
    expect(err.map((f) => f.type)).toEqual(["started", "error", "done"]);
    expect(err[1]).toMatchObject({ ename: "TypeError" });
    expect(err[1]!.traceback).toBeInstanceOf(Array);
    expect(err[2]).toMatchObject({ status: "error", executionCount: 2, cancelled: false });

    const silent = await s.request({ id: "3", type: "execute", code: "1 + 1", silent: true });
    expect(silent.map((f) => f.type)).toEqual(["started", "done"]);
    expect(silent[1]).toMatchObject({ executionCount: 2 });
    const undef = await s.request({ id: "4", type: "execute", code: "const z = 1" });
    expect(undef.map((f) => f.type)).toEqual(["started", "done"]);
    const z = await s.request({ id: "5", type: "execute", code: "z + 1" });
    expect(z[1]).toMatchObject({ bundle: { "text/plain": "2" } });
  });

  it("set_cells (graph), set_cells run, run_cells, set_inputs, delete_cells", async () => {
    const s = serve();
    const g = await s.request({
      id: "s",
      type: "set_cells",
      cells: [
        { id: "a", code: "const a = 1" },
        { id: "b", code: "const b = a + k", name: "bee" },
      ],
    });
    expect(g).toHaveLength(1);
    expect(g[0]).toMatchObject({ type: "graph" });
    expect(g[0]!.cells).toEqual([
      { id: "a", defs: ["a"], refs: [], errors: [] },
      { id: "b", name: "bee", defs: ["b"], refs: ["a", "k"], errors: [] },
    ]);

    const inputs = await s.request({ id: "i", type: "set_inputs", values: { k: 10 } });
    const done = inputs.at(-1)!;
    expect(done).toMatchObject({ type: "run_done", ok: true, interrupted: false });
    expect(done.cells).toEqual({ a: "success", b: "success" });
    const statuses = inputs.filter((f) => f.type === "cell_status" && f.cellId === "b").map((f) => f.status);
    expect(statuses).toEqual(["queued", "running", "idle"]);

    const run = await s.request({ id: "r", type: "run_cells", cellIds: ["a"] });
    expect(run.at(-1)).toMatchObject({ type: "run_done", cells: { a: "success", b: "success" } });

    const withRun = await s.request({
      id: "sr",
      type: "set_cells",
      cells: [{ id: "c", code: "b * 2" }],
      run: true,
    });
    expect(withRun.map((f) => f.type)[0]).toBe("graph");
    expect(withRun.find((f) => f.type === "result")).toMatchObject({
      cellId: "c",
      bundle: { "text/plain": "22" },
    });
    expect(withRun.at(-1)).toMatchObject({ type: "run_done", cells: { c: "success" } });

    const del = await s.request({ id: "d", type: "delete_cells", cellIds: ["a"] });
    expect(del[0]).toMatchObject({ type: "graph" });
    expect((del[0]!.cells as { id: string }[]).map((c) => c.id)).toEqual(["b", "c"]);
    expect(del.at(-1)).toMatchObject({ type: "run_done", ok: false });
    expect((del.at(-1)!.cells as Record<string, string>).b).toBe("exception");

    const unknownCell = await s.request({ id: "u", type: "run_cells", cellIds: ["nope"] });
    expect(unknownCell).toEqual([
      expect.objectContaining({
        type: "error_reply",
        error: expect.objectContaining({ code: "INVALID_REQUEST" }),
      }),
    ]);
  });

  it("interrupt when idle answers interrupt_reply; shutdown answers shutdown_reply and exits 0", async () => {
    const s = serve();
    const [ir] = await s.request({ id: "i", type: "interrupt" });
    expect(ir).toMatchObject({ type: "interrupt_reply", id: "i" });
    const [sr] = await s.request({ id: "x", type: "shutdown" });
    expect(sr).toMatchObject({ type: "shutdown_reply", id: "x" });
    expect(await s.exited).toEqual({ code: 0, signal: null });
  });

  it("at end of input answers every request already received, then exits 0 (a piped file of requests)", async () => {
    const input = [
      { id: "1", type: "execute", code: "await new Promise((r) => setTimeout(r, 200)); 7" },
      { id: "2", type: "set_cells", cells: [{ id: "a", code: "const a = 5" }], run: true },
      { id: "3", type: "execute", code: "a * 2" },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n");
    const r = runCli(["serve"], { input });
    expect(r.code).toBe(0);
    const frames = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Frame);
    expect(frames.filter((f) => isTerminal(f)).map((f) => [f.id, f.type])).toEqual([
      ["1", "done"],
      ["2", "run_done"],
      ["3", "done"],
    ]);
    expect(frames.find((f) => f.id === "1" && f.type === "result")).toMatchObject({
      bundle: { "text/plain": "7" },
    });
    expect(frames.find((f) => f.id === "3" && f.type === "result")).toMatchObject({
      bundle: { "text/plain": "10" },
    });
  });

  it("ends at end of input also while a cell spins in a synchronous loop (a host that died)", async () => {
    const s = serve();
    s.send({ id: "spin", type: "execute", code: "while (true) {}" });
    await s.waitFor((f) => f.id === "spin" && f.type === "started");
    s.child.stdin.end();
    const exit = await s.exited;
    expect(exit.code).toBe(0);
    expect(s.framesOf("spin").at(-1)).toMatchObject({ type: "done", cancelled: true });
  });

  it("exits 0 at end of input and on SIGTERM, and on {type: exit} with no frame", async () => {
    const a = serve();
    await a.request({ id: "1", type: "kernel_info" });
    a.child.stdin.end();
    expect((await a.exited).code).toBe(0);

    const b = serve();
    await b.request({ id: "1", type: "kernel_info" });
    b.child.kill("SIGTERM");
    expect(await b.exited).toEqual({ code: 0, signal: null });

    const c = serve();
    await c.request({ id: "1", type: "kernel_info" });
    c.send({ type: "exit" });
    expect((await c.exited).code).toBe(0);
    expect(c.frames).toHaveLength(1);
  });
});

describe("serve --transport stdio: bad input never stops the kernel", () => {
  it("gives each bad input one coded answer and reads the next line normally", async () => {
    const s = serve();
    s.write("this is not json\n");
    s.write('{"id": "1", "type": "execute"}\n'); // missing code
    s.write('{"type": "execute", "code": "1"}\n'); // missing id
    s.write('{"id": 5, "type": "execute", "code": "1"}\n'); // ill-typed id
    s.write('{"id": "2", "type": "warp_drive"}\n');
    s.write("[1, 2, 3]\n");
    s.write('{"id": "3", "type": "set_inputs", "values": {"__proto__": {"polluted": 1}}}\n');
    s.write('{"id": "4", "type": "execute", "code": "({}).polluted === undefined && typeof __proto__"}\n');
    await s.waitFor((f) => f.id === "4" && f.type === "done");
    const f = s.frames;
    expect(f[0]).toMatchObject({ type: "protocol_error", id: null, error: { code: "INVALID_JSON" } });
    expect(f[1]).toMatchObject({ type: "error_reply", id: "1", error: { code: "INVALID_REQUEST" } });
    expect(String((f[1]!.error as { message: string }).message)).toContain("'code'");
    expect(f[2]).toMatchObject({ type: "error_reply", id: null, error: { code: "INVALID_REQUEST" } });
    expect(String((f[2]!.error as { message: string }).message)).toContain("'id'");
    expect(f[3]).toMatchObject({ type: "error_reply", id: null, error: { code: "INVALID_REQUEST" } });
    expect(f[4]).toMatchObject({ type: "error_reply", id: "2", error: { code: "UNKNOWN_COMMAND" } });
    expect(f[5]).toMatchObject({ type: "error_reply", id: null, error: { code: "INVALID_REQUEST" } });
    expect(s.framesOf("3").at(-1)).toMatchObject({ type: "run_done" });
    expect(s.framesOf("4").find((x) => x.type === "result")).toMatchObject({
      bundle: { "text/plain": "'object'" },
    });
    expect(s.garbage).toEqual([]);
  });

  it("skips a line over the frame limit (default 16 MiB) up to its newline with FRAME_TOO_LARGE", async () => {
    const s = serve();
    const huge = `{"id":"big","type":"execute","code":"${"x".repeat(16 * 1024 * 1024 + 10)}"}\n`;
    s.write(huge);
    s.write('{"id":"after","type":"execute","code":"1 + 2"}\n');
    const after = await s.waitFor((f) => f.id === "after" && f.type === "done", 60_000);
    expect(after).toMatchObject({ status: "ok" });
    expect(s.frames[0]).toMatchObject({
      type: "protocol_error",
      id: null,
      error: { code: "FRAME_TOO_LARGE" },
    });
    expect(s.framesOf("big")).toEqual([]);
  });

  it("honours a configured frame limit (KERNELKIT_MAX_FRAME_BYTES)", async () => {
    const s = serve([], { env: { KERNELKIT_MAX_FRAME_BYTES: "100" } });
    s.write(
      `{"id":"big","type":"execute","code":"${"1+".repeat(100)}1"}\n{"id":"ok","type":"execute","code":"3"}\n`,
    );
    await s.waitFor((f) => f.id === "ok" && f.type === "done");
    expect(s.frames[0]).toMatchObject({ type: "protocol_error", error: { code: "FRAME_TOO_LARGE" } });
  });

  it("reassembles a request split across writes and separates two requests in one write", async () => {
    const s = serve();
    const line = JSON.stringify({ id: "split", type: "execute", code: "'é' + '世界'" });
    const bytes = Buffer.from(`${line}\n`);
    const cut = bytes.indexOf(Buffer.from("世")) + 1; // inside a multi-byte character
    s.child.stdin.write(bytes.subarray(0, cut));
    await sleep(150);
    s.child.stdin.write(bytes.subarray(cut));
    const frames = await Promise.all([s.waitFor((f) => f.id === "split" && f.type === "done")]);
    expect(frames[0]).toMatchObject({ status: "ok" });
    expect(s.framesOf("split").find((f) => f.type === "result")).toMatchObject({
      bundle: { "text/plain": "'é世界'" },
    });
    s.write(
      `${JSON.stringify({ id: "a", type: "execute", code: "1" })}\n${JSON.stringify({ id: "b", type: "execute", code: "2" })}\n`,
    );
    await s.waitFor((f) => f.id === "b" && f.type === "done");
    expect(s.framesOf("a").at(-1)).toMatchObject({ type: "done", status: "ok" });
  });

  it("a burst of 500 mixed requests: exactly one terminal frame each, in order", async () => {
    const s = serve();
    const requests: Record<string, unknown>[] = [];
    for (let i = 0; i < 500; i++) {
      const id = `r${i}`;
      switch (i % 5) {
        case 0:
          requests.push({ id, type: "execute", code: `${i} * 2` });
          break;
        case 1:
          requests.push({ id, type: "execute", code: "throw new Error('no')" });
          break;
        case 2:
          requests.push({ id, type: "set_cells", cells: [{ id: `c${i}`, code: `const v${i} = ${i}` }] });
          break;
        case 3:
          requests.push({ id, type: "no_such_command" });
          break;
        default:
          requests.push({ id, type: "execute" }); // invalid: no code
      }
    }
    s.write(requests.map((r) => `${JSON.stringify(r)}\n`).join(""));
    await s.waitFor((f) => f.id === "r499" && isTerminal(f), 60_000);
    await s.request({ id: "last", type: "kernel_info" });
    const terminals = s.frames.filter(
      (f) =>
        f.id !== "last" &&
        (isTerminal(f) || (f.type === "graph" && !s.framesOf(f.id!).some((x) => isTerminal(x)))),
    );
    expect(terminals.map((f) => f.id)).toEqual(requests.map((r) => r.id));
    const byType = terminals.map((f) => f.type);
    expect(byType.slice(0, 5)).toEqual(["done", "done", "graph", "error_reply", "error_reply"]);
    expect(s.frames.find((f) => f.id === "r0" && f.type === "result")).toMatchObject({
      bundle: { "text/plain": "0" },
    });
  });
});

describe("serve --transport stdio: interrupts", () => {
  it("SIGINT stops a synchronous loop before and after an await; the kernel and its scope survive", async () => {
    const dir = tempDir();
    const s = serve();
    await s.request({ id: "keep", type: "execute", code: "const keep = 42" });

    const m1 = join(dir, "m1");
    s.send({
      id: "sync",
      type: "execute",
      code: `require("node:fs").writeFileSync(${JSON.stringify(m1)}, ""); while (true) {}`,
    });
    await waitForFile(m1);
    s.child.kill("SIGINT");
    const d1 = await s.waitFor((f) => f.id === "sync" && f.type === "done");
    expect(d1).toMatchObject({ status: "error", cancelled: true });
    expect(s.framesOf("sync").find((f) => f.type === "error")).toMatchObject({
      ename: "Interrupted",
      code: "KK_INTERRUPTED",
    });

    const m2 = join(dir, "m2");
    s.send({
      id: "async",
      type: "execute",
      code: `await new Promise((r) => setTimeout(r, 20)); require("node:fs").writeFileSync(${JSON.stringify(m2)}, ""); for (;;) {}`,
    });
    await waitForFile(m2);
    s.child.kill("SIGINT");
    const d2 = await s.waitFor((f) => f.id === "async" && f.type === "done");
    expect(d2).toMatchObject({ status: "error", cancelled: true });
    expect(s.framesOf("async").find((f) => f.type === "error")).toMatchObject({ code: "KK_INTERRUPTED" });

    const after = await s.request({ id: "after", type: "execute", code: "keep + 1" });
    expect(after.find((f) => f.type === "result")).toMatchObject({ bundle: { "text/plain": "43" } });
    expect(s.child.exitCode).toBeNull();
  });

  it("the interrupt request stops a synchronous loop (read while the main thread is stuck)", async () => {
    const dir = tempDir();
    const s = serve();
    const m = join(dir, "m");
    s.send({
      id: "loop",
      type: "execute",
      code: `const fs = require("node:fs"); fs.writeFileSync(${JSON.stringify(m)}, ""); let n = 0; while (true) { n++ }`,
    });
    await waitForFile(m);
    s.send({ id: "int", type: "interrupt" });
    const done = await s.waitFor((f) => f.id === "loop" && f.type === "done");
    expect(done).toMatchObject({ cancelled: true, status: "error" });
    expect(await s.waitFor((f) => f.id === "int")).toMatchObject({ type: "interrupt_reply" });
    const next = await s.request({ id: "n", type: "execute", code: "'alive'" });
    expect(next.find((f) => f.type === "result")).toMatchObject({ bundle: { "text/plain": "'alive'" } });
  });

  it("an interrupt sent right behind its execute still stops the loop", async () => {
    const s = serve();
    await s.request({ id: "warm", type: "kernel_info" });
    s.write(
      `${JSON.stringify({ id: "loop", type: "execute", code: "while (true) {}" })}\n${JSON.stringify({ id: "int", type: "interrupt" })}\n`,
    );
    const done = await s.waitFor((f) => f.id === "loop" && f.type === "done");
    expect(done).toMatchObject({ cancelled: true });
    await s.waitFor((f) => f.id === "int" && f.type === "interrupt_reply");
  });

  it("started reaches the client while a synchronous loop blocks the kernel; then the interrupt request stops it", async () => {
    const s = serve();
    s.send({ id: "loop", type: "execute", code: "for (;;) {}" });
    await s.waitFor((f) => f.id === "loop" && f.type === "started");
    s.send({ id: "int", type: "interrupt" });
    expect(await s.waitFor((f) => f.id === "loop" && f.type === "done")).toMatchObject({ cancelled: true });
  });

  it("execute timeoutMs interrupts a synchronous loop by itself", async () => {
    const s = serve();
    const frames = await s.request({ id: "t", type: "execute", code: "while (true) {}", timeoutMs: 200 });
    expect(frames.at(-1)).toMatchObject({ type: "done", cancelled: true });
    expect(frames.find((f) => f.type === "error")).toMatchObject({ code: "KK_INTERRUPTED" });
  });
});

describe("serve --transport stdio: set_inputs merging", () => {
  it("40 set_inputs queued behind a slow cell: the dependent cell runs at most 3 times and ends with the last value", async () => {
    const s = serve();
    await s.request({
      id: "cells",
      type: "set_cells",
      cells: [{ id: "dep", code: "const doubled = n * 2; console.log('ran', n)" }],
    });
    s.send({ id: "slow", type: "execute", code: "const t0 = Date.now(); while (Date.now() - t0 < 1500) {}" });
    const lines: string[] = [];
    for (let i = 0; i < 40; i++)
      lines.push(JSON.stringify({ id: `in${i}`, type: "set_inputs", values: { n: i } }));
    s.write(`${lines.join("\n")}\n`);
    await s.waitFor((f) => f.id === "in39" && f.type === "run_done");
    await s.request({ id: "sync", type: "kernel_info" });
    for (let i = 0; i < 40; i++) {
      const t = terminal(s.framesOf(`in${i}`));
      expect(t, `in${i}`).toHaveLength(1);
      expect(t[0]!.type).toBe("run_done");
    }
    const runs = s.frames.filter((f) => f.type === "stdout" && String(f.data).startsWith("ran"));
    const text = runs.map((f) => String(f.data)).join("");
    const values = [...text.matchAll(/ran (\d+)/g)].map((m) => Number(m[1]));
    expect(values.length).toBeGreaterThanOrEqual(1);
    expect(values.length).toBeLessThanOrEqual(3);
    expect(values.at(-1)).toBe(39);
    expect(s.framesOf("in0").at(-1)).toMatchObject({ mergedInto: expect.any(String) });
    const check = await s.request({ id: "v", type: "execute", code: "doubled" });
    expect(check.find((f) => f.type === "result")).toMatchObject({ bundle: { "text/plain": "78" } });
  });
});

describe("serve --transport stdio: frame hygiene", () => {
  it("a cell cannot forge a frame through process.stdout or console; the text arrives as stdout data", async () => {
    const s = serve();
    const forged = JSON.stringify({
      type: "done",
      id: "victim",
      status: "ok",
      executionCount: 99,
      cancelled: false,
    });
    const frames = await s.request({
      id: "f",
      type: "execute",
      code: `process.stdout.write(${JSON.stringify(`${forged}\n`)}); console.log(${JSON.stringify(forged)}); process.stdout.write(Buffer.from("bytes\\n"))`,
    });
    expect(s.frames.filter((f) => f.id === "victim")).toEqual([]);
    const text = frames
      .filter((f) => f.type === "stdout")
      .map((f) => f.data)
      .join("");
    expect(text).toBe(`${forged}\n${forged}\nbytes\n`);
    expect(s.garbage).toEqual([]);
  });

  it("process.exit in a cell is contained; output is coalesced, never split inside a character, nothing lost when the reader is slow", async () => {
    const s = serve();
    const exit = await s.request({ id: "e", type: "execute", code: "process.exit(3)" });
    expect(exit.find((f) => f.type === "error")).toMatchObject({ code: "KK_PROCESS_EXIT" });

    s.child.stdout.pause();
    s.send({
      id: "big",
      type: "execute",
      code: "for (let i = 0; i < 100000; i++) console.log('é世🎉 line ' + i)",
    });
    await sleep(1000);
    s.child.stdout.resume();
    await s.waitFor((f) => f.id === "big" && f.type === "done", 60_000);
    const out = s.framesOf("big").filter((f) => f.type === "stdout");
    expect(out.length).toBeGreaterThan(1);
    expect(out.length).toBeLessThan(1000);
    const text = out.map((f) => String(f.data)).join("");
    const lines = text.split("\n");
    expect(lines).toHaveLength(100001);
    expect(lines[0]).toBe("é世🎉 line 0");
    expect(lines[99999]).toBe("é世🎉 line 99999");
    expect(text).not.toContain("\ufffd");
  });

  it("logs go to stderr, never between frames", async () => {
    const s = serve([], { env: { KERNELKIT_LOG_LEVEL: "debug" } });
    await s.request({ id: "1", type: "execute", code: "1" });
    s.child.stdin.end();
    await s.exited;
    expect(s.garbage).toEqual([]);
  });

  it("a startup error (unknown executor) is one coded line on stderr, nothing on the frame channel, exit 2", async () => {
    const s = serve(["--executor", "no-such-executor"]);
    const { code } = await s.exited;
    expect(code).toBe(2);
    expect(s.stderr()).toMatch(/KK_[A-Z_]+/);
    expect(s.frames).toEqual([]);
    expect(s.garbage).toEqual([]);
  });

  it("starts with a notebook's cells, running in the notebook's folder", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nb.ts"), "// %% base\nconst base = 20;\n\n// %% twice\nbase * 2\n");
    const s = serve([join(dir, "nb.ts")]);
    const frames = await s.request({ id: "r", type: "run_cells", cellIds: ["base"] });
    expect(frames.find((f) => f.type === "result")).toMatchObject({
      cellId: "twice",
      bundle: { "text/plain": "40" },
    });
    const cwd = await s.request({ id: "c", type: "execute", code: "process.cwd()" });
    expect(
      String((cwd.find((f) => f.type === "result")!.bundle as Record<string, string>)["text/plain"]),
    ).toContain(dir);
  });

  it("refuses a --channel-fd that is not open, with a coded error and exit 2", async () => {
    const s = serve(["--channel-fd", "57"]);
    const { code } = await s.exited;
    expect(code).toBe(2);
    expect(s.stderr()).toContain("KK_USAGE");
    expect(s.frames).toEqual([]);
  });
});
