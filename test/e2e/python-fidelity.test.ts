// Python notebooks as Python users write them (docs/python.md): Python's own errors, star
// imports, IPython's `!`, `%time`, `%%time` and `%matplotlib inline`. Each case is the
// smallest notebook that showed the problem.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runCli, runJson, tempDir } from "../helpers/cli.ts";

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

describe("star imports", () => {
  const source = "# %% imports\nfrom math import *\n# %% use\nsqrt(16)\n";

  it("are a static error in reactive mode, in check and in run alike, and readers are cancelled", () => {
    const r = py(source);
    expect(r.code).toBe(1);
    expect(r.cell("imports")).toMatchObject({ status: "error", error: { code: "KK_STAR_IMPORT" } });
    expect(r.cell("imports").error.message).toContain("from math import *");
    expect(r.cell("imports").error.message).toContain("line 2");
    expect(r.cell("use").status).toBe("cancelled");
    expect(r.cell("use").error.message).toContain("'imports'");
    const check = runCli(["check", r.file, "--json"], { cwd: r.dir });
    expect(check.code).toBe(1);
    const cells = JSON.parse(check.stdout).cells;
    expect(cells[0].status).toBe("error");
    expect(JSON.stringify(cells[0].error)).toContain("KK_STAR_IMPORT");
  });

  it("work in sequential mode", () => {
    const r = py(source, ["--mode", "sequential"]);
    expect(r.code).toBe(0);
    expect(r.cell("use").output["text/plain"]).toBe("4.0");
  });
});

describe("IPython syntax", () => {
  it("runs !command lines (with {expression} expansion) and captures x = !command", () => {
    const r = py(
      '# %% shell\nword = "hello"\n!echo {word} from the shell\nlines = !printf "a\\\\nb\\\\n"\nprint(lines)\n',
    );
    expect(r.code).toBe(0);
    expect(r.cell("shell").stdout).toBe("hello from the shell\n['a', 'b']\n");
    expect(r.cell("shell").defs).toEqual(expect.arrayContaining(["word", "lines"]));
  });

  it("%time times one statement and keeps what it defines; its expression is the output", () => {
    const r = py("# %% timed\n%time x = sum(range(10))\n%time x * 2\n");
    expect(r.code).toBe(0);
    const out = r.cell("timed").stdout;
    expect(out.match(/CPU times: user .+, sys: .+, total: .+\nWall time: .+\n/g)).toHaveLength(2);
    expect(r.cell("timed").output["text/plain"]).toBe("90");
    expect(r.cell("timed").defs).toContain("x");
  });

  it("%%time times the whole cell, whose names and output stay as without it", () => {
    const r = py("# %% timed\n%%time\ny = 21\ny * 2\n# %% after\ny\n");
    expect(r.code).toBe(0);
    expect(r.cell("timed").stdout).toMatch(/^CPU times: .*\nWall time: .*\n$/);
    expect(r.cell("timed").output["text/plain"]).toBe("42");
    expect(r.cell("after").output["text/plain"]).toBe("21");
  });

  it("accepts %matplotlib inline, and the rest of the cell runs", () => {
    const r = py("# %% setup\n%matplotlib inline\nimport math\n# %% use\nmath.floor(2.5)\n");
    expect(r.code).toBe(0);
    expect(r.cell("use").output["text/plain"]).toBe("2");
  });

  it("shows matplotlib figures as image/png displays when matplotlib is importable", () => {
    // The executor's python3 first; Debian's interpreter may have python3-matplotlib instead.
    const python = [process.env.KERNELKIT_PYTHON ?? "python3", "/usr/bin/python3"].find(
      (p) => spawnSync(p, ["-c", "import matplotlib"], { cwd: tempDir() }).status === 0,
    );
    if (!python) {
      // CI installs Debian's python3-matplotlib and sets this: there, a missing one is a failure.
      if (process.env.KERNELKIT_REQUIRE_MATPLOTLIB === "1")
        throw new Error(
          "KERNELKIT_REQUIRE_MATPLOTLIB=1 but matplotlib is not importable by python3 nor /usr/bin/python3",
        );
      console.log(
        "NOT RUN: matplotlib is not importable by python3 nor /usr/bin/python3; image/png untested",
      );
      return;
    }
    const r = runJson(
      "# %% setup\n%matplotlib inline\nimport matplotlib.pyplot as plt\n# %% plot\nplt.plot([1, 2, 3])\nplt.show()\n# %% another\nfig = plt.figure()\n_ = plt.plot([3, 1])\n",
      { name: "nb.py", env: { KERNELKIT_PYTHON: python } },
    );
    expect(r.code).toBe(0);
    for (const name of ["plot", "another"]) {
      const displays = r.cell(name).displays;
      expect(displays).toHaveLength(1);
      expect(Buffer.from(displays[0]["image/png"], "base64").subarray(1, 4).toString()).toBe("PNG");
    }
  });

  it("any other magic is a static error naming the line and listing the supported ones", () => {
    const r = py("# %% magic\nimport os\n%load_ext autoreload\n");
    const e = r.cell("magic").error;
    expect(r.cell("magic").status).toBe("error");
    expect(e.code).toBe("KK_UNSUPPORTED_MAGIC");
    expect(e.message).toContain("%load_ext autoreload");
    expect(e.message).toContain("line 3");
    for (const m of ["%time", "%%time", "%matplotlib inline", "!command"]) expect(e.message).toContain(m);
    const cell = runJson("# %% magic\n%%bash\necho hi\n", { name: "nb.py" }).cell("magic");
    expect(cell.error.code).toBe("KK_UNSUPPORTED_MAGIC");
    expect(cell.error.message).toContain("%%bash");
  });

  it("leaves valid Python that merely contains % and ! alone", () => {
    const r = py('# %% plain\nx = 7 % 3\ny = "!" + "%d" % x\ny\n');
    expect(r.cell("plain").output["text/plain"]).toBe("'!1'");
  });
});
