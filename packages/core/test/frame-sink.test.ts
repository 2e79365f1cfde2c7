// The frame sink coalesces a request's text and flushes it at most flushMs after it was first
// held — also when its one timer was started earlier, by a request that flushed on its own.
import { type Frame, FrameSink } from "@kernelkit/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder() {
  const sent: Frame[] = [];
  let flushes = 0;
  /** How each flush was asked for, in order: "partial" (code still printing) or "full". */
  const kinds: string[] = [];
  const connection = {
    id: "test",
    send: (f: Frame) => void sent.push(f),
    flush: (partial?: boolean) => {
      flushes++;
      kinds.push(partial === true ? "partial" : "full");
    },
  };
  return { connection, sent, flushes: () => flushes, kinds };
}

describe("FrameSink", () => {
  it("coalesces text and sends it before the request's next frame", () => {
    const r = recorder();
    const sink = new FrameSink(r.connection);
    sink.text("stdout", "a", null, "x");
    sink.text("stdout", "a", null, "y");
    sink.send({ type: "done", id: "a" });
    expect(r.sent).toEqual([
      { type: "stdout", id: "a", data: "xy" },
      { type: "done", id: "a" },
    ]);
  });

  it("flushes held text flushMs after it was first held, even when the timer started before", () => {
    const r = recorder();
    const sink = new FrameSink(r.connection, { flushMs: 10 });
    // A request that ends on its own starts the timer and leaves it running.
    sink.send({ type: "started", id: "a" });
    sink.send({ type: "done", id: "a" });
    const flushesAfterA = r.flushes();
    vi.advanceTimersByTime(6);
    sink.text("stdout", "b", null, "late\n");
    // The timer started at 0 fires at 10: the text has waited only 4 ms.
    vi.advanceTimersByTime(4.5);
    expect(r.sent.filter((f) => f.id === "b")).toEqual([]);
    vi.advanceTimersByTime(6);
    expect(r.sent.filter((f) => f.id === "b")).toEqual([{ type: "stdout", id: "b", data: "late\n" }]);
    expect(r.flushes()).toBe(flushesAfterA + 1);
  });

  it("a write after flushMs flushes at once, without waiting for the timer (a synchronous loop)", () => {
    vi.useRealTimers();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const r = recorder();
    const sink = new FrameSink(r.connection, { flushMs: 10 });
    sink.text("stdout", "c", null, "1");
    // A synchronous loop: real time passes, the (fake) timer never gets to run.
    const t0 = performance.now();
    while (performance.now() - t0 < 12) {}
    expect(r.sent).toEqual([]);
    sink.text("stdout", "c", null, "2");
    expect(r.sent).toEqual([{ type: "stdout", id: "c", data: "12" }]);
  });

  it("cuts a printing loop's text into frames of at most 60 KiB, in order, losing nothing; a longer single write stays whole", () => {
    const r = recorder();
    const sink = new FrameSink(r.connection);
    const line = `${"x".repeat(64)}\n`;
    for (let i = 0; i < 10_000; i++) sink.text("stdout", "a", "c1", line);
    const big = "y".repeat(200 * 1024);
    sink.text("stdout", "a", "c1", big);
    sink.send({ type: "done", id: "a" });
    const out = r.sent.filter((f) => f.type === "stdout");
    expect(out.length).toBeGreaterThan(10);
    expect(out.length).toBeLessThan(20);
    for (const f of out.slice(0, -2)) expect(String(f.data).length).toBeLessThanOrEqual(60 * 1024);
    expect(out.map((f) => f.data).join("")).toBe(line.repeat(10_000) + big);
    expect(out.at(-1)).toEqual({ type: "stdout", id: "a", cellId: "c1", data: big });
    expect(r.sent.at(-1)).toEqual({ type: "done", id: "a" });
  });

  it("flushes while code prints are partial (never wait for the client); the timer's and a terminal frame's are full", () => {
    const r = recorder();
    const sink = new FrameSink(r.connection, { flushMs: 10 });
    for (let i = 0; i < 2000; i++) sink.text("stdout", "a", null, `${"z".repeat(63)}\n`);
    expect(r.kinds.length).toBeGreaterThan(0);
    expect(new Set(r.kinds)).toEqual(new Set(["partial"]));
    // The cell stops printing (awaits): the timer writes everything within flushMs.
    vi.advanceTimersByTime(11);
    expect(r.kinds.at(-1)).toBe("full");
    sink.text("stdout", "a", null, "last");
    sink.send({ type: "done", id: "a" });
    expect(r.kinds.at(-1)).toBe("full");
    expect(
      r.sent
        .filter((f) => f.type === "stdout")
        .map((f) => f.data)
        .join(""),
    ).toBe(`${"z".repeat(63)}\n`.repeat(2000) + "last");
  });
});
