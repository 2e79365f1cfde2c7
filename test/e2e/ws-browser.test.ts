// The browser page end to end: Debian's Chromium (headless, driven by playwright-core, no
// browser download) opens the page `serve --transport ws` serves, runs all cells, watches
// statuses and outputs arrive, changes an input and sees the dependent cell's new output.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { project, REPO } from "../helpers/cli.ts";
import { startWsServer, type WsServer } from "../helpers/ws.ts";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  console.warn(
    `\n*** ws browser test SKIPPED: ${CHROMIUM} is missing. Install Debian's chromium (as root: apt-get install -y chromium); .ci/run does. ***\n`,
  );
}

const PNG_8X8 =
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGO4o6GBFTEMLQkAe3tLAfuiUfAAAAAASUVORK5CYII=";

// Runs in the page (as source text: this file is type-checked without the DOM library).
const RECORD_STATUSES = `(() => {
  const seen = {};
  window.statusLog = seen;
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      if (!el.matches("article.cell")) continue;
      const list = (seen[el.dataset.name] ??= []);
      if (list[list.length - 1] !== el.dataset.status) list.push(el.dataset.status);
    }
  }).observe(document.querySelector("#cells"), { subtree: true, attributes: true, attributeFilter: ["data-status"] });
})()`;
const RESET_STATUSES = "for (const k of Object.keys(window.statusLog)) delete window.statusLog[k]";

const NOTEBOOK = `// %% [markdown]
// # Sales
// A notebook driven from the browser.

// %% greeting
const greeting = "hello";
console.log(greeting + " from the kernel");
console.error("a warning");
greeting.toUpperCase()

// %% table
({ [Symbol.for("kernelkit.display")]: () => ({ "text/plain": "table", "text/html": "<table id='sales'><tr><td>north</td><td>12</td></tr></table>" }) })

// %% chart
display({ [Symbol.for("kernelkit.display")]: () => ({ "text/plain": "chart", "image/png": "${PNG_8X8}" }) });

// %% slow
const _until = Date.now() + 300;
while (Date.now() < _until) {}
const slowDone = true;

// %% doubled
const doubled = amount * 2;
doubled
`;

// CI installs Debian's chromium and sets KERNELKIT_REQUIRE_CHROMIUM=1: there a missing browser fails.
if (!HAVE_CHROMIUM && process.env.KERNELKIT_REQUIRE_CHROMIUM === "1") {
  throw new Error(
    "KERNELKIT_REQUIRE_CHROMIUM=1 but /usr/bin/chromium is missing: apt-get install -y chromium",
  );
}

