// Lifecycles that decide, through a lifecycle package made with `kernelkit new lifecycle`: it
// skips a cell (skippedBy), fails one (the error names it), stops a `while (true) {}` that runs
// over its budget with ctx.interrupt (status interrupted, the reason in the message) and later
// cells still run; a teardown may replace a result; options are checked against its schema.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { projectUsing, scaffold } from "../helpers/scaffold.ts";

const NOTEBOOK = `// %% skipped
console.log("never printed");

// %% denied
1 + 1

// %% spin
while (true) {}

// %% after
const after = 6 * 7;
after
`;

let project = "";
function config(options: unknown) {
  writeFileSync(
    join(project, "kernelkit.config.json"),
    JSON.stringify({ lifecycles: [["budget", options]] }),
  );
}

beforeAll(() => {
  const made = scaffold(["lifecycle", "budget"]);
  expect(made.cli.code, made.cli.stderr).toBe(0);
  project = projectUsing(made.pkg, made.dir, { "nb.ts": NOTEBOOK });
}, 120_000);

describe("lifecycles that decide", () => {
  it("skips, fails and interrupts cells; later cells still run", () => {
    config({ budgetMs: 400, skip: ["skipped"], deny: ["denied"] });
    const r = runCli(["run", "nb.ts", "--json"], { cwd: project });
    expect(r.code, r.stderr).toBe(1);
    const cells = Object.fromEntries(JSON.parse(r.stdout).cells.map((c: { name: string }) => [c.name, c]));
    expect(cells.skipped).toMatchObject({ status: "success", skippedBy: "budget", stdout: "", error: null });
    expect(cells.denied).toMatchObject({ status: "exception", skippedBy: null, output: null });
    expect(cells.denied.error.message).toBe(
      "lifecycle 'budget' failed the cell in setup: cell 'denied' is not allowed to run",
    );
    expect(cells.spin).toMatchObject({ status: "interrupted", skippedBy: null });
    expect(cells.spin.error.message).toContain("over its budget of 400 ms");
    expect(cells.after).toMatchObject({ status: "success", skippedBy: null, output: { "text/plain": "42" } });

    const human = runCli(["run", "nb.ts"], { cwd: project });
    expect(human.stdout).toMatch(/↷ \[1\] skipped {2}skipped by budget/);
    expect(human.stdout).toMatch(/\[3\] spin {2}interrupted/);
    expect(human.stdout).toContain("1 skipped");
  });

  it("options that fail the lifecycle's optionsSchema: KK_PLUGIN_OPTIONS naming the plugin, the path, what was expected and given", () => {
    config({ budgetMs: "300" });
    const r = runCli(["run", "nb.ts", "--json"], { cwd: project });
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json.error.code).toBe("KK_PLUGIN_OPTIONS");
    expect(json.error.message).toBe(
      `lifecycle 'budget' (kernelkit-lifecycle-budget@0.1.0) has invalid options: budgetMs: expected a positive number of milliseconds (given "300")`,
    );
    expect(json.error.hint).toContain("optionsSchema");
    expect(json.cells).toEqual([]);
  });

  it("a teardown that returns a RunResult replaces the cell's result", () => {
    config({ budgetMs: 5000 });
    writeFileSync(
      join(project, "forgive.mjs"),
      `export default { name: "forgive", teardown(cell, ctx, result) {
        if (result.error) return { output: "forgiven: " + result.error.message, error: null };
      } };\n`,
    );
    writeFileSync(join(project, "fails.ts"), `// %% boom\nthrow new Error("boom");\n// %% next\n1\n`);
    const r = runCli(["run", "fails.ts", "--json", "--lifecycle", "./forgive.mjs"], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    const [boom] = JSON.parse(r.stdout).cells;
    expect(boom).toMatchObject({
      status: "success",
      error: null,
      output: { "text/plain": "'forgiven: boom'" },
    });
  });
});
