// Python notebooks as Python users write them (docs/python.md): Python's own errors, star
// imports, IPython's `!`, `%time`, `%%time` and `%matplotlib inline`. Each case is the
// smallest notebook that showed the problem.
import { describe, expect, it } from "vitest";
import { runJson } from "../helpers/cli.ts";

const py = (source: string, args: string[] = []) => runJson(source, { name: "nb.py", args });

describe("Python errors are Python's", () => {
  it("a name no cell defines is NameError with the notebook line and a hint", () => {
    const r = py("# %% first\nprint(1)\n# %% uses\ny = 2\nundefined_variable\n");
    const e = r.cell("uses").error;
    expect(r.cell("uses").status).toBe("exception");
    expect(e).toMatchObject({ name: "NameError", code: "KK_MISSING_REF" });
    expect(e.message).toBe("name 'undefined_variable' is not defined");
    expect(e.traceback.join("\n")).toContain('File "nb.py", line 5');
    expect(e.traceback.join("\n")).toMatch(/hint: .*no cell defines 'undefined_variable'/i);
  });

  it("a name defined by a cell that failed names that cell in the hint", () => {
    const r = py("# %% maker\nv = 1 / 0\n# %% user\nprint(v)\n");
    // The descendant is cancelled; asking for the NameError directly goes through a re-run,
    // so check the cancellation names the cell.
    expect(r.cell("user").status).toBe("cancelled");
    expect(r.cell("user").error.message).toContain("'maker'");
  });

  it("in sequential mode a missing name is Python's own NameError, coded KK_MISSING_REF", () => {
    const r = py("# %% a\nx = 1\n# %% b\nprint(x)\nmissing_name\n", ["--mode", "sequential"]);
    const e = r.cell("b").error;
    expect(e).toMatchObject({ name: "NameError", code: "KK_MISSING_REF" });
    expect(e.traceback.join("\n")).toContain("line 5");
    expect(r.cell("b").stdout).toBe("1\n");
  });

  it("a cell reading a name from a cell with a syntax error is cancelled naming that cell", () => {
    const r = py("# %% setup\n%load_ext foo\nimport math\n# %% use\nmath.sqrt(4)\n");
    expect(r.cell("setup").status).toBe("error");
    expect(r.cell("use").status).toBe("cancelled");
    expect(r.cell("use").error.code).toBe("KK_CANCELLED");
    expect(r.cell("use").error.message).toContain("'setup'");
  });
});
