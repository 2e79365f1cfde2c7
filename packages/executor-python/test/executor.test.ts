// The Python executor driven directly, with real python3 subprocesses.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isInterruptError } from "@kernelkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPythonExecutor, PythonExecutor, PythonObject } from "../src/index.ts";
import { compile, context, run } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "kk-py-"));
let py: PythonExecutor;
beforeAll(async () => {
  py = await createPythonExecutor({}, { cwd: dir, notebookPath: join(dir, "nb.py") });
});
afterAll(() => py.dispose());

/** Whether a process runs (a zombie waiting for a reaper does not count). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
};

describe("outputs", () => {
  it("the last expression is the output; text/plain is repr()", async () => {
    expect((await run(py, "x = 20\nx * 2 + 2")).output).toEqual({ "text/plain": "42" });
    expect((await run(py, "'hé' + \"llo\"")).output).toEqual({ "text/plain": "'héllo'" });
    expect((await run(py, "[1, None, {'a': (2,)}]")).output).toEqual({
      "text/plain": "[1, None, {'a': (2,)}]",
    });
  });

  it("no output for None, a statement last, or a trailing semicolon", async () => {
    expect((await run(py, "None")).output).toBeUndefined();
    expect((await run(py, "z = 1")).output).toBeUndefined();
    expect((await run(py, "print('p')")).output).toBeUndefined();
    expect((await run(py, "1 + 1;")).output).toBeUndefined();
  });

  it("values offering _repr_*_ methods become mime bundles", async () => {
    const r = await run(
      py,
      [
        "class Rich:",
        "    def _repr_html_(self): return '<b>bold</b>'",
        "    def _repr_markdown_(self): return '**bold**'",
        "    def _repr_png_(self): return b'\\x89PNG'",
        "    def _repr_svg_(self): return '<svg></svg>'",
        "    def _repr_json_(self): return {'a': [1, 2]}",
        "    def _repr_latex_(self): return '$x^2$'",
        "    def _repr_jpeg_(self): return None",
        "    def __repr__(self): return 'Rich()'",
        "Rich()",
      ].join("\n"),
    );
    expect(r.error).toBeNull();
    expect(r.output).toEqual({
      "text/html": "<b>bold</b>",
      "text/markdown": "**bold**",
      "image/png": Buffer.from("\x89PNG", "latin1").toString("base64"),
      "image/svg+xml": "<svg></svg>",
      "application/json": { a: [1, 2] },
      "text/latex": "$x^2$",
      "text/plain": "Rich()",
    });
  });

  it("a failing _repr_html_ still gives text/plain and says why on stderr", async () => {
    const r = await run(
      py,
      "class Bad:\n    def _repr_html_(self): raise ValueError('nope')\n    def __repr__(self): return 'Bad()'\nBad()",
    );
    expect(r.output).toEqual({ "text/plain": "Bad()" });
    expect(r.stderr()).toContain("Bad._repr_html_() failed: ValueError: nope");
  });

  it("display() adds outputs while the cell runs, in order with its prints", async () => {
    const r = await run(
      py,
      "class H:\n    def _repr_html_(self): return '<i>h</i>'\n    def __repr__(self): return 'H'\nprint('before')\ndisplay(H(), 7)\nprint('after')\n'end'",
    );
    expect(r.displays).toEqual([{ "text/html": "<i>h</i>", "text/plain": "H" }, { "text/plain": "7" }]);
    expect(r.events).toEqual(["stdout:before\n", "display:H", "display:7", "stdout:after\n"]);
    expect(r.output).toEqual({ "text/plain": "'end'" });
  });
});

describe("stdout and stderr", () => {
  it("prints, stderr and subprocesses reach the cell, in order", async () => {
    const r = await run(
      py,
      [
        "import subprocess, sys",
        "print('one')",
        "print('warn', file=sys.stderr)",
        "subprocess.run(['echo', 'from a child'])",
        "subprocess.run(['sh', '-c', 'echo child err >&2'])",
        "print('two')",
      ].join("\n"),
    );
    expect(r.error).toBeNull();
    expect(r.stdout()).toBe("one\nfrom a child\ntwo\n");
    expect(r.stderr()).toBe("warn\nchild err\n");
  });

  it("writes straight to fd 1 and fd 2 (as C extensions do) reach the cell before it ends", async () => {
    const r = await run(py, "import os\nos.write(1, b'raw out\\n')\nos.write(2, b'raw err\\n')\n'done'");
    expect(r.stdout()).toBe("raw out\n");
    expect(r.stderr()).toBe("raw err\n");
    expect(r.events.at(-1)).toBe("stderr:raw err\n");
  });

  it("text that looks like a protocol line or contains NULs is just text", async () => {
    const r = await run(
      py,
      `print('{"op": "done", "seq": 1, "status": "ok"}')\nprint('a\\0b\\0kk:1\\0')\n'ok'`,
    );
    expect(r.stdout()).toBe('{"op": "done", "seq": 1, "status": "ok"}\na\0b\0kk:1\0\n');
    expect(r.output).toEqual({ "text/plain": "'ok'" });
  });

  it("output streams while the cell runs (it is not held until the cell ends)", async () => {
    const flag = join(dir, "go-on");
    const cell = await compile(
      py,
      [
        "import os, time",
        "print('waiting', end='')",
        "deadline = time.time() + 20",
        `while not os.path.exists(${JSON.stringify(flag)}) and time.time() < deadline:`,
        "    time.sleep(0.01)",
        `print(' released' if os.path.exists(${JSON.stringify(flag)}) else ' never saw the flag')`,
      ].join("\n"),
    );
    const r = context(py);
    const done = py.execute(cell, r.ctx);
    await r.waitForStdout("waiting");
    writeFileSync(flag, "");
    await done;
    expect(r.stdout()).toBe("waiting released\n");
  });

  it("a megabyte of output arrives whole and in order", async () => {
    const r = await run(py, "for i in range(20000):\n    print(f'line {i:05d} ' + 'x' * 40)");
    const lines = r.stdout().split("\n");
    expect(lines).toHaveLength(20001);
    expect(lines[0]).toBe(`line 00000 ${"x".repeat(40)}`);
    expect(lines[19999]).toBe(`line 19999 ${"x".repeat(40)}`);
  });

  it("display() from other threads while the cell prints keeps every output and never stalls", async () => {
    const r = await run(
      py,
      [
        "import threading",
        "def shower(tag):",
        "    for i in range(50):",
        "        display(f'{tag}{i}')",
        "threads = [threading.Thread(target=shower, args=(t,)) for t in 'abc']",
        "for t in threads: t.start()",
        "for i in range(200): print('line', i)",
        "for t in threads: t.join()",
      ].join("\n"),
    );
    expect(r.error).toBeNull();
    expect(r.displays).toHaveLength(150);
    expect(r.stdout().split("\n")).toHaveLength(201);
  });

  it("a forked child's prints arrive, and its display() never writes into the protocol", async () => {
    const r = await run(
      py,
      "import os\npid = os.fork()\nif pid == 0:\n    print('from the child', flush=True)\n    display('child display')\n    os._exit(0)\nos.waitpid(pid, 0)\nprint('parent done')\n'ok'",
    );
    expect(r.error).toBeNull();
    expect(r.stdout()).toContain("from the child\n");
    expect(r.stdout()).toContain("parent done\n");
    expect(r.output).toEqual({ "text/plain": "'ok'" });
    expect((await run(py, "2 + 2")).output).toEqual({ "text/plain": "4" });
  });

  it("input() gets end-of-file, never a request of the protocol", async () => {
    const r = await run(
      py,
      "try:\n    input('name? ')\nexcept EOFError:\n    print('eof')\nimport sys\nsys.stdin.read()",
    );
    expect(r.stdout()).toContain("eof");
    expect(r.output).toEqual({ "text/plain": "''" });
  });
});

describe("names", () => {
  it("defs persist across cells and are mirrored in the scope", async () => {
    await run(py, "shared_n = 5\nshared_list = [1, 2]");
    expect(py.scope.has("shared_n")).toBe(true);
    expect(py.scope.get("shared_n")).toBe(5);
    expect(py.scope.get("shared_list")).toBeInstanceOf(PythonObject);
    expect((py.scope.get("shared_list") as PythonObject).type).toBe("list");
    expect((await run(py, "shared_n + len(shared_list)")).output).toEqual({ "text/plain": "7" });
  });

  it("scope.delete removes the name in Python; scope.set binds a JSON value there", async () => {
    await run(py, "gone_soon = 1");
    py.scope.delete("gone_soon");
    expect(py.scope.has("gone_soon")).toBe(false);
    expect((await run(py, "gone_soon")).error.cause.name).toBe("NameError");
    py.scope.set("slider", { value: 3, tags: ["a"] });
    expect((await run(py, "slider['value'] * 2, slider['tags']")).output).toEqual({
      "text/plain": "(6, ['a'])",
    });
  });

  it("private names are dropped after the cell unless a function it defines uses them", async () => {
    await run(
      py,
      "_scratch = 10\n_factor = 3\ndef triple(v):\n    return v * _factor\nresult_p = _scratch * 2",
    );
    expect((await run(py, "result_p, triple(2)")).output).toEqual({ "text/plain": "(20, 6)" });
    expect((await run(py, "_scratch")).error.cause.name).toBe("NameError");
  });

  it("two executors never share names or processes", async () => {
    const other = new PythonExecutor({ cwd: dir });
    try {
      await run(py, "isolated = 'mine'");
      const r = await run(other, "isolated");
      expect(r.error.cause.name).toBe("NameError");
      expect((await other.ready()).pid).not.toBe((await py.ready()).pid);
    } finally {
      await other.dispose();
    }
  });
});

describe("errors", () => {
  it("an exception rejects with CellRuntimeError: cause named after the Python class, user frames at notebook lines", async () => {
    const r = await run(py, "def inner():\n    return 1 / 0\n\ninner()", {
      name: "boom",
      path: join(dir, "nb.py"),
      line: 20,
    });
    expect(r.error).toMatchObject({ code: "KK_RUNTIME", name: "CellRuntimeError" });
    expect(r.error.cause).toMatchObject({ name: "ZeroDivisionError", message: "division by zero" });
    const tb: string[] = r.error.traceback;
    expect(tb[0]).toBe("ZeroDivisionError: division by zero");
    expect(tb[1]).toBe("Traceback (most recent call last):");
    expect(tb).toContain('  File "nb.py", line 23, in <cell boom>');
    expect(tb).toContain('  File "nb.py", line 21, in inner');
    expect(tb).toContain("    return 1 / 0");
    expect(tb.at(-1)).toBe("ZeroDivisionError: division by zero");
    expect(tb.join("\n")).not.toContain("runner.py");
  });

  it("a function defined in one cell and failing in another points at its own cell's lines", async () => {
    await run(py, "x0 = 0\ndef ratio(v):\n    return v / x0", {
      name: "defs",
      path: join(dir, "nb.py"),
      line: 40,
    });
    const r = await run(py, "ratio(3)", { name: "use", path: join(dir, "nb.py"), line: 50 });
    expect(r.error.traceback).toContain('  File "nb.py", line 42, in ratio');
    expect(r.error.traceback).toContain("    return v / x0");
  });

  it("scratch executions are numbered in tracebacks, also when the same code runs again", async () => {
    await run(py, "def explode():\n    return {}['missing']", { executionCount: 7 });
    for (const n of [8, 9]) {
      const r = await run(py, "explode()", { executionCount: n });
      expect(r.error.cause).toMatchObject({ name: "KeyError", message: "'missing'" });
      expect(r.error.traceback).toContain(`  File "<execute ${n}>", line 1, in <execute ${n}>`);
      expect(r.error.traceback).toContain('  File "<execute 7>", line 2, in explode');
      expect(r.error.traceback).toContain("    return {}['missing']");
    }
  });

  it("sys.exit(), exit() and quit() fail the cell and the process carries on", async () => {
    const { pid } = await py.ready();
    await run(py, "survivor = 'still here'");
    for (const code of ["import sys\nsys.exit(3)", "exit()", "quit(0)"]) {
      const r = await run(py, code);
      expect(r.error.cause).toMatchObject({ name: "SystemExit", code: "KK_PROCESS_EXIT" });
      expect(r.error.cause.hint).toBeTruthy();
    }
    expect((await run(py, "survivor")).output).toEqual({ "text/plain": "'still here'" });
    expect(py.info!.pid).toBe(pid);
  });

  it("top-level await runs", async () => {
    const r = await run(
      py,
      "import asyncio\nasync def twice(v):\n    await asyncio.sleep(0.001)\n    return v * 2\nawait twice(21)",
    );
    expect(r.output).toEqual({ "text/plain": "42" });
  });

  it("os._exit ends the process: the cell fails with a coded error and the next cell gets a new Python", async () => {
    await run(py, "before_crash = 1");
    const { pid } = await py.ready();
    const r = await run(py, "import os\nos._exit(7)");
    expect(r.error).toMatchObject({ code: "KK_PYTHON_EXITED" });
    expect(r.error.message).toContain("exit code 7");
    expect(r.error.hint).toBeTruthy();
    expect(py.scope.has("before_crash")).toBe(false);
    expect((await run(py, "1 + 1")).output).toEqual({ "text/plain": "2" });
    expect((await py.ready()).pid).not.toBe(pid);
    expect((await run(py, "before_crash")).error.cause.name).toBe("NameError");
  });
});

describe("interrupts", () => {
  it("interrupt() raises KeyboardInterrupt in a busy loop; the process and its names survive", async () => {
    await run(py, "kept = 'yes'");
    const { pid } = await py.ready();
    const cell = await compile(py, "print('spinning', flush=True)\nwhile True:\n    pass");
    const r = context(py);
    const done = py.execute(cell, r.ctx);
    await r.waitForStdout("spinning");
    py.interrupt();
    const error = await done.then(
      () => null,
      (e) => e,
    );
    expect(isInterruptError(error)).toBe(true);
    expect((await run(py, "kept")).output).toEqual({ "text/plain": "'yes'" });
    expect(py.info!.pid).toBe(pid);
  });

  it("aborting the context's signal interrupts too, also in time.sleep", async () => {
    const cell = await compile(py, "import time\nprint('sleeping', flush=True)\ntime.sleep(60)");
    const r = context(py);
    const done = py.execute(cell, r.ctx);
    await r.waitForStdout("sleeping");
    r.controller.abort();
    expect(isInterruptError(await done.catch((e) => e))).toBe(true);
  });

  it("a cell that handles KeyboardInterrupt itself finishes normally", async () => {
    const cell = await compile(
      py,
      "try:\n    print('go', flush=True)\n    while True:\n        pass\nexcept KeyboardInterrupt:\n    handled = True\n'cleaned up'",
    );
    const r = context(py);
    const done = py.execute(cell, r.ctx);
    await r.waitForStdout("go");
    py.interrupt();
    expect(await done).toEqual({ "text/plain": "'cleaned up'" });
  });

  it("an interrupt that arrives while Python is still starting stops the cell, not Python", async () => {
    const fresh = new PythonExecutor({ cwd: dir });
    try {
      const cell = {
        id: "c",
        name: null,
        code: "import time\ntime.sleep(30)",
        language: "python",
        path: null,
        line: 1,
        defs: [],
        refs: [],
        executionCount: 1,
      };
      const r = context(fresh);
      const done = fresh.execute(cell, r.ctx);
      fresh.interrupt();
      expect(isInterruptError(await done.catch((e) => e))).toBe(true);
      const { pid } = await fresh.ready();
      expect((await run(fresh, "'alive'")).output).toEqual({ "text/plain": "'alive'" });
      expect(fresh.info!.pid).toBe(pid);
    } finally {
      await fresh.dispose();
    }
  });

  it("a cell interrupted before it started never runs", async () => {
    const flag = join(dir, "first-may-end");
    const first = await compile(
      py,
      `import os, time\nprint('first', flush=True)\nwhile not os.path.exists(${JSON.stringify(flag)}):\n    time.sleep(0.01)`,
    );
    const second = await compile(py, "print('second ran')");
    const a = context(py);
    const b = context(py);
    const p1 = py.execute(first, a.ctx);
    const p2 = py.execute(second, b.ctx);
    await a.waitForStdout("first");
    b.controller.abort();
    writeFileSync(flag, "");
    await p1;
    expect(isInterruptError(await p2.catch((e) => e))).toBe(true);
    expect(b.stdout()).toBe("");
  });

  it("a cell whose signal is already aborted when it is executed never runs", async () => {
    await run(py, "'warm'");
    for (let i = 0; i < 20; i++) {
      const cell = await compile(py, `print('should not run ${i}')`);
      const r = context(py);
      r.controller.abort();
      expect(isInterruptError(await py.execute(cell, r.ctx).catch((e) => e))).toBe(true);
      expect(r.stdout()).toBe("");
    }
    expect((await run(py, "'still alive'")).output).toEqual({ "text/plain": "'still alive'" });
  });

  it("a cell that ignores KeyboardInterrupt is stopped by restarting Python, which says its names are lost", async () => {
    const stubborn = new PythonExecutor({ cwd: dir, interruptGraceMs: 300 });
    try {
      await run(stubborn, "precious = 1");
      const { pid } = await stubborn.ready();
      const cell = await compile(
        stubborn,
        "import signal, subprocess\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nchild = subprocess.Popen(['sleep', '60'])\nprint(child.pid, flush=True)\nwhile True:\n    pass",
      );
      const r = context(stubborn);
      const done = stubborn.execute(cell, r.ctx);
      await r.waitForStdout("\n");
      const childPid = Number(r.stdout().trim());
      stubborn.interrupt();
      expect(isInterruptError(await done.catch((e) => e))).toBe(true);
      expect(r.stderr()).toMatch(/restarted; every name it held is lost/);
      expect(stubborn.scope.has("precious")).toBe(false);
      expect((await run(stubborn, "precious")).error.cause.name).toBe("NameError");
      expect((await stubborn.ready()).pid).not.toBe(pid);
      expect(alive(pid)).toBe(false);
      // The cell's own subprocess went with it (the whole process group is killed).
      expect(alive(childPid)).toBe(false);
    } finally {
      await stubborn.dispose();
    }
  });
});

describe("lifecycle", () => {
  it("provides no shared JS scope (strict mode cannot apply)", () => {
    expect(py.provides).not.toContain("shared-js-scope");
    expect(py.language).toBe("python");
    expect(py.name).toBe("python");
  });

  it("dispose is idempotent, ends Python, and later executions fail with a coded error", async () => {
    const ex = new PythonExecutor({ cwd: dir });
    const { pid } = await ex.ready();
    await Promise.all([ex.dispose(), ex.dispose()]);
    await ex.dispose();
    expect(alive(pid)).toBe(false);
    const r = await run(ex, "1").catch((e) => ({ error: e }));
    expect(r.error).toMatchObject({ code: "KK_PYTHON_DISPOSED" });
  });

  it("a missing interpreter is a startup error with a code and a hint", async () => {
    const error = await createPythonExecutor({ python: join(dir, "no-such-python") }).catch((e) => e);
    expect(error).toMatchObject({ code: "KK_PYTHON_START" });
    expect(error.message).toContain("no-such-python");
    expect(error.hint).toMatch(/KERNELKIT_PYTHON/);
  });

  it("the protocol fd is not inherited by the cells' subprocesses", async () => {
    const r = await run(
      py,
      "import subprocess\nsubprocess.run(['sh', '-c', 'test -e /dev/fd/3 && echo open || echo closed'], close_fds=False)",
    );
    expect(r.stdout()).toBe("closed\n");
    expect(existsSync(dir)).toBe(true);
  });
});
