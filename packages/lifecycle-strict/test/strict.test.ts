// Strict mode in-process: the lifecycle around the default executor, driven over the protocol.
import {
  type CompiledCell,
  type ExecutionContext,
  type Frame,
  type InProcessKernel,
  isSkip,
  MapScope,
  startInProcessKernel,
} from "@kernelkit/core";
import { DefaultExecutor } from "@kernelkit/executor-default";
import { afterEach, describe, expect, it } from "vitest";
import createStrict, {
  isZeroCopy,
  StrictExecutionError,
  StrictLifecycle,
  ZERO_COPY,
  zeroCopy,
} from "../src/index.ts";

let open: InProcessKernel[] = [];
afterEach(async () => {
  for (const k of open) {
    k.client.close();
    await k.closed;
  }
  open = [];
});

async function kernel() {
  const k = await startInProcessKernel({ executor: new DefaultExecutor(), lifecycles: [createStrict()] });
  open.push(k);
  let n = 0;
  const req = async (r: Record<string, unknown>) => {
    const frames: Frame[] = [];
    const terminal = await k.client.request({ id: `r${++n}`, ...r }, (f) => frames.push(f));
    return { terminal, frames };
  };
  const run = (cells: { id: string; code: string }[]) => req({ type: "set_cells", run: true, cells });
  const exec = (code: string) => req({ type: "execute", code });
  return { ...k, req, run, exec };
}

const result = (frames: Frame[], cellId?: string) =>
  (frames.find((f) => f.type === "result" && (cellId === undefined || f.cellId === cellId))?.bundle as any)?.[
    "text/plain"
  ];
const error = (frames: Frame[]) => frames.find((f) => f.type === "error") as any;

describe("StrictLifecycle", () => {
  it("requires the shared JS scope", () => {
    const lc = new StrictLifecycle();
    expect(lc.name).toBe("strict");
    expect(lc.requires).toEqual(["shared-js-scope"]);
    const cell = {
      id: "c",
      name: null,
      code: "",
      language: "javascript",
      path: null,
      line: 1,
      defs: [],
      refs: [],
    };
    expect(() =>
      lc.setup(cell as CompiledCell, { scope: new MapScope() } as unknown as ExecutionContext),
    ).toThrow(/shared-js-scope/);
  });

  it("isolates copies between siblings and writes back only the cell's defs", async () => {
    const k = await kernel();
    const { frames, terminal } = await k.run([
      { id: "a", code: "const obj = { count: 0, list: [1] };" },
      { id: "b", code: "obj.count++; obj.list.push(2); const seen = obj.count;" },
      { id: "c", code: "[obj.count, obj.list.length]" },
      { id: "d", code: "seen" },
    ]);
    expect(terminal).toMatchObject({ ok: true });
    expect(result(frames, "c")).toBe("[ 0, 1 ]");
    expect(result(frames, "d")).toBe("1");
    expect(k.kernel.scope.get("obj")).toEqual({ count: 0, list: [1] });
  });

  it("makes the refs of called functions available (transitively) as copies", async () => {
    const k = await kernel();
    const { frames } = await k.run([
      { id: "data", code: "const data = { n: 2 };" },
      { id: "f", code: "function inc() { data.n += 1; return data.n; }" },
      { id: "g", code: "const twice = () => inc() + inc();" },
      { id: "use", code: "twice()" },
      { id: "after", code: "data.n" },
    ]);
    expect(result(frames, "use")).toBe("7");
    expect(result(frames, "after")).toBe("2");
  });

  it("a ref that resolves nowhere is skipped with StrictExecutionError naming the ref", async () => {
    const k = await kernel();
    const { frames, terminal } = await k.exec("missingName + 1");
    expect(terminal).toMatchObject({ type: "done", status: "error" });
    expect(error(frames)).toMatchObject({
      ename: "StrictExecutionError",
      code: "KK_STRICT",
      evalue: "name 'missingName' is not defined (no cell defines it)",
    });
  });

  it("blames the cell that defines a missing ref", async () => {
    const k = await kernel();
    await k.run([{ id: "maker", code: "const made = (() => { throw new Error('no'); })();" }]);
    const { frames } = await k.exec("made");
    expect(error(frames).evalue).toBe(
      "name 'made' is not defined: cell 'maker', which defines it, did not run successfully",
    );
  });

  it("a skipped cell changes nothing", async () => {
    const k = await kernel();
    await k.run([{ id: "a", code: "const keep = 1;" }]);
    await k.exec("keep + nothingHere");
    expect(k.kernel.scope.get("keep")).toBe(1);
    expect([...k.kernel.scope.names()]).toEqual(["keep"]);
  });

  it("a ref the cell itself defines is 'referenced before definition'", () => {
    const lc = new StrictLifecycle();
    const scope = new DefaultExecutor().scope;
    const cell = {
      id: "c",
      name: "c",
      code: "",
      language: "javascript",
      path: null,
      line: 1,
      defs: ["x"],
      refs: ["x"],
    };
    const r = lc.setup(cell as CompiledCell, { scope } as unknown as ExecutionContext);
    expect(isSkip(r)).toBe(true);
    const e = (r as { result: { error: StrictExecutionError } }).result.error;
    expect(e).toBeInstanceOf(StrictExecutionError);
    expect(e).toMatchObject({
      ref: "x",
      blamedCell: null,
      message: "name 'x' is referenced before definition in cell 'c'",
    });
  });

  it("zeroCopy() and the Symbol.for brand pass values as they are", async () => {
    expect(isZeroCopy(zeroCopy({}))).toBe(true);
    expect(isZeroCopy({ [ZERO_COPY]: true })).toBe(true);
    expect(isZeroCopy({})).toBe(false);
    expect(zeroCopy(5)).toBe(5);
    const k = await kernel();
    await k.run([{ id: "a", code: "const shared = { n: 0, p: Promise.resolve() };" }]);
    zeroCopy(k.kernel.scope.get("shared"));
    const { frames } = await k.run([
      { id: "b", code: "shared.n += 1;" },
      { id: "c", code: "shared.n" },
    ]);
    expect(result(frames, "c")).toBe("1");
  });

  it("an uncopyable value is an error that suggests zero-copy, and the scope is untouched", async () => {
    const k = await kernel();
    await k.run([{ id: "a", code: "const w = new WeakMap();" }]);
    const { frames } = await k.exec("w");
    const e = error(frames);
    expect(e.ename).toBe("StrictExecutionError");
    expect(e.evalue).toContain("w is a WeakMap");
    expect(e.evalue).toContain("zeroCopy(w)");
    expect(k.kernel.scope.has("w")).toBe(true);
  });

  it("a failed scratch execution keeps the previous value of a name it defines", async () => {
    const k = await kernel();
    await k.run([{ id: "a", code: "const base = 1;" }]);
    await k.exec("const scratch = 1;");
    await k.exec("const scratch = base + (() => { throw new Error('x'); })();");
    expect(k.kernel.scope.get("scratch")).toBe(1);
    expect(k.kernel.scope.get("base")).toBe(1);
  });
});