describe.runIf(HAVE_CHROMIUM)("the browser page (headless Chromium)", () => {
  let server: WsServer;
  let browser: import("playwright-core").Browser;

  beforeAll(async () => {
    const dir = project({ "sales.ts": NOTEBOOK });
    server = await startWsServer(["sales.ts"], { cwd: dir });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("runs all cells, shows statuses and outputs live, and re-runs a cell when an input changes", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console error: ${m.text()}`);
    });
    const pageUrl = `http://127.0.0.1:${server.port}/?token=${encodeURIComponent(server.token)}`;
    await page.goto(pageUrl);
    await page.locator("#connection[data-state=open]").waitFor();
    const cell = (name: string) => page.locator(`article.cell[data-name="${name}"]`);
    const statuses = () => page.evaluate<Record<string, string[]>>("window.statusLog");
    await cell("doubled").waitFor();

    // the notebook's cells, with their code
    expect(await page.locator("article.cell").count()).toBe(6);
    await expect
      .poll(() => cell("greeting").locator("pre.code").textContent())
      .toContain('console.log(greeting + " from the kernel")');
    expect(await page.locator("article.cell.markdown").textContent()).toContain(
      "A notebook driven from the browser.",
    );
    expect(await page.locator('[data-input="amount"]').count()).toBe(1);

    // record every status each cell shows, as the page shows it
    await page.evaluate(RECORD_STATUSES);

    await page.click("#run-all");
    // while the synchronous cell runs, the page already shows it running
    await cell("slow").locator('.status[data-status="running"]').waitFor();
    await page.locator("#last-run[data-ok]").waitFor();

    const statusLog = await statuses();
    for (const name of ["greeting", "table", "chart", "slow"]) {
      expect(statusLog[name], name).toEqual(["queued", "running", "idle"]);
    }
    // (core fails a cell whose ref is missing before it starts: it may skip "running")
    expect(statusLog.doubled?.[0]).toBe("queued");
    expect(statusLog.doubled?.at(-1)).toBe("idle");
    expect(await cell("greeting").getAttribute("data-result")).toBe("success");
    expect(await cell("greeting").locator("pre.stream.stdout").textContent()).toBe("hello from the kernel\n");
    expect(await cell("greeting").locator("pre.stream.stderr").textContent()).toBe("a warning\n");
    expect(await cell("greeting").locator(".output.result").textContent()).toContain("HELLO");
    // text/html rendered as HTML, image/png as an image
    expect(await cell("table").locator("table#sales td").first().textContent()).toBe("north");
    const img = cell("chart").locator(".output.display img");
    expect(await img.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    const width = `document.querySelector('article.cell[data-name="chart"] .output.display img').naturalWidth`;
    await expect.poll(() => page.evaluate(width)).toBe(8); // the PNG decoded
    // the cell that reads the unset input failed, and says why
    expect(await cell("doubled").getAttribute("data-result")).toBe("exception");
    expect(await cell("doubled").locator("pre.error").textContent()).toContain("amount");

    // change the input: only the dependent cell runs, with the new value
    await page.evaluate(RESET_STATUSES);
    await page.fill('[data-input="amount"]', "21");
    await page.press('[data-input="amount"]', "Enter");
    await expect
      .poll(() =>
        cell("doubled")
          .locator(".output.result")
          .textContent()
          .catch(() => ""),
      )
      .toContain("42");
    expect(await cell("doubled").getAttribute("data-result")).toBe("success");
    expect(await cell("doubled").locator("pre.error").count()).toBe(0);
    expect(await statuses()).toEqual({ doubled: ["queued", "running", "idle"] });

    // run one cell
    await page.evaluate(RESET_STATUSES);
    await cell("greeting").locator("button.run").click();
    await expect.poll(statuses).toEqual({ greeting: ["queued", "running", "idle"] });
    expect(await cell("greeting").locator("pre.stream.stdout").textContent()).toBe("hello from the kernel\n");

    const dir = join(REPO, "test-artifacts");
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, "ws-browser.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the scratch box completes on Tab and inspects on Shift+Tab", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console error: ${m.text()}`);
    });
    await page.goto(`http://127.0.0.1:${server.port}/?token=${encodeURIComponent(server.token)}`);
    await page.locator("#connection[data-state=open]").waitFor();
    const box = page.locator("#scratch-code");
    await box.fill("greeting.toUpperC");
    await box.press("Tab");
    // One match: it is inserted in place.
    await expect.poll(() => box.inputValue(), { timeout: 60_000 }).toBe("greeting.toUpperCase");
    await box.fill("greeting.to");
    await box.press("Tab");
    const items = page.locator("#scratch-hints .completion");
    await items.first().waitFor({ timeout: 60_000 });
    const names = await items.locator("span:first-child").allTextContents();
    expect(names).toEqual(expect.arrayContaining(["toUpperCase", "toLowerCase", "toString"]));
    await items.filter({ hasText: "toLowerCase" }).first().click();
    expect(await box.inputValue()).toBe("greeting.toLowerCase");
    await box.press("Shift+Tab");
    await expect
      .poll(
        () =>
          page
            .locator("#scratch-hints pre.inspection")
            .textContent()
            .catch(() => ""),
        { timeout: 60_000 },
      )
      .toContain("toLowerCase(): string");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("without the token the page is refused and nothing connects", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`http://127.0.0.1:${server.port}/`);
    expect(response?.status()).toBe(401);
    expect(await page.textContent("body")).toContain("KK_WS_UNAUTHORIZED");
    await page.close();
  });
});
