// `serve --transport stdio` on a pipe: the main thread reads requests itself while no cell
// blocks it, and the I/O thread reads while one does (transport-stdio/src/io-worker.ts). These
// tests send requests across that handover — split mid-line, large, in bursts, over-long —
// and check that nothing is lost, duplicated or reordered, and that interrupts still land.
// A file on fd 0 (read by the I/O thread alone) is covered at the end.
import { spawnSync } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, tempDir } from "../helpers/cli.ts";
import { type Frame, isTerminal, type ServeSession, startServe } from "../helpers/serve.ts";

const sessions: ServeSession[] = [];
function serve(args: string[] = [], options: { env?: NodeJS.ProcessEnv } = {}) {
  const s = startServe(args, options);
  sessions.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const line = (r: Record<string, unknown>) => `${JSON.stringify(r)}\n`;
const spin = (ms: number) => `const t0 = Date.now(); while (Date.now() - t0 < ${ms}) {}`;

describe("serve stdio: requests read while a cell blocks the main thread", () => {
  it("an interrupt split mid-line around the start of a spinning cell still stops it", async () => {
    const s = serve();
    await s.request({ id: "ready", type: "kernel_info" });
    const interrupt = line({ id: "stop", type: "interrupt" });
    const cut = 9;
    // The main thread reads the execute and the first bytes of the interrupt, then spins.
    s.write(line({ id: "loop", type: "execute", code: "while (true) {}" }) + interrupt.slice(0, cut));
    await s.waitFor((f) => f.id === "loop" && f.type === "started");
    await sleep(100);
    s.write(interrupt.slice(cut));
    const done = await s.waitFor((f) => f.id === "loop" && f.type === "done", 10_000);
    expect(done).toMatchObject({ status: "error", cancelled: true });
    await s.waitFor((f) => f.id === "stop" && f.type === "interrupt_reply");
    const after = await s.request({ id: "after", type: "execute", code: "1 + 1" });
    expect(after.find((f) => f.type === "result")).toMatchObject({ bundle: { "text/plain": "2" } });
  });

  it("requests written while a cell spins, byte by byte and in bursts, are answered once each, in order", async () => {
    const s = serve();
    await s.request({ id: "ready", type: "kernel_info" });
    s.send({ id: "slow", type: "execute", code: spin(600) });
    await s.waitFor((f) => f.id === "slow" && f.type === "started");
    const ids: string[] = [];
    let text = "";
    for (let i = 0; i < 120; i++) {
      ids.push(`e${i}`);
      text += line({ id: `e${i}`, type: "execute", code: `${i} * 3` });
    }
    // Some byte by byte, some in odd-sized pieces, some in one write: while the cell spins
    // (the I/O thread reads) and after it ends (the main thread reads again).
    let at = 0;
    for (const size of [1, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377]) {
      s.write(text.slice(at, at + size));
      at += size;
      await sleep(size < 10 ? 5 : 20);
    }
    await sleep(300);
    for (; at < text.length; at += 700) {
      s.write(text.slice(at, at + 700));
      await sleep(2);
    }
    await s.waitFor((f) => f.id === "e119" && isTerminal(f), 30_000);
    expect(s.framesOf("slow").at(-1)).toMatchObject({ type: "done", status: "ok" });
    const terminals = s.frames.filter((f) => isTerminal(f) && f.id!.startsWith("e"));
    expect(terminals.map((f) => f.id)).toEqual(ids);
    for (let i = 0; i < 120; i++) {
      expect(s.framesOf(`e${i}`).find((f) => f.type === "result")).toMatchObject({
        bundle: { "text/plain": String(i * 3) },
      });
    }
    expect(s.garbage).toEqual([]);
  });

  it("a request of several MiB written while a cell spins arrives whole", async () => {
    const s = serve();
    await s.request({ id: "ready", type: "kernel_info" });
    s.send({ id: "slow", type: "execute", code: spin(400) });
    await s.waitFor((f) => f.id === "slow" && f.type === "started");
    const big = "é".repeat(3 * 1024 * 1024);
    const frames = await s.request(
      { id: "big", type: "execute", code: `${JSON.stringify(big)}.length` },
      30_000,
    );
    expect(frames.find((f) => f.type === "result")).toMatchObject({
      bundle: { "text/plain": String(big.length) },
    });
  });

  it("an over-long line written while a cell spins is skipped with FRAME_TOO_LARGE; the next request is answered", async () => {
    const s = serve([], { env: { KERNELKIT_MAX_FRAME_BYTES: "1000" } });
    await s.request({ id: "ready", type: "kernel_info" });
    s.send({ id: "slow", type: "execute", code: spin(300) });
    await s.waitFor((f) => f.id === "slow" && f.type === "started");
    await sleep(50);
    s.write(`{"id":"long","type":"execute","code":"${"x".repeat(5000)}"}\n`);
    const next = await s.request({ id: "next", type: "execute", code: "40 + 2" });
    expect(next.find((f) => f.type === "result")).toMatchObject({ bundle: { "text/plain": "42" } });
    const errors = s.frames.filter((f) => f.type === "protocol_error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ id: null, error: { code: "FRAME_TOO_LARGE" } });
    expect(s.framesOf("long")).toEqual([]);
  });

  it("an interrupt in the same write as the execute it stops (the main thread read both)", async () => {
    const s = serve();
    await s.request({ id: "ready", type: "kernel_info" });
    s.write(
      line({ id: "loop", type: "execute", code: "while (true) {}" }) + line({ id: "i", type: "interrupt" }),
    );
    const done = await s.waitFor((f) => f.id === "loop" && f.type === "done", 10_000);
    expect(done).toMatchObject({ status: "error", cancelled: true });
    await s.waitFor((f) => f.id === "i" && f.type === "interrupt_reply");
  });

  it("end of input written while a cell spins, after requests, still answers them and exits 0", async () => {
    const s = serve();
    await s.request({ id: "ready", type: "kernel_info" });
    s.send({ id: "slow", type: "execute", code: spin(500) });
    await s.waitFor((f) => f.id === "slow" && f.type === "started");
    await sleep(100);
    s.send({ id: "last", type: "execute", code: "'bye'" });
    s.child.stdin.end();
    const { code } = await s.exited;
    expect(code).toBe(0);
    expect(s.framesOf("slow").at(-1)).toMatchObject({ type: "done", status: "ok" });
    expect(s.framesOf("last").find((f) => f.type === "result")).toMatchObject({
      bundle: { "text/plain": "'bye'" },
    });
  });
});

describe("serve stdio: requests from a file (read by the I/O thread)", () => {
  it("answers every request of a file on fd 0, in order, then exits 0", () => {
    const dir = tempDir();
    const file = join(dir, "requests.ndjson");
    const requests = [
      { id: "1", type: "execute", code: "await new Promise((r) => setTimeout(r, 50)); 7" },
      { id: "2", type: "no_such_command" },
      { id: "3", type: "execute", code: "6 * 7" },
      { id: "4", type: "kernel_info" },
    ];
    // The last line has no newline: it still counts.
    writeFileSync(file, requests.map((r) => JSON.stringify(r)).join("\n"));
    const fd = openSync(file, "r");
    const r = spawnSync(process.execPath, [CLI, "serve"], {
      cwd: dir,
      stdio: [fd, "pipe", "pipe"],
      encoding: "utf8",
      timeout: 30_000,
    });
    closeSync(fd);
    expect(r.status).toBe(0);
    const frames = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Frame);
    const terminals = frames.filter((f) => isTerminal(f));
    expect(terminals.map((f) => [f.id, f.type]).sort()).toEqual([
      ["1", "done"],
      ["2", "error_reply"],
      ["3", "done"],
      ["4", "kernel_info_reply"],
    ]);
    // Executes run in the order they came.
    expect(terminals.findIndex((f) => f.id === "1")).toBeLessThan(terminals.findIndex((f) => f.id === "3"));
    expect(frames.find((f) => f.id === "3" && f.type === "result")).toMatchObject({
      bundle: { "text/plain": "42" },
    });
  });
});
