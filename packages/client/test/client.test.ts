// KernelClient against real kernel subprocesses (`kernelkit serve --transport stdio --channel-fd 3`).
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO, tempDir } from "../../../test/helpers/cli.ts";
import { processExists } from "../../../test/helpers/serve.ts";
import { KernelClient, KernelClientError } from "../src/index.ts";

const clients: KernelClient[] = [];
async function start(options: Parameters<typeof KernelClient.start>[0] = {}) {
  const k = await KernelClient.start({ cwd: REPO, ...options });
  clients.push(k);
  return k;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((k) => k.shutdown({ timeoutMs: 500 })));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Pids whose process group is `pgid` (Linux /proc). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe("KernelClient.start and execute", () => {
  it("runs code, streams chunks and bundles in order, and reports errors in the client's shape", async () => {
    const k = await start();
    expect(k.isAlive()).toBe(true);
    expect(k.info).toMatchObject({ type: "kernel_info_reply", protocolVersion: "1.1" });
    const chunks: string[] = [];
    const bundles: [string, Record<string, unknown>][] = [];
    const r = await k.execute("console.log('one'); display({ a: 1 }); console.error('two'); 40 + 2", {
      onChunk: (t) => chunks.push(t),
      onDisplay: (b, kind) => bundles.push([kind, b]),
    });
    expect(r).toEqual({
      status: "ok",
      executionCount: 1,
      cancelled: false,
      timedOut: false,
      kernelKilled: false,
    });
    expect(chunks.join("")).toBe("one\n{ a: 1 }\ntwo\n42\n");
    expect(bundles.map(([kind]) => kind)).toEqual(["display", "result"]);
    expect(bundles[1]![1]["text/plain"]).toBe("42");

    const e = await k.execute("function f() { throw new TypeError('bad ' + 1) }\nf()");
    expect(e.status).toBe("error");
    expect(e.cancelled).toBe(false);
    expect(e.error).toMatchObject({ name: "TypeError", value: "bad 1" });
    expect(e.error!.traceback.join("\n")).toContain("TypeError: bad 1");
    expect(e.executionCount).toBe(2);
  });

  it("starts a kernel on a notebook (resolved from cwd) whose cells request() can run", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "nb.ts"), "// %% a\nconst a = 2;\n\n// %% b\na * 21\n");
    const k = await start({ cwd: dir, notebook: "nb.ts" });
    const frames: { type: string; cellId?: unknown; bundle?: unknown }[] = [];
    const done = await k.request({ type: "run_cells", cellIds: ["a"] }, { onFrame: (f) => frames.push(f) });
    expect(done).toMatchObject({ type: "run_done", ok: true, cells: { a: "success", b: "success" } });
    expect(frames.find((f) => f.type === "result")).toMatchObject({
      cellId: "b",
      bundle: { "text/plain": "42" },
    });
  });

  it("launches the kernel with a capped young generation, which steady allocation cannot grow", async () => {
    const k = await start();
    let mib = Number.NaN;
    const r = await k.execute(
      [
        'import { getHeapSpaceStatistics } from "node:v8";',
        "let _keep = [];",
        "for (let i = 0; i < 2e7; i++) { _keep.push({ i }); if (_keep.length > 2000) _keep = []; }",
        'getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size / 2 ** 20',
      ].join("\n"),
      { onDisplay: (bundle) => void (mib = Number(bundle["text/plain"])) },
    );
    expect(r.status).toBe("ok");
    // V8's default lets it grow to 32 MiB; KERNEL_NODE_FLAGS caps each semi-space at 4 MiB
    expect(mib).toBeGreaterThan(0);
    expect(mib).toBeLessThanOrEqual(8);
  });

  it("serialises executions: a second execute waits for the first", async () => {
    const k = await start();
    const order: string[] = [];
    const a = k.execute("await new Promise((r) => setTimeout(r, 200)); 'a'", {
      onChunk: (t) => order.push(t),
    });
    const b = k.execute("'b'", { onChunk: (t) => order.push(t) });
    const [ra, rb] = await Promise.all([a, b]);
    expect(order).toEqual(["'a'\n", "'b'\n"]);
    expect([ra.executionCount, rb.executionCount]).toEqual([1, 2]);
  });

  it("request() sends any protocol request and shows every frame", async () => {
    const k = await start();
    const graph = await k.request({
      type: "set_cells",
      cells: [
        { id: "x", code: "const x = 2" },
        { id: "y", code: "x * 21" },
      ],
    });
    expect(graph).toMatchObject({ type: "graph" });
    // With `run`, the graph is not the answer: the run's run_done is.
    const ran = await k.request({ type: "set_cells", cells: [{ id: "z", code: "x + 1" }], run: true });
    expect(ran).toMatchObject({ type: "run_done", ok: true, cells: { z: "success" } });
    const frames: string[] = [];
    const done = await k.request(
      { type: "run_cells", cellIds: ["x"] },
      { onFrame: (f) => frames.push(f.type) },
    );
    expect(done).toMatchObject({ type: "run_done", ok: true, cells: { x: "success", y: "success" } });
    expect(frames).toContain("result");
    expect(frames.at(-1)).toBe("run_done");
    const bad = await k.request({ type: "execute" });
    expect(bad).toMatchObject({ type: "error_reply", error: { code: "INVALID_REQUEST" } });
    await expect(k.request({ type: "exit" })).rejects.toMatchObject({ code: "KK_USAGE" });
  });

  it("timeoutMs interrupts a synchronous loop; the kernel and its scope stay", async () => {
    const k = await start();
    await k.execute("const keep = 'kept'");
    const r = await k.execute("while (true) {}", { timeoutMs: 300 });
    expect(r).toMatchObject({ status: "error", cancelled: true, timedOut: true, kernelKilled: false });
    expect(r.error).toMatchObject({ name: "Interrupted", code: "KK_INTERRUPTED" });
    const chunks: string[] = [];
    await k.execute("keep", { onChunk: (t) => chunks.push(t) });
    expect(chunks).toEqual(["'kept'\n"]);
  });

  it("an aborted signal interrupts; interrupt() stops a loop after an await", async () => {
    const k = await start();
    const ac = new AbortController();
    const p = k.execute("await null; for (;;) {}", { signal: ac.signal });
    await sleep(300);
    ac.abort();
    expect(await p).toMatchObject({ cancelled: true, timedOut: false, kernelKilled: false });

    const dir = tempDir();
    const m = join(dir, "m");
    const q = k.execute(
      `await new Promise((r) => setTimeout(r, 10)); require("node:fs").writeFileSync(${JSON.stringify(m)}, ""); while (true) {}`,
    );
    await waitFor(() => existsSync(m), 20_000, "the cell to start");
    await k.interrupt();
    expect(await q).toMatchObject({ status: "error", cancelled: true });
    expect(k.isAlive()).toBe(true);
  });
});

