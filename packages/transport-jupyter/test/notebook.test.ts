// nbclient (as nbconvert and papermill use it) executes a notebook with each kernelspec, and
// nbformat validates what it wrote: outputs, an error, a display, input refused without stdin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAVE_JUPYTER, installSpecs, runPy, type Specs } from "./jupyter-env.ts";

describe.runIf(HAVE_JUPYTER)("nbclient runs notebooks on kernelkit kernels", () => {
  let specs: Specs;
  beforeAll(() => {
    specs = installSpecs();
  });
  afterAll(() => specs?.cleanup());

  for (const language of ["javascript", "typescript", "python"]) {
    it(`kernelkit-${language}`, async () => {
      const r = await runPy(
        "notebook.py",
        [`kernelkit-${language}`, `${specs.prefix}/out-${language}.ipynb`],
        specs.env,
      );
      expect(r.code, r.stderr).toBe(0);
      const py = language === "python";
      expect(r.json.cells).toEqual([
        [{ type: "stream", text: `hello from ${py ? "python" : "js"}\n` }],
        [{ type: "execute_result", text: "42" }],
        [{ type: "display_data", text: "<b>bold</b>" }],
        [{ type: "error", text: py ? "ValueError: boom" : "Error: boom" }],
        // nbclient does not allow stdin: input() gets end of file, prompt() null.
        py
          ? [{ type: "error", text: "EOFError: EOF when reading a line" }]
          : [{ type: "stream", text: "null\n" }],
        [{ type: "stream", text: "still running\n" }],
      ]);
      expect(r.json.counts).toEqual([1, 2, 3, 4, 5, 6]);
    }, 120_000);
  }
});
