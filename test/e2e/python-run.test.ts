// Python notebooks through `kernelkit run --json` and `kernelkit check --json` (the built CLI).
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, runCli, runJson, startCli, tempDir } from "../helpers/cli.ts";

const py = (cells: string[]) => `${cells.join("\n\n")}\n`;

describe("kernelkit run on a .py notebook", () => {
  it("selects the python executor and reports outputs, prints, displays and rich reprs", () => {
    const r = runJson(
      py([
        "# %% data\nimport statistics\nvalues = [3, 1, 4, 1, 5]\nprint('loaded', len(values))",
        "# %% mean\nround(statistics.mean(values), 2)",
        "# %% table\nclass Table:\n    def _repr_html_(self):\n        return '<table><tr><td>3</td></tr></table>'\n    def __repr__(self):\n        return 'Table(1 row)'\ndisplay('shown first')\nTable()",
        "# %% quiet\nimport sys\nprint('to stderr', file=sys.stderr)\nnothing = None\nnothing",
      ]),
      { name: "nb.py" },
    );
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ schemaVersion: 1, ok: true, executor: "python" });
    expect(r.cell("data")).toMatchObject({
      status: "success",
      stdout: "loaded 5\n",
      output: null,
      defs: ["statistics", "values"],
      refs: [],
    });
    expect(r.cell("mean")).toMatchObject({
      status: "success",
      output: { "text/plain": "2.8" },
      refs: ["statistics", "values"],
    });
    expect(r.cell("table").output).toEqual({
      "text/html": "<table><tr><td>3</td></tr></table>",
      "text/plain": "Table(1 row)",
    });
    expect(r.cell("table").displays).toEqual([{ "text/plain": "'shown first'" }]);
    expect(r.cell("quiet")).toMatchObject({ status: "success", output: null, stderr: "to stderr\n" });
  });

  it("runs cells in dependency order whatever their order in the file", () => {
    const r = runJson(
      py([
        "# %% report\nprint('report sees', total)\nf'total={total}'",
        "# %% total\ntotal = sum(prices) * rate",
        "# %% rate\nrate = 2",
        "# %% prices\nprices = [1, 2, 3]",
      ]),
      { name: "nb.py" },
    );
    expect(r.code).toBe(0);
    expect(r.cell("report")).toMatchObject({
      status: "success",
      stdout: "report sees 12\n",
      output: { "text/plain": "'total=12'" },
    });
    expect(r.cell("total").refs.sort()).toEqual(["prices", "rate"]);
  });

  it("a ZeroDivisionError fails its cell, cancels its descendants, and spares the rest", () => {
    const r = runJson(
      py([
        "# %% inputs\ncount = 0\namount = 10",
        "# %% ratio\nper_item = amount / count",
        "# %% report\nprint('per item', per_item)",
        "# %% summary\nreport_line = f'{per_item:.2f}'",
        "# %% independent\namount * 3",
      ]),
      { name: "nb.py" },
    );
    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    const ratio = r.cell("ratio");
    expect(ratio.status).toBe("exception");
    expect(ratio.error).toMatchObject({ name: "ZeroDivisionError", message: "division by zero" });
    // "per_item = amount / count" is line 6 of the file.
    expect(ratio.error.traceback).toContain('  File "nb.py", line 6, in <cell ratio>');
    expect(ratio.error.traceback).toContain("    per_item = amount / count");
    expect(ratio.error.traceback.join("\n")).not.toMatch(/runner\.py|kernelkit/);
    for (const name of ["report", "summary"]) {
      expect(r.cell(name).status).toBe("cancelled");
      expect(r.cell(name).error.message).toContain("ratio");
      expect(r.cell(name).stdout).toBe("");
    }
    expect(r.cell("independent")).toMatchObject({ status: "success", output: { "text/plain": "30" } });
  });

  it("sys.exit() in a cell is contained: the cell fails, the kernel carries on", () => {
    const r = runJson(
      py([
        "# %% setup\nimport sys\nready = True",
        "# %% leave\nprint('about to exit')\nsys.exit(4)",
        "# %% after_exit\nready",
        "# %% quitter\nquit()",
      ]),
      { name: "nb.py" },
    );
    expect(r.code).toBe(1);
    expect(r.cell("leave")).toMatchObject({ status: "exception", stdout: "about to exit\n" });
    expect(r.cell("leave").error).toMatchObject({ name: "SystemExit", code: "KK_PROCESS_EXIT" });
    expect(r.cell("after_exit")).toMatchObject({ status: "success", output: { "text/plain": "True" } });
    expect(r.cell("quitter").error).toMatchObject({ name: "SystemExit" });
  });

  it("input() gets end-of-file, and the CLI's own stdin never reaches Python", () => {
    const dir = tempDir();
    const file = join(dir, "nb.py");
    writeFileSync(
      file,
      py([
        "# %% ask\ntry:\n    answer = input('name? ')\nexcept EOFError:\n    answer = 'EOF'\nanswer",
        "# %% rest\nimport sys\nsys.stdin.read()",
      ]),
    );
    const r = runCli(["run", file, "--json"], {
      cwd: dir,
      input: '{"id":"x","type":"execute","code":"1"}\nsecret\n',
    });
    const json = JSON.parse(r.stdout);
    const cell = (n: string) => json.cells.find((c: any) => c.name === n);
    expect(cell("ask").output).toEqual({ "text/plain": "'EOF'" });
    expect(cell("rest").output).toEqual({ "text/plain": "''" });
  });

  it("a syntax error is reported with its notebook line, and its descendants do not run", () => {
    const r = runJson(
      py(["# %% fine\nbase = 1", "# %% broken\nvalue = base +\nprint(value)", "# %% later\nvalue * 2"]),
      { name: "nb.py" },
    );
    expect(r.code).toBe(1);
    const broken = r.cell("broken");
    expect(broken.status).toBe("error");
    expect(broken.error).toMatchObject({ name: "SyntaxError", code: "KK_SYNTAX" });
    // "value = base +" is line 5 of the file.
    expect(broken.error.message).toContain("line 5");
    expect(r.cell("fine").status).toBe("success");
    expect(["cancelled", "exception"]).toContain(r.cell("later").status);
    expect(r.cell("later").error.message).toMatch(/broken|value/);
  });

  it("--strict is refused: strict mode needs a JS scope, which the python executor does not provide", () => {
    const r = runJson(py(["# %%\nx = 1"]), { name: "nb.py", args: ["--strict"] });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe("KK_PLUGIN_REQUIRES");
    expect(r.json.error.message).toContain("strict");
    expect(r.json.error.message).toContain("python");
  });

  it("SIGINT interrupts a running Python loop (KeyboardInterrupt): status interrupted, the rest cancelled, exit 130", async () => {
    const dir = tempDir();
    const flag = join(dir, "looping");
    const file = join(dir, "nb.py");
    writeFileSync(
      file,
      py([
        "# %% first\nstarted = True",
        `# %% spin\nimport pathlib\npathlib.Path(${JSON.stringify(flag)}).write_text('x')\nn = 0\nwhile started:\n    n += 1`,
        "# %% after\nn",
      ]),
    );
    const cli = startCli(["run", file, "--json"], { cwd: dir });
    for (let i = 0; i < 600 && !existsSync(flag); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(flag)).toBe(true);
    cli.child.kill("SIGINT");
    const r = await cli.done;
    expect(r.code).toBe(130);
    const json = JSON.parse(r.stdout);
    const cell = (n: string) => json.cells.find((c: any) => c.name === n);
    expect(cell("first").status).toBe("success");
    expect(cell("spin").status).toBe("interrupted");
    expect(cell("spin").error.code).toBe("KK_INTERRUPTED");
    expect(cell("after").status).toBe("cancelled");
  });
});

