// `serve --watch` end to end: over stdio, a save becomes frames every client gets (`watch`,
// `graph`, the run's frames, `run_done`, all with id `watch:N`); in the browser page (Chromium),
// the changed cell and its descendant redraw without a reload, and markdown renders as HTML
// with a <script> in it shown, never run.
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, project } from "../helpers/cli.ts";
import { startWsServer, type WsServer } from "../helpers/ws.ts";

type Frame = { type: string; id: string | null; [k: string]: any };

const NOTEBOOK = (a: number) => `// %% [markdown]
// # Sales report
// Some **bold** text. <script>window.__pwned = 1</script>
// <img src=x onerror="window.__pwned = 2">

// %% counter
globalThis.__runs = (globalThis.__runs ?? 0) + 1;
const count = globalThis.__runs;
count

// %% a
const a = ${a};
a

// %% b
const b = a * 100 + count;
b
`;

describe("serve --watch over stdio", () => {
  it("a save sends watch, graph, the run's frames and run_done, all with one watch:N id", async () => {
    const dir = project({ "nb.mjs": NOTEBOOK(1) });
    const child = spawn(process.execPath, [CLI, "serve", "--watch", "nb.mjs"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const frames: Frame[] = [];
    let buf = "";
    const waiters = new Set<() => void>();
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      let nl = buf.indexOf("\n");
      while (nl !== -1) {
        frames.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
      }
      for (const w of [...waiters]) w();
    });
    const waitFor = (pred: (f: Frame) => boolean) =>
      new Promise<Frame>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timeout; frames: ${JSON.stringify(frames)}`)), 20_000);
        const check = () => {
          const f = frames.find(pred);
          if (f) {
            clearTimeout(t);
            waiters.delete(check);
            resolve(f);
          }
        };
        waiters.add(check);
        check();
      });
    try {
      child.stdin!.write(
        `${JSON.stringify({ id: "1", type: "run_cells", cellIds: ["counter", "a", "b"] })}\n`,
      );
      const first = await waitFor((f) => f.id === "1" && f.type === "run_done");
      expect(first.ok).toBe(true);

      writeFileSync(join(dir, "nb.mjs"), NOTEBOOK(2));
      const done = await waitFor((f) => f.type === "run_done" && String(f.id).startsWith("watch:"));
      const id = done.id;
      const mine = frames.filter((f) => f.id === id);
      expect(mine[0]).toMatchObject({ type: "watch", trigger: "notebook", changed: ["a"], deleted: [] });
      expect(mine[0]!.cells.map((c: any) => c.id)).toEqual(["a"]);
      expect(mine[1]!.type).toBe("graph");
      expect(mine[1]!.cells.map((c: any) => c.id)).toContain("b");
      const results = Object.fromEntries(
        mine.filter((f) => f.type === "result").map((f) => [f.cellId, f.bundle["text/plain"]]),
      );
      // a and its descendant b ran; the counter did not (b still sees count 1)
      expect(results).toEqual({ a: "2", b: "201" });
      expect(done.cells).toEqual({ a: "success", b: "success" });
    } finally {
      child.stdin!.end();
      await new Promise((r) => child.on("exit", r));
    }
  });

  it("--watch without a notebook is a usage error", async () => {
    const child = spawn(process.execPath, [CLI, "serve", "--watch"], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d) => (stderr += d));
    const code = await new Promise((r) => child.on("exit", r));
    expect(code).toBe(2);
    expect(stderr).toContain("KK_USAGE");
  });
});

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  if (process.env.KERNELKIT_REQUIRE_CHROMIUM === "1")
    throw new Error(
      "KERNELKIT_REQUIRE_CHROMIUM=1 but /usr/bin/chromium is missing: apt-get install -y chromium",
    );
  console.warn(
    `\n*** NOT RUN: serve --watch browser test: ${CHROMIUM} is missing (apt-get install -y chromium). ***\n`,
  );
}

describe.runIf(HAVE_CHROMIUM)("serve --transport ws --watch in the browser page", () => {
  let server: WsServer;
  let browser: import("playwright-core").Browser;
  let dir: string;

  beforeAll(async () => {
    dir = project({ "nb.mjs": NOTEBOOK(1) });
    server = await startWsServer(["--watch", "nb.mjs"], { cwd: dir });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("a save redraws the changed cell and its descendant without a reload; markdown is HTML, scripts never run", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${server.port}/?token=${encodeURIComponent(server.token)}`);
    await page.locator("#connection[data-state=open]").waitFor();
    const cell = (name: string) => page.locator(`article.cell[data-name="${name}"]`);
    await cell("b").waitFor();

    // markdown as HTML; its <script> and onerror shown as text, never run
    const md = page.locator("article.cell.markdown");
    expect(await md.locator("h1").textContent()).toBe("Sales report");
    expect(await md.locator("strong").textContent()).toBe("bold");
    expect(await md.locator("script").count()).toBe(0);
    expect(await md.locator("img").count()).toBe(0);
    expect(await md.textContent()).toContain("<script>");

    await page.click("#run-all");
    await expect
      .poll(() =>
        cell("b")
          .locator(".output.result")
          .textContent()
          .catch(() => ""),
      )
      .toBe("101");
    await page.evaluate("window.__sameDocument = true");

    writeFileSync(join(dir, "nb.mjs"), NOTEBOOK(3));
    await expect
      .poll(() =>
        cell("a")
          .locator(".output.result")
          .textContent()
          .catch(() => ""),
      )
      .toBe("3");
    await expect
      .poll(() =>
        cell("b")
          .locator(".output.result")
          .textContent()
          .catch(() => ""),
      )
      .toBe("301");
    expect(await cell("a").locator("pre.code").textContent()).toContain("const a = 3;");
    // the counter kept its output (it did not run), and the page was not reloaded
    expect(await cell("counter").locator(".output.result").textContent()).toBe("1");
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });
});
