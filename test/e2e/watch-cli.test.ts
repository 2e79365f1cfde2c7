// `kernelkit watch --json` end to end, on JS, TS and Python notebooks: a save re-runs only the
// changed cells and their descendants (a counter cell proves the others did not run), local
// modules reload, and bad saves change nothing while the kernel keeps its values.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.ts";
import { cellOf, ranNames, startWatch, type WatchProcess } from "../helpers/watch.ts";

interface Lang {
  name: string;
  file: string;
  /** A cell marker line. */
  m: (title: string) => string;
  counter: string;
  /** `a = VALUE` as a cell body. */
  defA: (value: number) => string;
  /** b = a + 10, reported with the counter's value. */
  defB: string;
  /** A cell that refs `b` and shows it. */
  defC: string;
  broken: string;
  module: { file: string; source: (factor: number) => string; cell: string };
  missingRef: string; // a RegExp source
}

const JS: Lang = {
  name: "JavaScript",
  file: "nb.mjs",
  m: (t) => `// %% ${t}`,
  counter: "globalThis.__runs = (globalThis.__runs ?? 0) + 1;\nconst count = globalThis.__runs;\ncount",
  defA: (v) => `const a = ${v};\na`,
  defB: "const b = a + 10;\n`${b} after ${count} counter run(s)`",
  defC: "const c = b * 2;\nc",
  broken: "const a = (;",
  module: {
    file: "helper.mjs",
    source: (f) => `export function scale(x) { return x * ${f}; }\n`,
    cell: 'import { scale } from "./helper.mjs";\nconst scaled = scale(b);\nscaled',
  },
  missingRef: "ReferenceError",
};

const TS: Lang = {
  ...JS,
  name: "TypeScript",
  file: "nb.ts",
  counter:
    "const g = globalThis as unknown as { __runs?: number };\ng.__runs = (g.__runs ?? 0) + 1;\nconst count: number = g.__runs;\ncount",
  defA: (v) => `const a: number = ${v};\na`,
  defB: "const b: number = a + 10;\n`${b} after ${count} counter run(s)`",
  defC: "const c: number = b * 2;\nc",
  broken: "const a: number = (;",
};

const PY: Lang = {
  name: "Python",
  file: "nb.py",
  m: (t) => `# %% ${t}`,
  counter:
    "import builtins\nbuiltins.kk_runs = getattr(builtins, 'kk_runs', 0) + 1\ncount = builtins.kk_runs\ncount",
  defA: (v) => `a = ${v}\na`,
  defB: 'b = a + 10\nf"{b} after {count} counter run(s)"',
  defC: "c = b * 2\nc",
  broken: "a = (",
  module: {
    file: "helper.py",
    source: (f) => `def scale(x):\n    return x * ${f}\n`,
    cell: "from helper import scale\nscaled = scale(b)\nscaled",
  },
  missingRef: "NameError|ReferenceError",
};

function notebook(l: Lang, cells: [string, string][]): string {
  return `${cells.map(([title, body]) => `${l.m(title)}\n${body}\n`).join("\n")}`;
}

function base(l: Lang, a = 1): [string, string][] {
  return [
    ["counter", l.counter],
    ["a", l.defA(a)],
    ["b", l.defB],
    ["c", l.defC],
  ];
}

const text = (cell: any) => String(cell?.output?.["text/plain"] ?? "");

let running: WatchProcess | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

async function start(l: Lang, cells: [string, string][], extra: Record<string, string> = {}) {
  const dir = tempDir("kk-watch-");
  const path = join(dir, l.file);
  for (const [name, body] of Object.entries(extra)) writeFileSync(join(dir, name), body);
  writeFileSync(path, notebook(l, cells));
  const w = await startWatch([l.file], { cwd: dir });
  running = w;
  const initial = await w.next();
  expect(initial.event).toBe("run");
  expect(initial.trigger).toBe("initial");
  return { dir, path, w, initial, save: (c: [string, string][]) => writeFileSync(path, notebook(l, c)) };
}

