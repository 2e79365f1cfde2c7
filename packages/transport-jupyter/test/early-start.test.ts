// A Jupyter kernel binds its sockets before core loads (docs/jupyter.md "Start"): requests sent
// the moment it starts are answered exactly as a loaded kernel answers them, none is lost, and
// they are answered in the order they came.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAVE_JUPYTER, installSpecs, runPy, type Specs } from "./jupyter-env.ts";

describe.runIf(HAVE_JUPYTER)("requests sent as the kernel starts", () => {
  let specs: Specs;
  beforeAll(() => {
    const config = join(mkdtempSync(join(tmpdir(), "kk-early-")), "kernelkit.config.mjs");
    writeFileSync(config, 'export default { mode: "reactive" };\n');
    specs = installSpecs([["--language", "javascript", "--name", "reactive-js", "--config", config]]);
  });
  afterAll(() => specs?.cleanup());

  for (const language of ["javascript", "typescript", "python"]) {
    it(`kernelkit-${language}: the first kernel_info_reply is the loaded kernel's, an execute sent at once runs, order kept`, async () => {
      const r = await runPy("early_start.py", [`kernelkit-${language}`], specs.env);
      expect(r.code, r.stderr).toBe(0);
      const s = r.json;
      expect(s.order).toEqual(["kernel_info_reply", "execute_reply", "kernel_info_reply"]);
      expect(s.first).toMatchObject({
        status: "ok",
        protocol_version: "5.3",
        implementation: "kernelkit",
        language_info: { name: language },
      });
      expect(s.first_equals_later).toBe(true);
      expect(s.later_equals_first).toBe(true);
      expect(s.execute).toEqual({ status: "ok" });
      expect(s.result).toBe("42");
      expect(s.states).toEqual(["busy", "idle"]);
    }, 120_000);
  }

  it("executes sent before the kernel has loaded run in the mode its config sets", async () => {
    const reactive = await runPy("early_mode.py", ["reactive-js"], specs.env);
    expect(reactive.code, reactive.stderr).toBe(0);
    // Reactive: one name, two defining cells — the second is refused.
    expect(reactive.json.statuses).toEqual(["ok", "error"]);
    const sequential = await runPy("early_mode.py", ["kernelkit-javascript"], specs.env);
    expect(sequential.code, sequential.stderr).toBe(0);
    expect(sequential.json.statuses).toEqual(["ok", "ok"]);
  }, 120_000);
});
