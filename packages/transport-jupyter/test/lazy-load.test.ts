// zeromq (a native addon) loads only when a kernel serves Jupyter: `run` and `serve` over stdio
// must never load it, early bind included (docs/jupyter.md "Start").
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "./jupyter-env.ts";

const dir = mkdtempSync(join(tmpdir(), "kk-lazy-"));
// Records, as the process exits, every loaded file whose path names zeromq: CommonJS modules
// and the native addon mapped into the process.
const probe = join(dir, "probe.cjs");
writeFileSync(
  probe,
  `const fs = require("node:fs");
process.on("exit", () => {
  const maps = fs.readFileSync("/proc/self/maps", "utf8").split("\\n").filter((l) => l.includes("zeromq"));
  const modules = Object.keys(require.cache).filter((k) => k.includes("zeromq"));
  fs.writeFileSync(process.env.KK_PROBE_OUT, JSON.stringify([...modules, ...maps]));
});
`,
);
const notebook = join(dir, "nb.js");
writeFileSync(notebook, "// %%\nconsole.log(6 * 7)\n");

function zeromqLoadedBy(args: string[], input = ""): string[] {
  const out = join(dir, `out-${args[0]}.json`);
  const r = spawnSync(process.execPath, ["-r", probe, CLI, ...args], {
    input,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, KK_PROBE_OUT: out },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, "utf8")) as string[];
}

describe.runIf(process.platform === "linux")("zeromq is loaded only for Jupyter", () => {
  it("run does not load it", () => {
    expect(zeromqLoadedBy(["run", notebook])).toEqual([]);
  });

  it("serve over stdio does not load it", () => {
    const request = `${JSON.stringify({ id: "1", type: "execute", code: "1 + 1" })}\n`;
    expect(zeromqLoadedBy(["serve", "--transport", "stdio"], request)).toEqual([]);
  });

  it("the probe does see it when serve --transport jupyter loads it", async () => {
    // A port in use: the kernel loads zeromq, fails to bind and exits 2.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const file = join(dir, "connection.json");
    const ports = { shell_port: port, iopub_port: 0, stdin_port: 0, control_port: 0, hb_port: 0 };
    writeFileSync(file, JSON.stringify({ ip: "127.0.0.1", transport: "tcp", key: "k", ...ports }));
    const out = join(dir, "out-jupyter.json");
    const r = spawnSync(process.execPath, ["-r", probe, CLI, "serve", "--transport", "jupyter", "-f", file], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, KK_PROBE_OUT: out },
    });
    server.close();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("KK_JUPYTER_PORT_IN_USE");
    expect((JSON.parse(readFileSync(out, "utf8")) as string[]).length).toBeGreaterThan(0);
  });
});
