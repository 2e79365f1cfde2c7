// Protocol v1.1 outputs and input through the JS executor: display ids and their updates,
// clearOutput(), and prompt() answered by provide_input only when the execute allowed stdin.
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

async function kernel() {
  const k = await startInProcessKernel({ executor: new DefaultExecutor({ typescript: true }) });
  open.push(k);
  return k;
}

describe("v1.1 outputs and input", () => {
  it("display with a displayId, then the same id again: the second is an update", async () => {
    const k = await kernel();
    const frames: Frame[] = [];
    await k.client.request(
      {
        id: "1",
        type: "execute",
        code: "display('loading', { displayId: 'p' }); display(42); display('done', { displayId: 'p' })",
      },
      (f) => frames.push(f),
    );
    const displays = frames.filter((f) => f.type === "display");
    expect(
      displays.map((f) => [(f.bundle as Record<string, string>)["text/plain"], f.displayId, f.update]),
    ).toEqual([
      ["'loading'", "p", undefined],
      ["42", undefined, undefined],
      ["'done'", "p", true],
    ]);
  });

  it("page(value) sends a display marked page: true (a front-end's pager)", async () => {
    const k = await kernel();
    const frames: Frame[] = [];
    await k.client.request({ id: "1", type: "execute", code: "page('long help text')" }, (f) =>
      frames.push(f),
    );
    expect(frames.find((f) => f.type === "display")).toMatchObject({
      page: true,
      bundle: { "text/plain": "'long help text'" },
    });
  });

  it("clearOutput() sends clear_output with wait", async () => {
    const k = await kernel();
    const frames: Frame[] = [];
    await k.client.request({ id: "1", type: "execute", code: "console.log('a'); clearOutput(true)" }, (f) =>
      frames.push(f),
    );
    expect(frames.map((f) => f.type)).toEqual(["started", "stdout", "clear_output", "done"]);
    expect(frames[2]).toMatchObject({ wait: true });
  });

  it("prompt() asks with input_request when allowStdin, and continues with provide_input's value", async () => {
    const k = await kernel();
    const frames: Frame[] = [];
    const done = k.client.request(
      { id: "1", type: "execute", allowStdin: true, code: "const who = await prompt('who? '); who + '!'" },
      (f) => {
        frames.push(f);
        if (f.type === "input_request") {
          void k.client.request({ id: "2", type: "provide_input", inputId: f.inputId, value: "ada" });
        }
      },
    );
    expect(await done).toMatchObject({ type: "done", status: "ok" });
    expect(frames.find((f) => f.type === "input_request")).toMatchObject({
      prompt: "who? ",
      password: false,
    });
    expect((frames.find((f) => f.type === "result")!.bundle as Record<string, string>)["text/plain"]).toBe(
      "'ada!'",
    );
  });

  it("without allowStdin, prompt() gets end of file (null) and no input_request is sent", async () => {
    const k = await kernel();
    const frames: Frame[] = [];
    await k.client.request({ id: "1", type: "execute", code: "await prompt('who? ')" }, (f) =>
      frames.push(f),
    );
    expect(frames.some((f) => f.type === "input_request")).toBe(false);
    expect((frames.find((f) => f.type === "result")!.bundle as Record<string, string>)["text/plain"]).toBe(
      "null",
    );
  });

  it("provide_input for no waiting cell is INVALID_REQUEST", async () => {
    const k = await kernel();
    const r = await k.client.request({ id: "1", type: "provide_input", inputId: "nope", value: "x" });
    expect(r).toMatchObject({ type: "error_reply", error: { code: "INVALID_REQUEST" } });
  });

  it("kernel_info reports protocol 1.1", async () => {
    const k = await kernel();
    expect(await k.client.request({ id: "1", type: "kernel_info" })).toMatchObject({
      protocolVersion: "1.1",
    });
  });
});