describe("interrupting Python through the CLI", () => {
  it("--timeout interrupts a Python cell that runs too long (exit 1, not 130) and Python carries on", () => {
    const r = runJson(
      py(["# %% setup\nlimit = 10", "# %% forever\nwhile limit:\n    pass", "# %% next\nlimit + 1"]),
      {
        name: "nb.py",
        args: ["--timeout", "500"],
      },
    );
    expect(r.code).toBe(1);
    expect(r.cell("forever")).toMatchObject({ status: "interrupted" });
    expect(r.cell("forever").error.code).toBe("KK_INTERRUPTED");
    // The timeout stopped only that cell: Python lives on and runs the next one.
    expect(r.cell("next")).toMatchObject({ status: "success", output: { "text/plain": "11" } });
  });

  it("a cell that ignores SIGINT is stopped by restarting Python, and its stderr says the names are lost", async () => {
    const dir = tempDir();
    const flag = join(dir, "ignoring");
    const file = join(dir, "nb.py");
    writeFileSync(
      file,
      py([
        `# %% stubborn\nimport pathlib, signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\npathlib.Path(${JSON.stringify(flag)}).write_text('x')\nwhile True:\n    pass`,
      ]),
    );
    const cli = startCli(["run", file, "--json"], { cwd: dir });
    for (let i = 0; i < 600 && !existsSync(flag); i++) await new Promise((r) => setTimeout(r, 50));
    cli.child.kill("SIGINT");
    const r = await cli.done;
    expect(r.code).toBe(130);
    const cell = JSON.parse(r.stdout).cells[0];
    expect(cell.status).toBe("interrupted");
    expect(cell.stderr).toMatch(/Python\s+process was restarted; every name it held is lost/);
  });
});

