// stdout through iopub: the transport gathers core's output frames into larger `stream`
// messages (docs/jupyter.md "Output"), and that must neither reorder output around a display
// or the result, lose any of it, nor hold back text while a cell waits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAVE_JUPYTER, installSpecs, runPy, type Specs } from "./jupyter-env.ts";

describe.runIf(HAVE_JUPYTER)("stream messages", () => {
  let specs: Specs;
  beforeAll(() => {
    specs = installSpecs([["--language", "javascript"]]);
  });
  afterAll(() => specs?.cleanup());

  it("megabytes of output with a display between: complete, in order, and the text before a wait arrives during it", async () => {
    const r = await runPy("stream_order.py", ["kernelkit-javascript"], specs.env);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json;
    expect(s.status).toBe("ok");
    expect(s.kinds).toEqual([
      "status",
      "execute_input",
      "stream:stdout:a",
      "display_data",
      "stream:stdout:b",
      "execute_result",
      "status",
    ]);
    expect(s.text_equal).toBe(true);
    expect(s.mixed).toBe(false);
    expect(s.wait).toEqual(["waiting", "released"]);
  }, 120_000);
});
