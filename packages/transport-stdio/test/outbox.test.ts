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
});
