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
  const connection = {
    id: "test",
    send: (f: Frame) => void sent.push(f),
    flush: () => void flushes++,
  };
  return { connection, sent, flushes: () => flushes };
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
});
