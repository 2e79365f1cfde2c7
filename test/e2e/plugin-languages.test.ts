// A third party adds a language: a shell executor package, written with `kernelkit new` from a
// temp folder against core's public exports only, declares `shell` (.sh, "#" comments); a
// project that depends on it checks, runs and certifies .sh notebooks.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { type FakePackage, pluginProject } from "../helpers/plugin-project.ts";
import { projectUsing, scaffold } from "../helpers/scaffold.ts";

// Cells out of order on purpose: `total` reads `base`, defined by the cell after it.
const NOTEBOOK = `# %% total
echo "total starts"
total=$((base * 2))
echo $total >&3

# %% base
base=21
echo "base is $base"
`;

let pkgDir = "";
let project = "";
beforeAll(() => {
  const made = scaffold(["executor", "sh", "--language", "shell", "--extension", ".sh"]);
  expect(made.cli.code, made.cli.stderr).toBe(0);
  pkgDir = made.dir;
  project = projectUsing(made.pkg, made.dir, { "nb.sh": NOTEBOOK });
}, 120_000);

function lines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.trim() !== "");
}

describe("a language from a package's manifest", () => {
  it("run nb.sh --json runs the cells in dependency order on the package's executor, output streamed per cell", () => {
    const r = runCli(["run", "nb.sh", "--json"], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.executor).toBe("sh");
    const [total, base] = json.cells;
    expect(base).toMatchObject({
      name: "base",
      status: "success",
      stdout: "base is 21\n",
      defs: ["base"],
      skippedBy: null,
    });
    expect(total).toMatchObject({
      name: "total",
      status: "success",
      stdout: "total starts\n",
      refs: ["base"],
      output: { "text/plain": "42" },
      skippedBy: null,
    });
  });

  it("run prints each cell's output as it comes (serve streams stdout frames per cell)", () => {
    const input = `${JSON.stringify({ id: "1", type: "run_cells", cellIds: ["total", "base"] })}\n`;
    const r = runCli(["serve", "nb.sh"], { cwd: project, input });
    const frames = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    const stdout = frames.filter((f) => f.type === "stdout");
    expect(stdout.map((f) => [f.cellId, f.data])).toEqual([
      ["base", "base is 21\n"],
      ["total", "total starts\n"],
    ]);
  });

  it("check nb.sh analyses the cells through the executor's analyze", () => {
    const r = runCli(["check", "nb.sh", "--json"], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    const cells = JSON.parse(r.stdout).cells;
    expect(
      cells.map((c: { name: string; defs: string[]; refs: string[] }) => [c.name, c.defs, c.refs]),
    ).toEqual([
      ["total", ["total"], ["base"]],
      ["base", ["base"], []],
    ]);
  });

  it("an .ipynb whose metadata names the language runs on the package's executor; convert goes both ways", () => {
    const ipynb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { name: "sh", display_name: "Shell", language: "shell" },
        language_info: { name: "shell" },
      },
      cells: [
        {
          id: "t",
          cell_type: "code",
          metadata: { name: "total" },
          source: ["total=$((base * 2))\n", "echo $total >&3\n"],
          outputs: [],
          execution_count: null,
        },
        {
          id: "b",
          cell_type: "code",
          metadata: { name: "base" },
          source: ["base=21\n", 'echo "base is $base"\n'],
          outputs: [],
          execution_count: null,
        },
      ],
    };
    writeFileSync(join(project, "nb.ipynb"), JSON.stringify(ipynb, null, 1));
    const r = runCli(["run", "nb.ipynb", "--json", "--output", "out.ipynb"], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.executor).toBe("sh");
    expect(json.cells.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([
      ["total", "success"],
      ["base", "success"],
    ]);
    const out = JSON.parse(readFileSync(join(project, "out.ipynb"), "utf8"));
    expect(out.metadata.kernelspec.language).toBe("shell");
    expect(out.cells[1].outputs).toContainEqual({
      output_type: "stream",
      name: "stdout",
      text: ["base is 21\n"],
    });

    // ipynb -> percent uses the language's line comment; percent -> ipynb names the language.
    expect(runCli(["convert", "nb.ipynb", "back.sh"], { cwd: project }).code).toBe(0);
    const percent = readFileSync(join(project, "back.sh"), "utf8");
    expect(percent).toMatch(/^# %% total/m);
    expect(percent).toMatch(/^# %% base/m);
    expect(runCli(["convert", "nb.sh", "fresh.ipynb"], { cwd: project }).code).toBe(0);
    const fresh = JSON.parse(readFileSync(join(project, "fresh.ipynb"), "utf8"));
    expect(fresh.metadata.language_info.name).toBe("shell");
    expect(runCli(["run", "fresh.ipynb", "--json"], { cwd: project }).code).toBe(0);

    // A language no package declares stays a coded error naming it.
    writeFileSync(
      join(project, "cobol.ipynb"),
      JSON.stringify({ ...ipynb, metadata: { language_info: { name: "cobol" } } }),
    );
    const bad = runCli(["run", "cobol.ipynb"], { cwd: project });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("KK_IPYNB_UNKNOWN_LANGUAGE");
    expect(bad.stderr).toContain("shell");
  });

  it("plugins --json lists the language, its package and the executor serving it", () => {
    const r = runCli(["plugins", "--json"], { cwd: project });
    const json = JSON.parse(r.stdout);
    expect(json.languages).toContainEqual({
      name: "shell",
      extensions: [".sh"],
      lineComment: "#",
      mimetype: "text/x-shell",
      package: "kernelkit-executor-sh",
      executors: ["sh"],
      status: "ok",
      reason: null,
    });
    const human = runCli(["plugins"], { cwd: project });
    expect(human.stdout).toMatch(/shell\s+\.sh\s+#\s+kernelkit-executor-sh\s+sh\s+ok/);
  });

  it("conformance sh prints a full scorecard from the package's own samples, n/a cases as n/a", () => {
    const r = runCli(["conformance", "sh", "--json"], { cwd: project, timeoutMs: 180_000 });
    expect(r.code, r.stderr).toBe(0);
    const card = JSON.parse(r.stdout);
    expect(card).toMatchObject({ plugin: "sh", kind: "executor" });
    expect(card.tiers.map((t: { tier: number }) => t.tier)).toEqual([1, 2, 3, 4]);
    const cases = card.tiers.flatMap((t: { cases: unknown[] }) => t.cases);
    for (const c of cases) expect(Object.keys(c).sort()).toEqual(["message", "name", "ok"]);
    // Not applicable: ok null (never counted as passed), the samples' reason after "n/a: ".
    const na = cases.filter((c: { ok: unknown }) => c.ok === null);
    expect(na.map((c: { message: string }) => c.message)).toEqual([
      "n/a: sh has no display(): cells write text",
      "n/a: sh reports no line-numbered frames for a failing function",
    ]);
    expect(cases.filter((c: { ok: unknown }) => c.ok === true).length).toBe(cases.length - 2);
    for (const t of card.tiers)
      expect(t.passed).toBe(t.cases.filter((c: { ok: unknown }) => c.ok === true).length);

    const text = runCli(["conformance", "sh"], { cwd: project, timeoutMs: 180_000 });
    expect(text.stdout).toContain("n/a: sh reports no line-numbered frames for a failing function");
    expect(text.stdout).toContain(
      "tier 1 passed (1 n/a), tier 2 passed (1 n/a), tier 3 passed, tier 4 passed",
    );
    const md = runCli(["conformance", "sh", "--md"], { cwd: project, timeoutMs: 180_000 });
    expect(md.stdout).toContain(
      "| the traceback shows the user's frames at notebook lines, and none of the executor's | ➖ n/a:",
    );
  }, 400_000);

  it("without an executor for the language: KK_NO_EXECUTOR naming the language and the packages that could serve it", () => {
    const r = runCli(["run", "nb.sh"], { cwd: project, env: { KERNELKIT_PLUGINS_DENY: "sh" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("KK_NO_EXECUTOR: no executor serves shell cells");
    expect(r.stderr).toMatch(
      /hint: Packages that could serve shell: kernelkit-executor-sh \(denied by KERNELKIT_PLUGINS_DENY\)/,
    );
  });

  it("--executor naming one of another language: KK_PLUGIN_LANGUAGE whose hint names the executors that serve it", () => {
    const r = runCli(["run", "nb.sh", "--executor", "default"], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "KK_PLUGIN_LANGUAGE: executor 'default' runs javascript cells, but this notebook's cells are shell",
    );
    expect(r.stderr).toContain("hint: Executors serving shell: sh;");
    expect(r.stderr).not.toContain("--executor python");
  });

  it("a samples module that does not load is a one-line coded error with a hint", () => {
    writeFileSync(join(project, "broken-samples.mjs"), "export default {;\n");
    const r = runCli(["conformance", "sh", "--samples", "./broken-samples.mjs"], { cwd: project });
    expect(r.code).toBe(2);
    const [error, hint] = lines(r.stderr);
    expect(error).toMatch(
      /^kernelkit: error KK_CONFORMANCE_SAMPLES: samples module \.\/broken-samples\.mjs failed to load: /,
    );
    expect(hint).toMatch(/^ {2}hint: /);
    void pkgDir;
  });
});

// Fake packages: manifests only (nothing is imported for these errors).
const shellLanguage = (ext = ".sh") => ({ shell: { extensions: [ext], lineComment: "#" } });
function languagePackage(languages: unknown): FakePackage {
  return { entryPoints: {}, files: {}, languages };
}

describe("bad language manifests", () => {
  it("two packages claiming one extension: KK_PLUGIN_AMBIGUOUS for that extension, other notebooks unaffected", () => {
    const p = pluginProject(
      {
        "kk-sh-a": languagePackage(shellLanguage()),
        "kk-sh-b": languagePackage({ bash: { extensions: [".sh"], lineComment: "#" } }),
      },
      { "nb.sh": NOTEBOOK, "nb.ts": "// %% a\n1 + 1\n" },
    );
    const r = runCli(["run", "nb.sh"], { cwd: p.dir });
    expect(r.code).toBe(2);
    const [error, hint] = lines(r.stderr);
    expect(error).toBe(
      "kernelkit: error KK_PLUGIN_AMBIGUOUS: extension .sh is claimed by more than one package: kk-sh-a (shell), kk-sh-b (bash)",
    );
    expect(hint).toMatch(/^ {2}hint: Keep one of them/);
    const ts = runCli(["run", "nb.ts", "--json"], { cwd: p.dir });
    expect(ts.code, ts.stderr).toBe(0);
  });

  it("a built-in extension cannot be taken over: a warning, and the built-in language runs", () => {
    const p = pluginProject(
      { "kk-ts-thief": languagePackage({ typed: { extensions: [".ts"], lineComment: "#" } }) },
      {
        "nb.ts": "// %% a\n6 * 7\n",
      },
    );
    const r = runCli(["run", "nb.ts", "--json"], { cwd: p.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).cells[0].output["text/plain"]).toBe("42");
    expect(r.stderr).toContain(
      "KK_PLUGIN_LANGUAGE: package 'kk-ts-thief' declares .ts for language 'typed', but .ts is built in (javascript); ignored",
    );
  });

  it("an invalid languages entry: a coded error for its files, a warning in plugins, nothing else affected", () => {
    const p = pluginProject(
      { "kk-bad": languagePackage({ shell: { extensions: [".sh"] } }) },
      {
        "nb.sh": NOTEBOOK,
        "nb.ts": "// %% a\n1\n",
      },
    );
    const r = runCli(["run", "nb.sh"], { cwd: p.dir });
    expect(r.code).toBe(2);
    const [error, hint] = lines(r.stderr);
    expect(error).toBe(
      `kernelkit: error KK_PLUGIN_MANIFEST: package 'kk-bad': "kernelkit.languages.shell" needs "lineComment": the language's line-comment marker, e.g. "#"`,
    );
    expect(hint).toMatch(/^ {2}hint: Fix the "kernelkit.languages" field of kk-bad's package.json/);
    const plugins = runCli(["plugins", "--json"], { cwd: p.dir });
    expect(plugins.stderr).toContain("warning KK_PLUGIN_MANIFEST");
    expect(JSON.parse(plugins.stdout).languages).toContainEqual(
      expect.objectContaining({ name: "shell", status: "invalid" }),
    );
    expect(runCli(["run", "nb.ts"], { cwd: p.dir }).code).toBe(0);
  });
});
