// A cell's printed text over `serve --transport stdio` (docs/protocol.md, stdout/stderr):
// nothing lost, coalesced, in the order it was written relative to stderr and to the cell's
// other frames, also while the kernel outruns its reader or blocks after printing. The last
// text a cell printed before blocking without printing again is still held while it blocks
// (it is coalesced on the main thread); docs/protocol.md says so.
import { afterEach, describe, expect, it } from "vitest";
import { type Frame, type ServeSession, startServe } from "../helpers/serve.ts";

const sessions: ServeSession[] = [];
function serve() {
  const s = startServe(["--transport", "stdio"]);
  sessions.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

/** Adjacent text frames of one stream merged: what a client shows. */
function merged(frames: Frame[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const f of frames) {
    const last = out.at(-1);
    if ((f.type === "stdout" || f.type === "stderr") && last?.[0] === f.type)
      last[1] = String(last[1]) + String(f.data);
    else if (f.type === "stdout" || f.type === "stderr") out.push([f.type, f.data]);
    else out.push([f.type, f.type === "result" ? (f.bundle as Record<string, unknown>)["text/plain"] : null]);
  }
  return out;
}

describe("serve --transport stdio: streaming output", () => {
  it("100k console.log lines arrive whole, in order, in few frames, all before the result and done", async () => {
    const s = serve();
    const frames = await s.request(
      {
        id: "big",
        type: "execute",
        code: 'const pad = "x".repeat(58);\nfor (let i = 0; i < 100000; i++) console.log(String(i).padStart(6, "0") + pad);\n"end"',
      },
      60_000,
    );
    const pad = "x".repeat(58);
    let want = "";
    for (let i = 0; i < 100_000; i++) want += `${String(i).padStart(6, "0")}${pad}\n`;
    const text = frames.filter((f) => f.type === "stdout");
    expect(text.map((f) => f.data).join("")).toBe(want);
    expect(text.length).toBeGreaterThan(1);
    expect(text.length).toBeLessThanOrEqual(1000);
    expect(merged(frames).map(([type]) => type)).toEqual(["started", "stdout", "result", "done"]);
    expect(s.garbage).toEqual([]);
  });

  it("keeps stdout, stderr, a line without its newline, async writes and the result in the order written", async () => {
    const s = serve();
    const code = [
      'console.log("a1"); console.error("e1"); console.log("a2"); process.stdout.write("no newline");',
      'await new Promise((r) => setTimeout(() => { console.log("t1"); console.error("t2"); r(); }, 20));',
      'await Promise.all([3, 1, 2].map((i) => new Promise((r) => setTimeout(() => { process.stdout.write("p" + i); r(); }, 15 * i))));',
      'process.stderr.write("tail without newline");',
      '"end"',
    ].join("\n");
    const frames = await s.request({ id: "mix", type: "execute", code });
    expect(merged(frames)).toEqual([
      ["started", null],
      ["stdout", "a1\n"],
      ["stderr", "e1\n"],
      ["stdout", "a2\nno newlinet1\n"],
      ["stderr", "t2\n"],
      ["stdout", "p1p2p3"],
      ["stderr", "tail without newline"],
      ["result", "'end'"],
      ["done", null],
    ]);
  });

  it("whole frames printed before a cell blocks reach the client while it blocks; the rest by its done", async () => {
    const s = serve();
    // 400 KB, far more than a pipe holds, then a synchronous loop that never prints again. The
    // frames already cut (60 KiB of text each) go out while it spins; the text still being
    // coalesced when it stopped printing goes out once it is interrupted.
    s.send({
      id: "block",
      type: "execute",
      code: 'for (let i = 0; i < 5000; i++) console.log(String(i).padStart(79, "."));\nfor (;;) {}',
    });
    let seen = 0;
    await s.waitFor((f) => {
      if (f.id !== "block" || f.type !== "stdout") return false;
      seen += String(f.data).length;
      return seen >= 300_000;
    }, 20_000);
    s.send({ id: "int", type: "interrupt" });
    expect(await s.waitFor((f) => f.id === "block" && f.type === "done")).toMatchObject({ cancelled: true });
    let want = "";
    for (let i = 0; i < 5000; i++) want += `${String(i).padStart(79, ".")}\n`;
    const text = s.framesOf("block").filter((f) => f.type === "stdout");
    expect(text.map((f) => f.data).join("")).toBe(want);
  });
});
