import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/cli.ts";
import { createOutboxShared, Outbox } from "../src/outbox.ts";

function file() {
  const path = join(tempDir(), "out.ndjson");
  const fd = openSync(path, "w+");
  return { path, fd, read: () => readFileSync(path, "utf8") };
}

describe("Outbox", () => {
  it("batches lines until flush, in order, whole characters only", () => {
    const f = file();
    const box = new Outbox(createOutboxShared(1024), f.fd, 1);
    box.append('{"a":"é世🎉"}\n');
    box.append('{"b":2}\n');
    expect(f.read()).toBe("");
    box.flush();
    expect(f.read()).toBe('{"a":"é世🎉"}\n{"b":2}\n');
    closeSync(f.fd);
  });

  it("writes a line larger than the outbox through, after what was batched", () => {
    const f = file();
    const box = new Outbox(createOutboxShared(64), f.fd, 1);
    box.append("small\n");
    const big = `${"x".repeat(200)}\n`;
    box.append(big);
    box.append("after\n");
    box.flush();
    expect(f.read()).toBe(`small\n${big}after\n`);
    closeSync(f.fd);
  });

  it("lets the other thread's side write a batch only once it is stale, never twice", async () => {
    const f = file();
    const shared = createOutboxShared(1024);
    const main = new Outbox(shared, f.fd, 1);
    const io = new Outbox(shared, f.fd, 2);
    main.append("started\n");
    io.flushIfStale(10_000);
    expect(f.read()).toBe("");
    await new Promise((r) => setTimeout(r, 20));
    io.flushIfStale(10);
    expect(f.read()).toBe("started\n");
    main.flush();
    io.flushIfStale(0);
    expect(f.read()).toBe("started\n");
    closeSync(f.fd);
  });

  it("a partial flush takes what a full pipe accepts without waiting, keeps the rest in order, and a full flush delivers it all", async () => {
    // A reader that reads nothing for 300 ms, then reads everything and answers with the byte
    // count and a hash. Its stdin is a pipe in non-blocking mode, as a kernel's fd 1 is.
    const reader = spawn(
      process.execPath,
      [
        "-e",
        `const h = require("node:crypto").createHash("sha256"); let n = 0;
         setTimeout(() => { process.stdin.on("data", (d) => { n += d.length; h.update(d); });
           process.stdin.on("end", () => process.stdout.write(n + " " + h.digest("hex"))); }, 300);`,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const fd = (reader.stdin as unknown as { _handle: { fd: number } })._handle.fd;
    const box = new Outbox(createOutboxShared(1024 * 1024), fd, 1);
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) lines.push(`{"n":${i},"t":"${"é".repeat(20)}"}\n`);
    for (const line of lines) box.append(line);
    box.flush(true);
    // The pipe holds far less than what was batched: the rest stays (a flush that waited for
    // the reader would have left nothing).
    expect(box.length).toBeGreaterThan(0);
    for (const line of lines) box.append(line);
    box.flush(true);
    box.flush();
    expect(box.length).toBe(0);
    const result = new Promise<string>((resolve) => {
      let out = "";
      reader.stdout.on("data", (d) => (out += d));
      reader.on("close", () => resolve(out));
    });
    reader.stdin.end();
    const all = Buffer.from(lines.join("").repeat(2), "utf8");
    const { createHash } = await import("node:crypto");
    expect(await result).toBe(`${all.length} ${createHash("sha256").update(all).digest("hex")}`);
  });
});