describe("KernelClient: the kernel dies or must be killed", () => {
  it("process.kill(process.pid, 'SIGKILL') in a cell settles every pending execution with kernelKilled", async () => {
    const k = await start();
    const chunks: string[][] = [[], [], []];
    const first = k.execute("process.kill(process.pid, 'SIGKILL')", { onChunk: (t) => chunks[0]!.push(t) });
    const second = k.execute("1", { onChunk: (t) => chunks[1]!.push(t) });
    const third = k.execute("2", { onChunk: (t) => chunks[2]!.push(t) });
    const results = await Promise.all([first, second, third]);
    for (const [i, r] of results.entries()) {
      expect(r).toMatchObject({ status: "error", cancelled: true, kernelKilled: true, timedOut: false });
      expect(chunks[i]!.join("")).toContain("the kernel exited with signal SIGKILL");
    }
    expect(k.isAlive()).toBe(false);
    await expect(k.execute("3")).rejects.toMatchObject({ code: "KK_KERNEL_NOT_RUNNING" });
    await expect(k.request({ type: "kernel_info" })).rejects.toBeInstanceOf(KernelClientError);
  });

  it("a cell ignoring SIGINT (blocked in execSync('sleep 30')) is killed after the grace, with its grandchild", async () => {
    const k = await start({ escalationGraceMs: 1000 });
    const pid = k.pid!;
    const started = Date.now();
    const chunks: string[] = [];
    const p = k.execute("require('node:child_process').execSync('sleep 30')", {
      timeoutMs: 300,
      onChunk: (t) => chunks.push(t),
    });
    await waitFor(() => groupMembers(pid).length >= 2, 20_000, "the sleep grandchild");
    const r = await p;
    expect(r).toMatchObject({ status: "error", cancelled: true, timedOut: true, kernelKilled: true });
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(chunks.join("")).toMatch(/the kernel exited/);
    await waitFor(() => groupMembers(pid).length === 0, 5000, "the group to be gone");
    expect(processExists(pid)).toBe(false);
  });

  it("a 1 ms startup deadline fails cleanly and leaves no process behind", async () => {
    const marker = `kk-deadline-${process.pid}-${Date.now()}`;
    const err = await KernelClient.start({
      cwd: REPO,
      deadlineMs: Date.now() + 1,
      env: { KK_TEST_MARK: marker },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelClientError);
    expect((err as KernelClientError).code).toBe("KK_KERNEL_START");
    expect((err as Error).message).toMatch(/deadline/);
    // Spawned but not ready in time: the process (and its group) must be gone.
    const err2 = (await KernelClient.start({ cwd: REPO, deadlineMs: Date.now() + 30 }).catch(
      (e: unknown) => e,
    )) as KernelClientError;
    expect(err2.code).toBe("KK_KERNEL_START");
    expect(err2.pid).toBeTypeOf("number");
    expect(processExists(err2.pid!)).toBe(false);
    expect(groupMembers(err2.pid!)).toEqual([]);
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      let env = "";
      try {
        env = readFileSync(`/proc/${name}/environ`, "utf8");
      } catch {
        continue;
      }
      expect(env.includes(marker), `process ${name} carries the marker`).toBe(false);
    }
  });

  it("a kernel that fails to start is reported with its exit code and last stderr lines", async () => {
    const err = (await KernelClient.start({
      cwd: REPO,
      command: [process.execPath, "-e", "console.error('boom: no config'); process.exit(3)"],
    }).catch((e: unknown) => e)) as KernelClientError;
    expect(err.code).toBe("KK_KERNEL_START");
    expect(err.message).toContain("exited with code 3");
    expect(err.message).toContain("boom: no config");

    const missing = (await KernelClient.start({ cwd: REPO, command: ["/no/such/kernel"] }).catch(
      (e: unknown) => e,
    )) as KernelClientError;
    expect(missing.code).toBe("KK_KERNEL_UNAVAILABLE");
  });

  it("shutdown is confirmed when the exit is seen; the kernel's group is gone", async () => {
    const k = await KernelClient.start({ cwd: REPO });
    const pid = k.pid!;
    await k.execute("require('node:child_process').spawn('sleep', ['30'], { stdio: 'ignore' }); 1");
    await waitFor(() => groupMembers(pid).length >= 2, 10_000, "the spawned sleep");
    const { confirmed } = await k.shutdown();
    expect(confirmed).toBe(true);
    expect(k.isAlive()).toBe(false);
    await waitFor(() => groupMembers(pid).length === 0, 5000, "the group to be gone");
  });

  it("a kernel exits when its host dies (end of its channel)", async () => {
    const host = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { KernelClient } = await import("@kernelkit/client"); const k = await KernelClient.start({ cwd: ${JSON.stringify(REPO)} }); console.log(k.pid); setInterval(() => {}, 1000);`,
      ],
      { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    host.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    await waitFor(() => /\d+\n/.test(out), 20_000, "the host to start a kernel");
    const pid = Number(out.trim());
    expect(processExists(pid)).toBe(true);
    host.kill("SIGKILL");
    await waitFor(() => !processExists(pid), 10_000, "the orphaned kernel to exit");
  });
});

describe("KernelClient: the frame channel", () => {
  it("a child process writing to the inherited fd 1 cannot forge a frame; its text arrives as a chunk", async () => {
    const k = await start();
    // kk-2 is the id of this execute (kk-1 was the handshake): a forged frame would end it early.
    const forged = JSON.stringify({
      type: "done",
      id: "kk-2",
      status: "ok",
      executionCount: 99,
      cancelled: false,
    });
    const chunks: string[] = [];
    const r = await k.execute(
      `require("node:child_process").spawnSync(process.execPath, ["-e", ${JSON.stringify(
        `require("fs").writeSync(1, ${JSON.stringify(`${forged}
`)})`,
      )}], { stdio: "inherit" }); await new Promise((r) => setTimeout(r, 200)); 'after'`,
      { onChunk: (t) => chunks.push(t) },
    );
    expect(r, JSON.stringify(r.error)).toMatchObject({ status: "ok", executionCount: 1 });
    expect(chunks.join("")).toContain(forged);
    expect(chunks.at(-1)).toBe("'after'\n");
  });

  it("a cell reading stdin gets end-of-file", async () => {
    const k = await start();
    const chunks: string[] = [];
    const r = await k.execute("JSON.stringify(require('node:fs').readFileSync(0, 'utf8'))", {
      onChunk: (t) => chunks.push(t),
    });
    expect(r.status).toBe("ok");
    expect(chunks).toEqual([`'""'\n`]);
  });

  it("checkAvailability says whether a kernel can be started, without starting one", () => {
    expect(KernelClient.checkAvailability({ cwd: REPO })).toEqual({ ok: true });
    const missing = KernelClient.checkAvailability({ cwd: "/no/such/dir" });
    expect(missing.ok).toBe(false);
    expect(missing.reason).toContain("/no/such/dir");
    expect(KernelClient.checkAvailability({ command: ["no-such-kernel-binary-xyz"] }).ok).toBe(false);
  });

  it("drives a foreign kernel command that speaks the protocol on KERNELKIT_CHANNEL_FD", async () => {
    const dir = tempDir();
    const script = join(dir, "echo-kernel.mjs");
    writeFileSync(
      script,
      `import { Socket } from "node:net";
const fd = Number(process.env.KERNELKIT_CHANNEL_FD);
const s = new Socket({ fd, readable: true, writable: true });
let buf = "";
s.setEncoding("utf8");
s.on("data", (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf("\\n")) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    const req = JSON.parse(line);
    const send = (f) => s.write(JSON.stringify({ id: req.id, ...f }) + "\\n");
    if (req.type === "exit") process.exit(0);
    if (req.type === "kernel_info") send({ type: "kernel_info_reply", protocolVersion: "1", implementation: { name: "echo", version: "0" } });
    else if (req.type === "execute") { s.write("not json at all\\n"); s.write(JSON.stringify({ type: "stdout", id: "someone-else", data: "not yours\\n" }) + "\\n"); send({ type: "stdout", data: "echo: " + req.code + "\\n" }); send({ type: "done", status: "ok", executionCount: 7, cancelled: false }); }
  }
});
s.on("end", () => process.exit(0));
`,
    );
    const warnings: string[] = [];
    const stray: unknown[] = [];
    const k = await start({
      cwd: dir,
      command: [process.execPath, script],
      onWarning: (m) => warnings.push(m),
      onFrame: (f) => stray.push(f),
    });
    expect(k.info).toMatchObject({ implementation: { name: "echo" } });
    const chunks: string[] = [];
    const r = await k.execute("hello", { onChunk: (t) => chunks.push(t) });
    expect(r).toMatchObject({ status: "ok", executionCount: 7 });
    expect(chunks).toEqual(["echo: hello\n"]);
    // Invalid JSON is reported and skipped; a frame for an unknown id reaches no execution.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("not valid JSON");
    expect(stray).toEqual([{ type: "stdout", id: "someone-else", data: "not yours\n" }]);
    expect((await k.shutdown()).confirmed).toBe(true);
  });
});
