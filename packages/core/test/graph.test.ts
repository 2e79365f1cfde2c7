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
});
