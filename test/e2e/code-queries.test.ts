// Protocol v1.1 code queries (complete, inspect, is_complete) through `kernelkit serve`, as a
// front end sends them: live values in JS/TS, the running interpreter in Python, and answers
// while a cell runs.
import { afterEach, describe, expect, it } from "vitest";
import { project } from "../helpers/cli.ts";
import { type Frame, type ServeSession, startServe } from "../helpers/serve.ts";

const sessions: ServeSession[] = [];
function serve(args: string[], cwd: string) {
  const s = startServe(args, { cwd });
  sessions.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function ask(
  s: ServeSession,
  id: string,
  request: Record<string, unknown>,
  timeoutMs?: number,
): Promise<Frame> {
  const frames = await s.request({ id, ...request }, timeoutMs);
  return frames[frames.length - 1]!;
}

const texts = (reply: Frame) => (reply.matches as { text: string }[]).map((m) => m.text);

const TS_NOTEBOOK = `// %% data
const rows = [{ amount: 1 }, { amount: 2 }];
const box = Object.assign({ known: 1 }, JSON.parse('{"runtimeOnly": 2}'));
/** Adds two numbers. */
function add(a: number, b = 2): number {
  return a + b;
}
`;

describe("code queries over the protocol: JS/TS", () => {
  it("is_complete: incomplete for an open brace, invalid for a syntax error, complete otherwise", async () => {
    const dir = project({ "nb.ts": TS_NOTEBOOK });
    const s = serve(["nb.ts"], dir);
    const open = await ask(s, "1", { type: "is_complete", code: "function f(a: number) {\n  if (a) {" });
    expect(open).toMatchObject({ type: "is_complete_reply", status: "incomplete", indent: "    " });
    expect(await ask(s, "2", { type: "is_complete", code: "const x = );" })).toMatchObject({
      status: "invalid",
    });
    expect(await ask(s, "3", { type: "is_complete", code: "const x: number = 1" })).toMatchObject({
      status: "complete",
    });
    expect(await ask(s, "4", { type: "is_complete", code: "const s = `a ${" })).toMatchObject({
      status: "incomplete",
    });
    expect(await ask(s, "5", { type: "is_complete", code: "const total =" })).toMatchObject({
      status: "incomplete",
    });
  });

  it("complete lists a live object's runtime-only keys and the notebook's names", async () => {
    const dir = project({ "nb.ts": TS_NOTEBOOK });
    const s = serve(["nb.ts"], dir);
    await ask(s, "run", { type: "run_cells", cellIds: ["data"] });
    const keys = await ask(s, "1", { type: "complete", code: "box.run", cursorPos: 7 });
    expect(keys).toMatchObject({ type: "complete_reply", cursorStart: 4, cursorEnd: 7 });
    expect(texts(keys)).toContain("runtimeOnly");
    const methods = await ask(s, "2", { type: "complete", code: "rows.fi", cursorPos: 7 });
    expect(texts(methods)).toEqual(expect.arrayContaining(["filter", "find", "findIndex"]));
    const names = await ask(s, "3", { type: "complete", code: "ro", cursorPos: 2 });
    expect(texts(names)).toContain("rows");
  });

  it("answers while a cell is running", async () => {
    const dir = project({
      "nb.ts": `// %% slow\nconst slow = await new Promise((r) => setTimeout(() => r(1), 1500));\n`,
    });
    const s = serve(["nb.ts"], dir);
    s.send({ id: "run", type: "run_cells", cellIds: ["slow"] });
    await s.waitFor((f) => f.type === "cell_status" && f.status === "running");
    const reply = await ask(s, "q", { type: "is_complete", code: "{" });
    expect(reply).toMatchObject({ status: "incomplete" });
    expect(s.framesOf("run").some((f) => f.type === "run_done")).toBe(false);
  });

  it("refuses a query without a cursor position", async () => {
    const dir = project({ "nb.ts": TS_NOTEBOOK });
    const s = serve(["nb.ts"], dir);
    const reply = await ask(s, "1", { type: "complete", code: "x" });
    expect(reply).toMatchObject({ type: "error_reply", error: { code: "INVALID_REQUEST" } });
    expect((reply.error as { message: string }).message).toContain("cursorPos");
  });
});

const PY_NOTEBOOK = `# %% data
rows = [1, 2]

def add(a: int, b: int = 2) -> int:
    """Adds two numbers."""
    return a + b
`;

describe("code queries over the protocol: Python", () => {
  it("completes, inspects and judges completeness from the running interpreter", async () => {
    const dir = project({ "nb.py": PY_NOTEBOOK });
    const s = serve(["nb.py"], dir);
    await ask(s, "run", { type: "run_cells", cellIds: ["data"] });
    const methods = await ask(s, "1", { type: "complete", code: "rows.ap", cursorPos: 7 });
    expect(methods).toMatchObject({ cursorStart: 5, cursorEnd: 7 });
    expect(texts(methods)).toContain("append");
    const info = await ask(s, "2", { type: "inspect", code: "add(1, ", cursorPos: 7 });
    expect(info).toMatchObject({ type: "inspect_reply", found: true });
    const plain = (info.bundle as Record<string, string>)["text/plain"];
    expect(plain).toContain("add(a: int, b: int = 2) -> int");
    expect(plain).toContain("Adds two numbers.");
    expect(await ask(s, "3", { type: "is_complete", code: "def f():" })).toMatchObject({
      status: "incomplete",
      indent: "    ",
    });
    expect(await ask(s, "4", { type: "is_complete", code: "x = )" })).toMatchObject({ status: "invalid" });
    expect(await ask(s, "5", { type: "is_complete", code: "x = 1" })).toMatchObject({ status: "complete" });
  });

  it("a query asked while a cell runs is answered after it, with its names", async () => {
    const dir = project({ "nb.py": "# %% slow\nimport time\ntime.sleep(1)\nlate = {'k': 1}\n" });
    const s = serve(["nb.py"], dir);
    s.send({ id: "run", type: "run_cells", cellIds: ["slow"] });
    await s.waitFor((f) => f.type === "cell_status" && f.status === "running");
    const reply = await ask(s, "q", { type: "complete", code: "late.ke", cursorPos: 7 });
    expect(texts(reply)).toContain("keys");
  });
});

const TYPED_NOTEBOOK = `// %% data
const rows: { amount: number }[] = Object.assign([{ amount: 1 }], { source: "db" });
/**
 * Adds two numbers.
 * @param a the first
 */
function add(a: number, b = 2): number {
  return a + b;
}

// %% use
const n = add(rows.length);
`;

const TS_LOADED = "Object.keys(require.cache).filter((k) => /ts-morph|typescript\\\\.js/.test(k)).length";

describe("code queries over the protocol: types across cells", () => {
  it("complete on a ref from another cell lists the type's methods and the live value's runtime-only keys", async () => {
    const dir = project({ "nb.ts": TYPED_NOTEBOOK });
    const s = serve(["nb.ts"], dir);
    await ask(s, "run", { type: "run_cells", cellIds: ["data"] });
    const reply = await ask(s, "1", { type: "complete", code: "rows.", cursorPos: 5, cellId: "use" }, 60_000);
    expect(reply).toMatchObject({ type: "complete_reply", cursorStart: 5, cursorEnd: 5 });
    const matches = reply.matches as { text: string; kind?: string }[];
    expect(matches.find((m) => m.text === "map")).toMatchObject({ kind: "method" });
    expect(texts(reply)).toEqual(expect.arrayContaining(["filter", "reduce", "length", "source"]));
    // Typed names first, the runtime-only key after them.
    expect(texts(reply).indexOf("source")).toBeGreaterThan(texts(reply).indexOf("map"));
  });

  it("complete works on a cell's edited code before the kernel has run anything", async () => {
    const dir = project({ "nb.ts": TYPED_NOTEBOOK });
    const s = serve(["nb.ts"], dir);
    const reply = await ask(
      s,
      "1",
      { type: "complete", code: "rows[0].am", cursorPos: 10, cellId: "use" },
      60_000,
    );
    expect(reply).toMatchObject({ cursorStart: 8, cursorEnd: 10 });
    expect(texts(reply)).toEqual(["amount"]);
  });

  it("inspect of a function from another cell gives its signature and doc comment", async () => {
    const dir = project({ "nb.ts": TYPED_NOTEBOOK });
    const s = serve(["nb.ts"], dir);
    const reply = await ask(s, "1", { type: "inspect", code: "add(1)", cursorPos: 1, cellId: "use" }, 60_000);
    expect(reply).toMatchObject({ type: "inspect_reply", found: true });
    const bundle = reply.bundle as Record<string, string>;
    expect(bundle["text/plain"]).toContain("add(a: number, b?: number): number");
    expect(bundle["text/plain"]).toContain("Adds two numbers.");
    expect(bundle["text/plain"]).toContain("@param a the first");
    expect(bundle["text/markdown"]).toContain("```ts\nfunction add(a: number, b?: number): number\n```");
  });

  it("running and executing never load the TypeScript compiler, nor does answering a completion in the kernel's thread", async () => {
    const dir = project({ "nb.ts": TYPED_NOTEBOOK });
    const s = serve(["nb.ts"], dir);
    await ask(s, "run", { type: "run_cells", cellIds: ["data", "use"] });
    await ask(s, "x", { type: "execute", code: "const more = rows.map((r) => r.amount)" });
    const before = (await s.request({ id: "probe1", type: "execute", code: TS_LOADED })).find(
      (f) => f.type === "result",
    );
    expect((before?.bundle as Record<string, string> | undefined)?.["text/plain"]).toBe("0");
    const reply = await ask(s, "c", { type: "complete", code: "more.", cursorPos: 5 }, 60_000);
    expect(texts(reply)).toContain("map");
    const after = (await s.request({ id: "probe2", type: "execute", code: TS_LOADED })).find(
      (f) => f.type === "result",
    );
    expect((after?.bundle as Record<string, string> | undefined)?.["text/plain"]).toBe("0");
  });
});

describe("code queries: bad input", () => {
  it("a 10 MB scratch code and unbalanced braces get answers, and the kernel keeps serving", async () => {
    const dir = project({ "nb.ts": TYPED_NOTEBOOK });
    const s = serve(["nb.ts"], dir);
    const big = `const blob = "${"x".repeat(10 * 1024 * 1024)}";\nblob.len`;
    const reply = await ask(s, "1", { type: "complete", code: big, cursorPos: big.length }, 120_000);
    expect(reply.type).toBe("complete_reply");
    const open = "function f() {\n  if (true) {\n    rows.";
    const partial = await ask(
      s,
      "2",
      { type: "complete", code: open, cursorPos: open.length, cellId: "use" },
      60_000,
    );
    expect(texts(partial)).toContain("map");
    expect(await ask(s, "3", { type: "is_complete", code: open })).toMatchObject({ status: "incomplete" });
    const done = await s.request({ id: "4", type: "execute", code: "6 * 7" });
    expect(done.find((f) => f.type === "result")?.bundle).toMatchObject({ "text/plain": "42" });
  });
});
