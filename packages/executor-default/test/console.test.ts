// The cells' console writes exactly what Node's console would, for the fast methods and the
// ones left to Node (groups, table, dir, count, assert), in order and on the right stream.
import { Console } from "node:console";
import { Writable } from "node:stream";
import { type Frame, type InProcessKernel, startInProcessKernel } from "@kernelkit/core";
import { DefaultExecutor } from "@kernelkit/executor-default";
import { afterEach, describe, expect, it } from "vitest";

let open: InProcessKernel[] = [];
afterEach(async () => {
  for (const k of open) {
    k.client.close();
    await k.closed;
  }
  open = [];
});

const CALLS = `
console.log("a", 1, { b: [1, 2] }, "%s!", "x");
console.log("100%");
console.log("%d items", 3, "extra");
console.log();
console.info("info"); console.debug("dbg"); console.dirxml("dirxml", [1]);
console.warn("warn %o", { w: 1 }); console.error("err", 2);
console.error("lone %s err"); console.log("lone %d log");
console.group("G1");
console.log("in group\\nsecond line");
console.group();
console.error("deeper");
console.info("deeper info");
console.groupEnd();
console.log("back to 1");
console.groupCollapsed("G2");
console.warn("in G2");
console.groupEnd();
console.groupEnd();
console.groupEnd();
console.log("top");
console.table([{ a: 1 }]);
console.dir({ x: { y: { z: { w: 1 } } } }, { depth: 0 });
console.count(); console.count("k");
console.assert(false, "assert msg");
console.log(Symbol("s"), 10n, null, undefined, [undefined], -0);
`;

/** What Node's own Console prints for CALLS, per stream, interleaved as [stream, text]. */
function nodeConsoleOutput(): [string, string][] {
  const out: [string, string][] = [];
  const sink = (name: string) =>
    new Writable({
      write(chunk, _enc, cb) {
        out.push([name, String(chunk)]);
        cb();
      },
    });
  const console = new Console({ stdout: sink("stdout"), stderr: sink("stderr"), colorMode: false });
  new Function("console", CALLS)(console);
  return out;
}

describe("the cells' console", () => {
  it("prints what Node's console prints, on the same streams, in order (groups, table, dir, count, assert)", async () => {
    const k = await startInProcessKernel({ executor: new DefaultExecutor({ typescript: true }) });
    open.push(k);
    const frames: Frame[] = [];
    const done = await k.client.request({ id: "c", type: "execute", code: CALLS }, (f) => frames.push(f));
    expect(done).toMatchObject({ type: "done", status: "ok" });
    const got = frames
      .filter((f) => f.type === "stdout" || f.type === "stderr")
      .map((f) => [f.type, f.data as string]);
    // Coalescing joins consecutive text of one stream: compare the stream-switch sequence.
    const merge = (parts: [string, string][]) =>
      parts.reduce<[string, string][]>((acc, [s, t]) => {
        const last = acc[acc.length - 1];
        if (last && last[0] === s) last[1] += t;
        else acc.push([s, t]);
        return acc;
      }, []);
    expect(merge(got as [string, string][])).toEqual(merge(nodeConsoleOutput()));
  });

  it("keeps Node's method names", async () => {
    const k = await startInProcessKernel({ executor: new DefaultExecutor({ typescript: true }) });
    open.push(k);
    let result: Frame | undefined;
    await k.client.request(
      { id: "n", type: "execute", code: "[console.log.name, console.error.name, console.info.name].join()" },
      (f) => {
        if (f.type === "result") result = f;
      },
    );
    expect((result!.bundle as Record<string, string>)["text/plain"]).toBe("'log,error,info'");
  });
});
