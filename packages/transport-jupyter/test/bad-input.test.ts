// Bad input never crashes the kernel: bad signatures and malformed frames are dropped and
// logged, unknown msg_types get an error reply, and a connection file that is missing,
// invalid or names a port in use is a coded error with exit 2.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, HAVE_JUPYTER, installSpecs, runPy, type Specs } from "./jupyter-env.ts";

function serve(connectionFile: string) {
  return spawnSync(
    process.execPath,
    [CLI, "serve", "--transport", "jupyter", "--connection-file", connectionFile],
    {
      encoding: "utf8",
      timeout: 30_000,
    },
  );
}

describe("connection files a launcher gets wrong", () => {
  const dir = mkdtempSync(join(tmpdir(), "kk-cf-"));
  const ports = { shell_port: 0, iopub_port: 0, stdin_port: 0, control_port: 0, hb_port: 0 };

  it("missing: KK_JUPYTER_CONNECTION_FILE, exit 2", () => {
    const r = serve(join(dir, "nope.json"));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("KK_JUPYTER_CONNECTION_FILE");
    expect(r.stderr).toContain("does not exist");
  });

  it("invalid: KK_JUPYTER_CONNECTION_FILE naming the problem, exit 2", () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ ip: "127.0.0.1", key: "k", ...ports, hb_port: "x" }));
    const r = serve(file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("KK_JUPYTER_CONNECTION_FILE");
    expect(r.stderr).toContain("hb_port");
  });

  it("a port in use: KK_JUPYTER_PORT_IN_USE, exit 2", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const file = join(dir, "busy.json");
    writeFileSync(
      file,
      JSON.stringify({ ip: "127.0.0.1", transport: "tcp", key: "k", ...ports, shell_port: port }),
    );
    const r = serve(file);
    server.close();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("KK_JUPYTER_PORT_IN_USE");
    expect(r.stderr).toContain(String(port));
  });
});

describe.runIf(HAVE_JUPYTER)("bad messages on a live kernel", () => {
  let specs: Specs;
  beforeAll(() => {
    specs = installSpecs();
  });
  afterAll(() => specs?.cleanup());

  for (const language of ["javascript", "python"]) {
    it(`kernelkit-${language}: drops a bad signature and malformed frames, answers an unknown msg_type, keeps serving`, async () => {
      const r = await runPy("bad_input.py", [`kernelkit-${language}`], specs.env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.bad_signature_reply).toBeNull();
      expect(r.json.unknown).toEqual({ msg_type: "frobnicate_reply", status: "error" });
      expect(r.json.alive).toBe("ok");
      // The message with the bad signature never ran.
      expect(r.json.check).toBe(language === "python" ? "False" : "'undefined'");
      // Dropped messages are logged on the kernel's stderr (which jupyter_client passes through).
      expect(r.stderr).toContain("bad HMAC signature");
      expect(r.stderr).toContain("no <IDS|MSG> delimiter");
      expect(r.stderr).toContain("unknown message type 'frobnicate_request'");
    }, 120_000);
  }
});