describe("kernelkit check on a .py notebook", () => {
  it("lists defs and refs from Python's own analysis without running anything", () => {
    const dir = tempDir();
    const file = join(dir, "nb.py");
    const marker = join(dir, "ran");
    writeFileSync(
      file,
      py([
        `# %% a\nimport os\nopen(${JSON.stringify(marker)}, 'w').close()\nrows = [1, 2]`,
        "# %% b\ndef total():\n    return sum(rows) + offset",
        "# %% c\nbad = (",
      ]),
    );
    const r = runCli(["check", file, "--json"], { cwd: dir });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.cells.map((c: any) => [c.name, c.status, c.defs, c.refs])).toEqual([
      ["a", "ok", ["os", "rows"], []],
      ["b", "ok", ["total"], ["rows", "offset"]],
      ["c", "error", [], []],
    ]);
    // "bad = (" is line 11 of the file; the column is the bracket's.
    expect(json.cells[2].error).toMatchObject({ code: "KK_SYNTAX", line: 11, column: 7 });
    expect(existsSync(marker)).toBe(false);
  });
});

describe("the Python example notebooks", () => {
  const runExample = (name: string) => {
    const r = runCli(["run", join(REPO, "examples", "notebooks", name), "--json"]);
    const json = JSON.parse(r.stdout);
    return { ...r, json, cell: (n: string) => json.cells.find((c: any) => c.name === n) };
  };

  it("weather.py wrangles the CSV and fails only its deliberate ZeroDivisionError branch", () => {
    const r = runExample("weather.py");
    expect(r.code).toBe(1);
    expect(r.cell("clean").stdout).toBe("kept 42 readings, skipped 2 malformed rows\n");
    expect(r.cell("report").output["text/html"]).toMatch(/^<table>.*<td>Harbor<\/td>.*<\/table>$/);
    expect(r.cell("rain_chart").output["image/svg+xml"]).toMatch(/^<svg /);
    // The summary comes first in the file but runs after everything it reads.
    expect(r.cell("summary")).toMatchObject({ status: "success" });
    expect(r.cell("summary").stdout).toContain("42 readings from 3 stations");
    expect(r.cell("hot_days").error).toMatchObject({ name: "ZeroDivisionError" });
    expect(r.cell("hot_report")).toMatchObject({ status: "cancelled" });
    const failed = r.json.cells.filter((c: any) => c.status !== "success");
    expect(failed.map((c: any) => c.name).sort()).toEqual(["hot_days", "hot_report"]);
  });

  it("pipeline.py awaits at top level and shows Markdown and JSON reprs", () => {
    const r = runExample("pipeline.py");
    expect(r.code).toBe(0);
    expect(r.cell("progress").displays.map((d: any) => d["text/markdown"])).toEqual([
      "**1/3** sources merged",
      "**2/3** sources merged",
      "**3/3** sources merged",
    ]);
    expect(r.cell("summary").output["application/json"]).toEqual({
      sources: ["alpha", "beta", "gamma"],
      total_items: 42,
    });
  });
});
