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

async function ask(s: ServeSession, id: string, request: Record<string, unknown>): Promise<Frame> {
  const frames = await s.request({ id, ...request });
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
