// An interrupt that stops a cell inside a promise job (`await x; while (true) {}`) while Node's
// async hooks are on — kernelkit's own output attribution turns them on, and so does any cell
// library using AsyncLocalStorage — used to abort the kernel with "async hook stack has become
// corrupted" (docs/reliability.md).
import { describe, expect, it } from "vitest";
import { runJson } from "../helpers/cli.ts";

describe("interrupting a cell inside a promise job, with async hooks on", () => {
  it("--timeout stops the cell (after a timer, and after an already-resolved await) and the run goes on", () => {
    const r = runJson(
      `// %% als
const store = new (require("node:async_hooks").AsyncLocalStorage)();
store.enterWith("cell");
// %% afterTimer
await new Promise((r) => setTimeout(r, 10));
for (;;) {}
// %% afterResolved
await null;
while (true) {}
// %% afterMicrotask
Promise.resolve().then(() => { for (;;) {} });
await new Promise((r) => setTimeout(r, 2000));
// %% after
store.getStore() ?? "no store"`,
      { args: ["--timeout", "300"] },
    );
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toContain("corrupted");
    expect(r.code).toBe(1);
    for (const name of ["afterTimer", "afterResolved", "afterMicrotask"])
      expect(r.cell(name), name).toMatchObject({ status: "interrupted" });
    expect(r.cell("after")).toMatchObject({ status: "success" });
  });
});
