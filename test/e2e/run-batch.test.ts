// `kernelkit run A B C --jobs N` (docs/modes.md, "Batches"): parallel kernels, one summary.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startCli, tempDir } from "../helpers/cli.ts";

function notebooks(dir: string, files: Record<string, string>): string[] {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return Object.keys(files);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("run with several notebooks", () => {
  const dir = tempDir();
  const files = notebooks(dir, {
    "a.ts": "// %% one\nconst a = 1;\n// %% two\na + 1\n",
    "b.py": "# %% boom\nv = int('b fails')\n# %% after\nprint(v)\n",
    "c.js": "// %% c\nconsole.log('c ran')\n",
  });

  it("prints one JSON object with every notebook's run and exits 1 when one failed", () => {
    const r = runCli(["run", ...files, "--json", "--jobs", "2"], { cwd: dir });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ schemaVersion: 1, ok: false });
    expect(json.notebooks.map((n: any) => n.path)).toEqual(files);
    const [a, b, c] = json.notebooks;
    expect(a).toMatchObject({ ok: true, executor: "default" });
    expect(a.cells.map((x: any) => x.status)).toEqual(["success", "success"]);
    expect(b.ok).toBe(false);
    expect(b.cells[0]).toMatchObject({ status: "exception", error: { name: "ValueError" } });
    expect(b.cells[1].status).toBe("cancelled");
    expect(c.cells[0].stdout).toBe("c ran\n");
  });

  it("prints a summary table: per notebook its cells, failures and time", () => {
    const r = runCli(["run", ...files, "--jobs", "3"], { cwd: dir });
    expect(r.code).toBe(1);
    const row = (path: string) => r.stdout.split("\n").find((l) => l.includes(` ${path} `)) ?? "";
    expect(row("a.ts")).toMatch(/✓ a\.ts\s+2\s+0\s+\d/);
    expect(row("b.py")).toMatch(/✗ b\.py\s+2\s+2\s+\d/);
    expect(row("c.js")).toMatch(/✓ c\.js\s+1\s+0\s+\d/);
    expect(r.stdout).toMatch(/3 notebooks: 2 ok, 1 failed/);
  });

  it("exits 0 when every notebook succeeds, and passes flags such as --mode on to each", () => {
    const more = notebooks(dir, {
      "s1.js": "// %% a\nlet x = 1;\n// %% b\nlet x = 2;\nx\n",
      "s2.js": "// %% a\nconst y = 1;\n// %% b\nconst y = 2;\n",
    });
    const reactive = runCli(["run", ...more, "--json"], { cwd: dir });
    expect(reactive.code).toBe(1);
    const r = runCli(["run", "--mode", "sequential", ...more, "--json", "--jobs=1"], { cwd: dir });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.ok).toBe(true);
    expect(json.notebooks.every((n: any) => n.mode === "sequential")).toBe(true);
  });

  it("refuses a missing notebook before running any (exit 2)", () => {
    const r = runCli(["run", "a.ts", "missing.js", "--json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe("KK_NOTEBOOK_NOT_FOUND");
    expect(r.stderr).toContain("missing.js");
  });

  it("Ctrl-C stops every notebook, leaves no process behind and exits 130", async () => {
    const d = tempDir();
    const slow = notebooks(d, {
      "s1.js": `// %% spin\nrequire("node:fs").writeFileSync("s1.pid", String(process.pid));\nwhile (true) {}\n`,
      "s2.py": `# %% sleep\nimport os, time\nopen("s2.pid", "w").write(str(os.getpid()))\ntime.sleep(600)\n`,
      "s3.js": `// %% later\nconsole.log("queued behind the others")\n`,
    });
    const run = startCli(["run", ...slow, "--jobs", "2", "--json"], { cwd: d });
    await waitFor(() => existsSync(join(d, "s1.pid")) && existsSync(join(d, "s2.pid")));
    const pids = ["s1.pid", "s2.pid"].map((f) => Number(readFileSync(join(d, f), "utf8")));
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(130);
    const json = JSON.parse(r.stdout);
    expect(json.ok).toBe(false);
    expect(json.notebooks.map((n: any) => n.path)).toEqual(slow);
    expect(json.notebooks[0].cells[0].status).toBe("interrupted");
    expect(json.notebooks[2].error.code).toBe("KK_INTERRUPTED");
    await waitFor(() => pids.every((pid) => !alive(pid)), 5000);
  });
});
