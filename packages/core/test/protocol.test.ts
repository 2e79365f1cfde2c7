// The protocol table: every command has exactly one owning bundle, requests are validated
// field by field, and the listen loop answers every request once (in-process launcher).
import {
  createKernel,
  type Frame,
  isTerminalFrame,
  type Kernel,
  type KernelPlugin,
  REQUEST_TYPES,
  type RequestContext,
  RequestRouter,
  startInProcessKernel,
  validateRequest,
} from "@kernelkit/core";
import { CORE_HANDLER_GROUPS } from "@kernelkit/core/internal";
import { DefaultExecutor } from "@kernelkit/executor-default";
import { afterEach, describe, expect, it } from "vitest";

describe("command ownership", () => {
  it("every protocol command has a handler in exactly one core bundle", () => {
    const owners = new Map<string, string[]>();
    for (const b of CORE_HANDLER_GROUPS) {
      for (const c of b.commands) owners.set(c, [...(owners.get(c) ?? []), b.name]);
    }
    for (const type of REQUEST_TYPES) {
      expect(owners.get(type), `command '${type}' has no bundle`).toBeDefined();
      expect(owners.get(type), `command '${type}' is claimed by several bundles`).toHaveLength(1);
    }
    // A bundle does not claim commands outside the protocol.
    for (const c of owners.keys()) expect(REQUEST_TYPES).toContain(c);
  });

  it("registering every bundle routes each command to the bundle that claims it", () => {
    const router = new RequestRouter<RequestContext>();
    for (const b of CORE_HANDLER_GROUPS) b.register(router);
    for (const b of CORE_HANDLER_GROUPS) for (const c of b.commands) expect(router.ownerOf(c)).toBe(b.name);
    expect(router.types().sort()).toEqual([...REQUEST_TYPES].sort());
  });

  it("a later registration replaces an earlier one", () => {
    const router = new RequestRouter<unknown>();
    router.register("x", () => 1, "first");
    router.register("x", () => 2, "second");
    expect(router.ownerOf("x")).toBe("second");
    expect(router.dispatch({ type: "x" }, null)).toBe(2);
  });
});

describe("validateRequest", () => {
  const bad = (msg: unknown) => {
    const v = validateRequest(msg);
    if (v.ok) throw new Error(`accepted ${JSON.stringify(msg)}`);
    return v;
  };

  it("names the missing or ill-typed field and echoes a string id", () => {
    expect(bad({ type: "execute" })).toMatchObject({ id: null, message: expect.stringContaining("'id'") });
    expect(bad({ id: 7, type: "execute", code: "1" })).toMatchObject({ id: null });
    expect(bad({ id: "a", type: "execute" })).toMatchObject({
      id: "a",
      message: expect.stringContaining("'code'"),
    });
    expect(bad({ id: "a", type: "execute", code: 1 })).toMatchObject({
      message: expect.stringContaining("'code'"),
    });
    expect(bad({ id: "a", type: "execute", code: "", silent: "yes" }).message).toContain("'silent'");
    expect(bad({ id: "a", type: "execute", code: "", timeoutMs: -1 }).message).toContain("'timeoutMs'");
    expect(bad({ id: "a", type: "set_cells", cells: [{ id: "c" }] }).message).toContain("'cells[0].code'");
    expect(bad({ id: "a", type: "set_cells", cells: [], order: [1] }).message).toContain("'order[0]'");
    expect(bad({ id: "a", type: "delete_cells", cellIds: "c" }).message).toContain("'cellIds'");
    expect(bad({ id: "a", type: "run_cells" }).message).toContain("'cellIds'");
    expect(bad({ id: "a", type: "set_inputs", values: [] }).message).toContain("'values'");
    expect(bad({ id: "a" }).message).toContain("'type'");
    expect(bad([1, 2]).id).toBeNull();
    expect(bad("execute").id).toBeNull();
  });

  it("accepts exit without an id, and unknown types (the router answers those)", () => {
    expect(validateRequest({ type: "exit" }).ok).toBe(true);
    expect(validateRequest({ id: "1", type: "frobnicate" }).ok).toBe(true);
  });

  it("knows which frames are terminal", () => {
    for (const t of [
      "done",
      "run_done",
      "kernel_info_reply",
      "interrupt_reply",
      "shutdown_reply",
      "error_reply",
    ])
      expect(isTerminalFrame(t)).toBe(true);
    for (const t of ["started", "stdout", "result", "error", "cell_status", "graph", "display"])
      expect(isTerminalFrame(t)).toBe(false);
  });
});

describe("listen loop (in-process launcher)", () => {
  let closeKernel: (() => Promise<unknown>) | null = null;
  afterEach(async () => {
    await closeKernel?.();
    closeKernel = null;
  });

  async function start(plugins: KernelPlugin[] = []) {
    const k = await startInProcessKernel({ executor: new DefaultExecutor({}), plugins });
    const frames: Frame[] = [];
    k.client.onFrame((f) => frames.push(f));
    closeKernel = async () => {
      k.client.close();
      await k.closed;
    };
    return { ...k, frames };
  }

  it("answers a handler that throws with error_reply INTERNAL and goes on", async () => {
    const boom: KernelPlugin = {
      name: "boom",
      apply(kernel: Kernel) {
        kernel.router.register("boom", () => {
          throw new Error("kaput");
        });
      },
    };
    const { client } = await start([boom]);
    const reply = await client.request({ id: "b", type: "boom" });
    expect(reply).toMatchObject({ type: "error_reply", id: "b", error: { code: "INTERNAL" } });
    expect(String((reply.error as { message: string }).message)).toContain("kaput");
    const next = await client.request({ id: "n", type: "execute", code: "40 + 2" });
    expect(next).toMatchObject({ type: "done", status: "ok" });
  });

  it("answers an id already in flight with INVALID_REQUEST, and unknown commands with UNKNOWN_COMMAND", async () => {
    const { client, frames } = await start();
    client.send({ id: "same", type: "execute", code: "await new Promise((r) => setTimeout(r, 100)); 1" });
    client.send({ id: "same", type: "execute", code: "2" });
    const unknown = await client.request({ id: "u", type: "frobnicate" });
    expect(unknown).toMatchObject({ type: "error_reply", error: { code: "UNKNOWN_COMMAND" } });
    await new Promise<void>((resolve) => {
      const check = () =>
        frames.some((f) => f.id === "same" && f.type === "done") ? resolve() : setTimeout(check, 10);
      check();
    });
    const same = frames.filter((f) => f.id === "same" && isTerminalFrame(f.type));
    expect(same.map((f) => f.type).sort()).toEqual(["done", "error_reply"]);
    expect(same.find((f) => f.type === "error_reply")).toMatchObject({ error: { code: "INVALID_REQUEST" } });
  });

  it("createKernel applies plugins before answering: a plugin's command is routed", async () => {
    const kernel = await createKernel({
      executor: new DefaultExecutor({}),
      plugins: [
        {
          name: "p",
          apply: (k: Kernel) => k.router.register("ping", (_r, ctx: any) => ctx.reply("pong_reply"), "p"),
        },
      ],
    });
    expect(kernel.router.ownerOf("ping")).toBe("p");
    kernel.executor.dispose?.();
  });
});