describe.each([JS, TS, PY])("watch --json on a $name notebook", (l) => {
  it("re-runs only the changed cell and its descendants; the others keep their values", async () => {
    const { w, initial, save } = await start(l, base(l));
    expect(ranNames(initial)).toEqual(["counter", "a", "b", "c"]);
    expect(text(cellOf(initial, "b"))).toContain("11 after 1 counter run(s)");

    save(base(l, 2));
    const ev = await w.next();
    expect(ev).toMatchObject({ event: "run", trigger: "notebook", changed: ["a"] });
    expect(ranNames(ev)).toEqual(["a", "b", "c"]);
    // the counter did not run again: b still sees its first value
    expect(text(cellOf(ev, "b"))).toContain("12 after 1 counter run(s)");
    expect(text(cellOf(ev, "c"))).toBe("24");
    for (const c of ev.cells!) expect(c.status).toBe("success");
  });

  it("runs a new cell, removes a deleted one's names, and follows a rename", async () => {
    const { w, save } = await start(l, base(l));
    // add
    save([...base(l), ["d", l === PY ? "d = c + 1\nd" : "const d = c + 1;\nd"]]);
    let ev = await w.next();
    expect(ev.changed).toEqual(["d"]);
    expect(ranNames(ev)).toEqual(["d"]);
    expect(text(cellOf(ev, "d"))).toBe("23");

    // delete b: its descendants re-run and miss its name
    save(base(l).filter(([n]) => n !== "b"));
    ev = await w.next();
    expect(ev.deleted).toEqual(expect.arrayContaining(["b", "d"]));
    expect(ev.changed).toEqual(expect.arrayContaining(["b", "d"]));
    expect(ranNames(ev)).toEqual(["c"]);
    expect(cellOf(ev, "c").status).toBe("exception");
    expect(cellOf(ev, "c").error.name).toMatch(new RegExp(l.missingRef));

    // rename a → first: the new id runs with its descendants; the old id is deleted
    save(base(l).map(([n, body]) => [n === "a" ? "first" : n, body] as [string, string]));
    ev = await w.next();
    expect(ev.deleted).toEqual(["a"]);
    expect(ev.changed).toEqual(expect.arrayContaining(["first", "b", "a"]));
    expect(ranNames(ev)).toEqual(["first", "b", "c"]);
    expect(text(cellOf(ev, "c"))).toBe("22");
    expect(text(cellOf(ev, "b"))).toContain("after 1 counter run(s)");
  });

  it("a syntax error stops the cell and its descendants until it is fixed", async () => {
    const { w, save } = await start(l, base(l));
    save(base(l).map(([n, body]) => [n, n === "a" ? l.broken : body] as [string, string]));
    let ev = await w.next();
    expect(ev.changed).toEqual(["a"]);
    expect(cellOf(ev, "a").status).toBe("error");
    // b reads a name the broken cell no longer defines: it does not run on the old value
    expect(cellOf(ev, "b").status).toMatch(/^(cancelled|exception)$/);
    expect(text(cellOf(ev, "b"))).toBe("");

    save(base(l, 3));
    ev = await w.next();
    expect(cellOf(ev, "a").status).toBe("success");
    expect(text(cellOf(ev, "c"))).toBe("26");
    expect(text(cellOf(ev, "b"))).toContain("after 1 counter run(s)");
  });

  it("sees saves by rename (atomic) and in place; an empty write mid-save changes nothing", async () => {
    const { w, path, save } = await start(l, base(l));
    writeFileSync(`${path}.tmp`, notebook(l, base(l, 4)));
    renameSync(`${path}.tmp`, path);
    let ev = await w.next();
    expect(ev.changed).toEqual(["a"]);
    expect(text(cellOf(ev, "c"))).toBe("28");

    // an editor that truncates, pauses, then writes: nothing runs on the empty file
    writeFileSync(path, "");
    ev = await w.next();
    expect(ev).toMatchObject({ event: "error", error: { code: "KK_WATCH_EMPTY" } });
    save(base(l, 5));
    ev = await w.next();
    expect(ev).toMatchObject({ event: "run", changed: ["a"] });
    expect(ranNames(ev)).toEqual(["a", "b", "c"]);
    expect(text(cellOf(ev, "b"))).toContain("15 after 1 counter run(s)");
  });

  it("reloads an edited local module: the importing cell and its descendants re-run with the new code", async () => {
    const cells: [string, string][] = [
      ...base(l),
      ["uses", l.module.cell],
      ["after", l === PY ? "after = scaled + 1\nafter" : "const after = scaled + 1;\nafter"],
    ];
    const { w, dir, initial } = await start(l, cells, { [l.module.file]: l.module.source(2) });
    expect(text(cellOf(initial, "uses"))).toBe("22");

    writeFileSync(join(dir, l.module.file), l.module.source(3));
    const ev = await w.next();
    expect(ev).toMatchObject({ event: "run", trigger: "module", changed: ["uses"] });
    expect(ranNames(ev)).toEqual(["uses", "after"]);
    expect(text(cellOf(ev, "uses"))).toBe("33");
    expect(text(cellOf(ev, "after"))).toBe("34");

    writeFileSync(join(dir, l.module.file), l.module.source(4));
    const third = await w.next();
    expect(text(cellOf(third, "uses")), JSON.stringify(third)).toBe("44");
  });
});

