// `kernelkit run A B C --jobs N` (docs/modes.md, "Batches"): parallel kernels, one summary.
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
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

  // Batch workers run several notebooks in one process (docs/modes.md, "Batches"); no notebook
  // may see what another left behind, whether or not they shared the process.
  it("isolates notebooks that share a worker process: globals, env, cwd, timers, modules", () => {
    const d = tempDir();
    writeFileSync(join(d, "state.mjs"), "export const state = { count: 0 };\n");
    const look =
      "// %% look\nconsole.log(JSON.stringify({ pid: process.pid, global: String(globalThis['leaked']), env: process.env.KK_LEAK ?? null, cwd: process.cwd(), exitCode: process.exitCode ?? null }))\n";
    const files = notebooks(d, {
      "first.js": "// %% clean\nconsole.log(JSON.stringify({ pid: process.pid }))\n",
      "leak.js": [
        "// %% leak",
        "globalThis.leaked = 1;",
        "process.env.KK_LEAK = 'yes';",
        "process.exitCode = 7;",
        "process.on('exit', () => console.log('exit listener of leak.js'));",
        "process.chdir('/');",
        "",
      ].join("\n"),
      "look1.js": look,
      "timer.js": "// %% timer\nsetInterval(() => console.log('tick from timer.js'), 1);\n",
      "look2.js": look,
      "module1.js":
        "// %% m\nimport { state } from './state.mjs';\nstate.count += 1;\nconsole.log(state.count)\n",
      "module2.js":
        "// %% m\nimport { state } from './state.mjs';\nstate.count += 1;\nconsole.log(state.count)\n",
      "look3.js": look,
    });
    const r = runCli(["run", ...files, "--json", "--jobs", "1"], { cwd: d });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    const out = (path: string) => json.notebooks.find((n: any) => n.path === path).cells[0].stdout as string;
    const first = JSON.parse(out("first.js"));
    const looks = ["look1.js", "look2.js", "look3.js"].map((f) => JSON.parse(out(f)));
    // The first two looks follow clean notebooks' workers: the process is shared...
    expect(looks[0].pid).toBe(first.pid);
    for (const seen of looks) {
      // ...and still nothing of the notebooks before shows.
      expect(seen).toMatchObject({ global: "undefined", env: null, exitCode: null });
      expect(realpathSync(seen.cwd)).toBe(realpathSync(d));
    }
    expect(out("module1.js")).toBe("1\n");
    expect(out("module2.js")).toBe("1\n");
    expect(r.stdout + r.stderr).not.toContain("tick from timer.js");
    expect(r.stdout + r.stderr).not.toContain("exit listener of leak.js");
  });

  it("a notebook that kills its process fails alone; the notebooks after it still run", () => {
    const d = tempDir();
    const files = notebooks(d, {
      "ok1.js": "// %% a\nconsole.log('one')\n",
      "crash.js": "// %% die\nprocess.kill(process.pid, 'SIGKILL');\n",
      "ok2.js": "// %% b\nconsole.log('two')\n",
      "ok3.py": "# %% c\nprint('three')\n",
    });
    const r = runCli(["run", ...files, "--json", "--jobs", "1"], { cwd: d });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    const [ok1, crash, ok2, ok3] = json.notebooks;
    expect(ok1.ok).toBe(true);
    expect(crash).toMatchObject({ path: "crash.js", ok: false, error: { code: "KK_INTERNAL" } });
    expect(ok2).toMatchObject({ ok: true });
    expect(ok2.cells[0].stdout).toBe("two\n");
    expect(ok3.cells[0].stdout).toBe("three\n");
  });
});
