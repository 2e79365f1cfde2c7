// Which output belongs to a cell: text a cell's own async work writes after its request ended
// keeps the cell (`id: null`, its cellId); text written by code no cell started — a plugin's
// hook tap after a run, a plugin's own timer — is the kernel's, on its stderr, never a cell's.
import { afterEach, describe, expect, it } from "vitest";
import { project } from "../helpers/cli.ts";
import { type ServeSession, startServe } from "../helpers/serve.ts";

let session: ServeSession | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

const PLUGIN = `export default { name: "noisy", apply(kernel) {
  kernel.hooks.runFinished.tapPromise("noisy", async () => { process.stderr.write("NOISY-AFTER-RUN\\n"); });
  kernel.hooks.postExecution.tap("noisy", () => { console.log("NOISY-POST-EXECUTION"); });
  let ticks = 0;
  const t = setInterval(() => { process.stdout.write("NOISY-TICK\\n"); if (++ticks === 5) clearInterval(t); }, 40);
} };`;

const streamText = (s: ServeSession) =>
  s.frames
    .filter((f) => f.type === "stdout" || f.type === "stderr")
    .map((f) => String(f.data))
    .join("");

describe("output written outside any cell", () => {
  it("a plugin's hook taps and timers write to the kernel's stderr, not to the last cell", async () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p", type: "module" }),
      "noisy.mjs": PLUGIN,
      "kernelkit.config.json": JSON.stringify({ plugins: ["./noisy.mjs"] }),
      "nb.ts": "// %% a\nconst a = 1\nconsole.log('cell a ran')\n",
    });
    session = startServe(["nb.ts"], { cwd: dir });
    const run = await session.request({ id: "r", type: "run_cells", cellIds: ["a"] });
    expect(run.at(-1)).toMatchObject({ type: "run_done", ok: true });
    await session.request({ id: "x", type: "execute", code: "1 + 1" });
    // The plugin's interval ticks five times, 40 ms apart; wait for all of them on stderr.
    for (let i = 0; i < 200 && (session.stderr().match(/NOISY-TICK/g) ?? []).length < 5; i++)
      await new Promise((r) => setTimeout(r, 20));

    const frames = streamText(session);
    expect(frames).toContain("cell a ran");
    expect(frames).not.toContain("NOISY");
    const err = session.stderr();
    expect(err).toContain("NOISY-AFTER-RUN");
    expect(err).toContain("NOISY-POST-EXECUTION");
    expect(err.match(/NOISY-TICK/g)).toHaveLength(5);
  });

  it("a cell's own timers, I/O callbacks and late promises still write as that cell, with id null", async () => {
    const dir = project({
      "package.json": JSON.stringify({ name: "p", type: "module" }),
      "nb.ts": [
        "// %% late",
        "setTimeout(() => console.log('from a timer'), 300)",
        "require('node:child_process').execFile('sleep', ['0.3'], () => process.stdout.write('from a child process callback\\n'))",
        "void Promise.resolve().then(() => new Promise((r) => setTimeout(r, 300))).then(() => console.error('from a late promise'))",
        "",
        "// %% quiet",
        "const q = 1",
        "",
      ].join("\n"),
    });
    session = startServe(["nb.ts"], { cwd: dir });
    await session.request({ id: "r", type: "run_cells", cellIds: ["late", "quiet"] });
    const want = ["from a timer", "from a child process callback", "from a late promise"];
    for (const text of want) {
      const f = await session.waitFor((x) => String(x.data ?? "").includes(text));
      expect(f, JSON.stringify(session.frames)).toMatchObject({ id: null, cellId: "late" });
    }
    expect(session.stderr()).not.toContain("from a");
  });
});
