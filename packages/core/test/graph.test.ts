import { DataflowGraph } from "@kernelkit/core";
import { describe, expect, it } from "vitest";

function graph(cells: [string, string[], string[], string[]?][]) {
  const g = new DataflowGraph();
  for (const [id, defs, refs, writes] of cells) g.upsert({ id, defs, refs, writes: writes ?? [] });
  return g;
}

describe("DataflowGraph", () => {
  it("orders by dependency, ties by notebook position", () => {
    const g = graph([
      ["report", ["r"], ["total", "n"]],
      ["total", ["total"], ["rows"]],
      ["count", ["n"], ["rows"]],
      ["rows", ["rows"], []],
      ["free", ["z"], []],
    ]);
    expect(g.topologicalOrder()).toEqual(["rows", "total", "count", "report", "free"]);
    expect([...g.descendants(["rows"])].sort()).toEqual(["count", "report", "total"]);
    expect([...g.ancestors(["report"])].sort()).toEqual(["count", "rows", "total"]);
    expect(g.topologicalOrder(["report", "count"])).toEqual(["count", "report"]);
  });

  it("gives every definer of a duplicated name an error naming the others, and nobody else", () => {
    const g = graph([
      ["a", ["x"], []],
      ["b", ["x"], []],
      ["c", ["y"], ["x"]],
      ["d", ["w"], []],
    ]);
    expect(g.errorsOf("a").map((e) => e.message)).toEqual([
      "'x' is defined by more than one cell: also by 'b'",
    ]);
    expect(g.errorsOf("b")[0]).toMatchObject({ code: "KK_MULTIPLE_DEFINITION", otherCells: ["a"] });
    expect(g.errorsOf("c")).toEqual([]);
    expect(g.errorsOf("d")).toEqual([]);
    g.remove("b");
    expect(g.errorsOf("a")).toEqual([]);
  });

  it("marks every cell of a cycle, listing edges and names; breaking it clears the errors", () => {
    const g = graph([
      ["p", ["a"], ["c"]],
      ["q", ["b"], ["a"]],
      ["r", ["c"], ["b"]],
      ["s", ["d"], ["c"]],
    ]);
    for (const id of ["p", "q", "r"]) {
      const [e] = g.errorsOf(id);
      expect(e).toMatchObject({ code: "KK_CYCLE" });
      expect((e as any).edges).toEqual([
        { from: "p", to: "q", names: ["a"] },
        { from: "q", to: "r", names: ["b"] },
        { from: "r", to: "p", names: ["c"] },
      ]);
    }
    expect(g.errorsOf("s")).toEqual([]);
    g.upsert({ id: "p", defs: ["a"], refs: [] });
    expect(g.errorsOf("q")).toEqual([]);
  });

  it("reports assignments to another cell's name", () => {
    const g = graph([
      ["def", ["x"], []],
      ["bad", [], ["x"], ["x"]],
    ]);
    expect(g.errorsOf("bad")[0]).toMatchObject({ code: "KK_REASSIGN", definedBy: "def" });
  });

  it("only links context globals that a cell redefines", () => {
    const g = new DataflowGraph();
    g.upsert({ id: "user", defs: ["y"], refs: [], globalRefs: ["fetch"] });
    expect(g.parents("user").size).toBe(0);
    g.upsert({ id: "shadow", defs: ["fetch"], refs: [] });
    expect([...g.parents("user")]).toEqual(["shadow"]);
  });

  it("honours setOrder for ties", () => {
    const g = graph([
      ["a", ["x"], []],
      ["b", ["y"], []],
    ]);
    g.setOrder(["b", "a"]);
    expect(g.topologicalOrder()).toEqual(["b", "a"]);
  });

  it("handles long chains without recursion limits", () => {
    const g = new DataflowGraph();
    const n = 20_000;
    for (let i = 0; i < n; i++)
      g.upsert({ id: `c${i}`, defs: [`v${i}`], refs: i === 0 ? [] : [`v${i - 1}`] });
    expect(g.errorsOf("c0")).toEqual([]);
    expect(g.topologicalOrder().length).toBe(n);
    expect(g.descendants(["c0"]).size).toBe(n - 1);
  });

  // Ordering walks forward over the notebook for most of it, and uses a heap for a few cells out
  // of many and for cells that become ready behind the walk: each way must keep the same rule.
  it("orders a few cells of a large notebook, and cells placed above what they read, by the same rule", () => {
    const g = new DataflowGraph();
    g.upsert({ id: "late", defs: ["late"], refs: ["early"] }); // above its definer
    for (let i = 0; i < 200; i++) g.upsert({ id: `f${i}`, defs: [`f${i}`], refs: [] });
    g.upsert({ id: "early", defs: ["early"], refs: ["f150"] });
    g.upsert({ id: "mid", defs: ["mid"], refs: [] });
    expect(g.topologicalOrder(["mid", "late", "early", "f150"])).toEqual(["f150", "early", "late", "mid"]);
    const all = g.topologicalOrder();
    expect(all.length).toBe(203);
    // f151…f199 are ready before `early` and sit above it; `late` waits for `early`.
    expect(all.slice(0, 200)).toEqual(Array.from({ length: 200 }, (_, i) => `f${i}`));
    expect(all.slice(200)).toEqual(["early", "late", "mid"]);
    expect(g.errorsOf("late")).toEqual([]);
  });

  it("still finds a cycle after an order of the whole notebook was taken", () => {
    const g = graph([
      ["a", ["a"], ["b"]],
      ["b", ["b"], ["a"]],
      ["c", ["c"], []],
    ]);
    expect(g.topologicalOrder()).toEqual(["c", "a", "b"]);
    expect(g.errorsOf("a").map((e) => e.code)).toEqual(["KK_CYCLE"]);
    g.upsert({ id: "b", defs: ["b"], refs: [] });
    expect(g.topologicalOrder()).toEqual(["b", "a", "c"]);
    expect(g.errorsOf("a")).toEqual([]);
  });

  // Cells and names are numbered inside the graph, and a removed cell's number or a forgotten
  // name's number is given to the next newcomer: nothing of the old one may stick to it.
  it("gives a removed cell's place to a new cell without its edges or errors", () => {
    const g = graph([
      ["a", ["x"], []],
      ["b", ["x", "y"], ["z"]],
      ["c", ["z"], ["y"]],
      ["d", ["w"], ["x"]],
    ]);
    expect(g.errorsOf("c").map((e) => e.code)).toEqual(["KK_CYCLE"]);
    g.remove("b");
    expect(g.has("b")).toBe(false);
    expect(g.errorsOf("a")).toEqual([]);
    expect(g.errorsOf("c")).toEqual([]);
    expect(g.readersOf("z")).toEqual([]);
    expect(g.definersOf("y")).toEqual([]);
    g.upsert({ id: "e", defs: ["v"], refs: [] });
    expect([...g.children("e")]).toEqual([]);
    expect([...g.parents("e")]).toEqual([]);
    expect(g.ids()).toEqual(["a", "c", "d", "e"]);
    expect(g.topologicalOrder()).toEqual(["a", "c", "d", "e"]);
    expect([...g.descendants(["a"])]).toEqual(["d"]);
    // Re-adding the removed cell puts it at the end, with its edges and errors back.
    g.upsert({ id: "b", defs: ["x", "y"], refs: ["z"] });
    expect(g.ids()).toEqual(["a", "c", "d", "e", "b"]);
    expect(g.errorsOf("a")[0]).toMatchObject({ code: "KK_MULTIPLE_DEFINITION", otherCells: ["b"] });
    expect(g.errorsOf("b").map((e) => e.code)).toEqual(["KK_MULTIPLE_DEFINITION", "KK_CYCLE"]);
    // `d` reads `x`, defined by `b` too, which is on the cycle: it waits with the cycle's cells.
    expect(g.topologicalOrder()).toEqual(["a", "e", "c", "d", "b"]);
  });

  it("forgets a name no cell uses any more, and a new name does not inherit its cells", () => {
    const g = graph([
      ["p", ["old"], []],
      ["q", ["q"], ["old"]],
    ]);
    g.upsert({ id: "p", defs: ["fresh"], refs: [] });
    g.upsert({ id: "q", defs: ["q"], refs: [] });
    expect(g.definersOf("old")).toEqual([]);
    expect(g.readersOf("old")).toEqual([]);
    g.upsert({ id: "r", defs: ["other"], refs: ["fresh"] });
    g.upsert({ id: "s", defs: ["s"], refs: ["another"] });
    expect(g.definersOf("other")).toEqual(["r"]);
    expect(g.readersOf("another")).toEqual(["s"]);
    expect([...g.parents("r")]).toEqual(["p"]);
    expect([...g.parents("s")]).toEqual([]);
    expect(g.topologicalOrder()).toEqual(["p", "q", "r", "s"]);
  });

  it("re-upserting a cell replaces its names and keeps its place", () => {
    const g = graph([
      ["a", ["a"], []],
      ["b", ["b"], ["a"]],
      ["c", ["c"], ["b"]],
    ]);
    g.upsert({ id: "b", defs: ["b"], refs: ["c"] });
    expect(g.ids()).toEqual(["a", "b", "c"]);
    expect(g.errorsOf("b").map((e) => e.code)).toEqual(["KK_CYCLE"]);
    expect(g.topologicalOrder()).toEqual(["a", "b", "c"]);
    g.upsert({ id: "b", defs: ["b"], refs: [] }, "a"); // `before` only places new cells
    expect(g.ids()).toEqual(["a", "b", "c"]);
    expect(g.topologicalOrder()).toEqual(["a", "b", "c"]);
    expect(g.errorsOf("b")).toEqual([]);
    g.upsert({ id: "z", defs: ["z"], refs: [] }, "b");
    expect(g.ids()).toEqual(["a", "z", "b", "c"]);
    expect(g.positionOf("c")).toBe(3);
  });

  it("orders cells with no defs, no refs, or names used twice", () => {
    const g = new DataflowGraph();
    g.upsert({ id: "md", defs: [], refs: [] });
    g.upsert({ id: "show", defs: [], refs: ["x", "y", "x"] });
    g.upsert({ id: "xy", defs: ["x", "y"], refs: [] });
    g.upsert({ id: "self", defs: ["s"], refs: ["s"], writes: ["s"] });
    // `show` reads two names of `xy` (and one of them twice): it waits for `xy` once, not forever.
    expect(g.topologicalOrder()).toEqual(["md", "xy", "show", "self"]);
    expect(g.topologicalOrder(["show", "xy"])).toEqual(["xy", "show"]);
    expect([...g.parents("show")]).toEqual(["xy"]);
    expect(g.edgeNames("xy", "show")).toEqual(["x", "y"]);
    // Reading and assigning its own name is no cycle and no reassignment.
    expect(g.errorsOf("self")).toEqual([]);
    expect(g.errorsOf("md")).toEqual([]);
    expect(g.defsOf("md")).toEqual([]);
  });

  it("finds cycles when the last order taken left some cells out", () => {
    const g = graph([
      ["md", [], []],
      ["a", ["a"], ["b"]],
      ["b", ["b"], ["a"]],
      ["c", ["c"], ["a"]],
    ]);
    // A run of the code cells orders all but the markdown cell: no proof the notebook has no cycle.
    expect(g.topologicalOrder(["a", "b", "c"])).toEqual(["a", "b", "c"]);
    expect(g.errorsOf("a").map((e) => e.code)).toEqual(["KK_CYCLE"]);
    expect(g.errorsOf("b").map((e) => e.code)).toEqual(["KK_CYCLE"]);
    // Below a cycle is not on it.
    expect(g.errorsOf("c")).toEqual([]);
  });

  it("lists a cycle's edges in the notebook order set last", () => {
    const g = graph([
      ["p", ["a"], ["b"]],
      ["q", ["b"], ["a"]],
    ]);
    expect((g.errorsOf("p")[0] as any).edges.map((e: any) => e.from)).toEqual(["p", "q"]);
    g.setOrder(["q", "p"]);
    expect((g.errorsOf("p")[0] as any).edges.map((e: any) => e.from)).toEqual(["q", "p"]);
  });

  it("keeps ids it does not know in a requested order, last", () => {
    const g = graph([
      ["a", ["a"], []],
      ["b", ["b"], ["a"]],
    ]);
    expect(g.topologicalOrder(["b", "ghost", "a", "ghost"])).toEqual(["a", "b", "ghost"]);
    expect(g.topologicalOrder(["ghost"])).toEqual(["ghost"]);
    expect([...g.descendants(["ghost", "a"])]).toEqual(["b"]);
    expect(g.errorsOf("ghost")).toEqual([]);
    expect(g.positionOf("ghost")).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("gives every definer of a name shared by three cells an error, until one is left", () => {
    const g = graph([
      ["a", ["x", "y"], []],
      ["b", ["x"], []],
      ["c", ["x", "y"], []],
      ["w", ["w"], [], ["x"]],
    ]);
    expect(g.errorsOf("b")[0]).toMatchObject({ otherCells: ["a", "c"] });
    expect(g.errorsOf("c")[0]!.message).toContain("'x'");
    expect(g.errorsOf("c")[0]).toMatchObject({
      otherCells: ["a", "b"],
      conflicts: [
        { variable: "x", otherCells: ["a", "b"] },
        { variable: "y", otherCells: ["a"] },
      ],
    });
    expect(g.errorsOf("w")[0]).toMatchObject({ code: "KK_REASSIGN", definedBy: "a" });
    g.remove("a");
    g.remove("c");
    expect(g.errorsOf("b")).toEqual([]);
    expect(g.definersOf("x")).toEqual(["b"]);
    expect(g.errorsOf("w")[0]).toMatchObject({ code: "KK_REASSIGN", definedBy: "b" });
  });
});