describe("watch: bad input never costs the kernel its values", () => {
  it("waits for a deleted notebook and resumes when it returns", async () => {
    const { w, path, save } = await start(JS, base(JS));
    rmSync(path);
    const ev = await w.next();
    expect(ev).toMatchObject({ event: "error", error: { code: "KK_WATCH_NOTEBOOK_GONE" } });
    save(base(JS, 6));
    await w.waitForStderr("is back");
    const back = await w.next();
    expect(back.changed).toEqual(["a"]);
    expect(text(cellOf(back, "b"))).toContain("16 after 1 counter run(s)");
  });

  it("survives its folder disappearing and coming back", async () => {
    const { w, dir, path } = await start(JS, base(JS));
    rmSync(dir, { recursive: true, force: true });
    const ev = await w.next();
    expect(ev.event).toBe("error");
    expect(ev.error!.code).toMatch(/^KK_WATCH_/);
    mkdirSync(dir);
    writeFileSync(path, notebook(JS, base(JS, 7)));
    const back = await w.next();
    expect(back.event).toBe("run");
    expect(text(cellOf(back, "b"))).toContain("17 after 1 counter run(s)");
  });

  it("refuses a 10 MB paste with a coded message, then takes the next save", async () => {
    const { w, save } = await start(JS, base(JS));
    const huge = `const junk = "${"x".repeat(10 * 1024 * 1024)}";`;
    save([...base(JS), ["paste", huge]]);
    const ev = await w.next();
    expect(ev).toMatchObject({ event: "error", error: { code: "KK_WATCH_TOO_LARGE" } });
    save(base(JS, 8));
    const next = await w.next();
    expect(text(cellOf(next, "b"))).toContain("18 after 1 counter run(s)");
  });

  it("a file that does not load (two cells with one name) changes nothing", async () => {
    const { w, save } = await start(JS, base(JS));
    save([...base(JS, 2), ["a", "1"]]);
    const ev = await w.next();
    expect(ev).toMatchObject({ event: "error", error: { code: "KK_WATCH_INVALID" } });
    expect(ev.error!.message).toContain("KK_DUPLICATE_NAME");
    save(base(JS, 9));
    expect(text(cellOf(await w.next(), "b"))).toContain("19 after 1 counter run(s)");
  });

  it("Ctrl-C during a run interrupts it and keeps watching; Ctrl-C while idle exits 0", async () => {
    const { w, save } = await start(JS, base(JS));
    save([...base(JS), ["spin", "while (true) {}"]]);
    // the run is under way once the file was read; interrupt it
    await new Promise((r) => setTimeout(r, 400));
    w.child.kill("SIGINT");
    const ev = await w.next();
    expect(cellOf(ev, "spin").status).toBe("interrupted");
    save(base(JS, 3));
    expect(text(cellOf(await w.next(), "c"))).toBe("26");
    w.child.kill("SIGINT");
    expect((await w.exited).code).toBe(0);
  });
});

describe("watch usage", () => {
  it("a missing notebook is a startup error, exit 2, with an error event", async () => {
    const dir = tempDir("kk-watch-");
    const w = await startWatch(["nope.ts"], { cwd: dir });
    running = w;
    const ev = await w.next();
    expect(ev).toMatchObject({ event: "error", error: { code: "KK_NOTEBOOK_NOT_FOUND" } });
    expect((await w.exited).code).toBe(2);
  });
});
