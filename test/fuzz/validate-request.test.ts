// Property-based fuzz of request validation (PROTOCOL.md): whatever JSON value a client sends,
// validation never throws and gives one coded answer, and the listen loop answers every
// message exactly once — also for ill-typed and hostile messages — and keeps serving.
import { createKernel, type Frame, isTerminalFrame, listenMessages, validateRequest } from "@kernelkit/core";
import { DefaultExecutor } from "@kernelkit/executor-default";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Field types of PROTOCOL.md's request table, written from the spec (the oracle).
const FIELD_TYPES: Record<string, Record<string, { type: string; optional: boolean }>> = {
  kernel_info: {},
  interrupt: {},
  shutdown: {},
  execute: {
    code: { type: "string", optional: false },
    silent: { type: "boolean", optional: true },
    storeHistory: { type: "boolean", optional: true },
    timeoutMs: { type: "number", optional: true },
  },
  set_cells: {
    cells: { type: "cells", optional: false },
    order: { type: "strings", optional: true },
    run: { type: "boolean", optional: true },
  },
  delete_cells: { cellIds: { type: "strings", optional: false } },
  run_cells: { cellIds: { type: "strings", optional: false } },
  set_inputs: { values: { type: "object", optional: false } },
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "boolean":
      return typeof v === "boolean";
    case "number":
      return typeof v === "number" && Number.isFinite(v) && v >= 0;
    case "strings":
      return Array.isArray(v) && v.every((s) => typeof s === "string");
    case "object":
      return isPlainObject(v);
    case "cells":
      return (
        Array.isArray(v) &&
        v.every(
          (c) =>
            isPlainObject(c) &&
            typeof c.id === "string" &&
            typeof c.code === "string" &&
            (c.name === undefined || c.name === null || typeof c.name === "string") &&
            (c.config === undefined ||
              (isPlainObject(c.config) &&
                (c.config.disabled === undefined || typeof c.config.disabled === "boolean"))),
        ) &&
        new Set(v.map((c) => (c as { id: string }).id)).size === v.length
      );
    default:
      return false;
  }
}

/** Values that are sometimes the right type for a field and often not. */
const fieldValue = fc.oneof(
  fc.jsonValue(),
  fc.string(),
  fc.boolean(),
  fc.double({ noNaN: false }).map((d) => (Number.isFinite(d) ? d : 0)),
  fc.array(fc.string(), { maxLength: 4 }),
  fc.array(
    fc.record(
      {
        id: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()),
        code: fc.oneof(fc.constantFrom("1", "const a = 1", "a + 1", ""), fc.integer()),
        name: fc.oneof(fc.constant(null), fc.string({ maxLength: 4 }), fc.integer()),
        config: fc.oneof(fc.record({ disabled: fc.oneof(fc.boolean(), fc.string()) }), fc.string()),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue(), { maxKeys: 3 }),
);

const requestType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...Object.keys(FIELD_TYPES)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.jsonValue() },
);

/** Request-shaped objects: a type, maybe an id, and fields of any type. */
const requestLike = fc
  .record(
    {
      id: fc.oneof(fc.string({ maxLength: 8 }), fc.jsonValue()),
      type: requestType,
      code: fieldValue,
      silent: fieldValue,
      storeHistory: fieldValue,
      timeoutMs: fieldValue,
      cells: fieldValue,
      order: fieldValue,
      run: fieldValue,
      cellIds: fieldValue,
      values: fieldValue,
    },
    { requiredKeys: [] },
  )
  .map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);

const CODE = fc.constantFrom(
  "1 + 1",
  "const q = 2",
  "console.log('x'); 3",
  "throw new TypeError('bad')",
  "undefinedName",
  "let broken = (",
  "await Promise.resolve(4)",
  "x + 1",
);
const CELL_IDS = ["a", "b", "c", "missing"];

/** Well-formed requests of every kind, with arbitrary but well-typed fields. */
const validRequest = fc.oneof(
  fc.constant({ type: "kernel_info" }),
  fc.constant({ type: "interrupt" }),
  fc.record(
    { type: fc.constant("execute"), code: CODE, silent: fc.boolean(), storeHistory: fc.boolean() },
    { requiredKeys: ["type", "code"] },
  ),
  fc.record(
    {
      type: fc.constant("set_cells"),
      cells: fc.uniqueArray(
        fc.record({
          id: fc.constantFrom("a", "b", "c"),
          code: CODE,
          config: fc.record({ disabled: fc.boolean() }),
        }),
        { selector: (c) => c.id, maxLength: 3 },
      ),
      run: fc.boolean(),
    },
    { requiredKeys: ["type", "cells"] },
  ),
  fc.record({ type: fc.constantFrom("run_cells", "delete_cells"), cellIds: fc.subarray(CELL_IDS) }),
  fc.record({
    type: fc.constant("set_inputs"),
    values: fc.dictionary(fc.constantFrom("x", "y", "__proto__", "constructor"), fc.jsonValue(), {
      maxKeys: 3,
    }),
  }),
);

/** A well-formed request with one field replaced by a value of any type. */
const mutatedRequest = fc
  .tuple(
    validRequest,
    fc.constantFrom("type", "id", "code", "cells", "cellIds", "values", "run", "silent"),
    fieldValue,
  )
  .map(([req, field, value]) => ({ ...req, id: "m", [field]: value }));

function expectOneCodedAnswer(msg: unknown): void {
  const v = validateRequest(msg);
  if (v.ok) {
    expect(isPlainObject(v.request)).toBe(true);
    expect(typeof v.request.type).toBe("string");
    if (v.request.type !== "exit") expect(typeof v.request.id).toBe("string");
    return;
  }
  expect(Object.keys(v).sort()).toEqual(["id", "message", "ok"]);
  expect(v.message.length).toBeGreaterThan(0);
  // The id is echoed when it is a string, else null (PROTOCOL.md).
  const id = isPlainObject(msg) && typeof msg.id === "string" ? msg.id : null;
  expect(v.id).toBe(id);
}

describe("validateRequest, fuzzed", () => {
  it("never throws on arbitrary JSON values and always gives one coded answer", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (msg) => {
        expectOneCodedAnswer(msg);
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts a request only when every field has its protocol type, and names the field otherwise", () => {
    fc.assert(
      fc.property(requestLike, (msg) => {
        expectOneCodedAnswer(msg);
        const v = validateRequest(msg);
        const schema = typeof msg.type === "string" ? FIELD_TYPES[msg.type] : undefined;
        if (msg.type === "exit") {
          expect(v.ok).toBe(true);
          return;
        }
        const wellTyped =
          typeof msg.id === "string" &&
          typeof msg.type === "string" &&
          Object.entries(schema ?? {}).every(([field, { type, optional }]) =>
            msg[field] === undefined ? optional : hasType(msg[field], type),
          );
        expect(v.ok).toBe(wellTyped);
        if (!v.ok) expect(v.message).toMatch(/field '[^']+'|a request must be a JSON object/);
      }),
      { numRuns: 3000 },
    );
  });

  it("never lets a __proto__ key reach an object prototype", () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(FIELD_TYPES)), fc.jsonValue(), (type, payload) => {
        const text = `{"id":"p","type":${JSON.stringify(type)},"__proto__":{"polluted":${JSON.stringify(
          payload,
        )}},"values":{"__proto__":{"polluted":1}}}`;
        validateRequest(JSON.parse(text));
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

describe("the listen loop, fuzzed with arbitrary messages", () => {
  // One kernel for every case (like a long-lived server); an in-memory transport that copies
  // messages through JSON, as a wire would.
  let kernel: Awaited<ReturnType<typeof createKernel>>;
  let deliver: (msg: unknown) => void;
  const frames: Frame[] = [];
  let loop: Promise<void>;

  beforeAll(async () => {
    kernel = await createKernel({ executor: new DefaultExecutor({ cwd: process.cwd() }), interrupts: null });
    const connection = { id: "fuzz", send: (f: Frame) => void frames.push(JSON.parse(JSON.stringify(f))) };
    loop = listenMessages(kernel, {
      start(onMessage) {
        deliver = (msg) => onMessage(JSON.parse(JSON.stringify(msg)), connection);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    });
    await Promise.resolve();
  });

  afterAll(async () => {
    deliver({ type: "exit" });
    await loop;
    kernel.executor.dispose?.();
  });

  /** Whether `f` ends request `msg` (a `graph` does for set_cells without `run: true`). */
  const ends = (msg: Record<string, unknown>, f: Frame) =>
    isTerminalFrame(f.type) || (f.type === "graph" && msg.type === "set_cells" && msg.run !== true);

  const settle = async (sent: Map<string, Record<string, unknown>>, nullAnswers: number) => {
    for (let i = 0; i < 1000; i++) {
      const done = [...sent].every(([id, msg]) => frames.some((f) => f.id === id && ends(msg, f)));
      const nulls = frames.filter((f) => f.id === null && f.type === "error_reply").length;
      if (done && nulls >= nullAnswers) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  let serial = 0;
  it("answers every message exactly once with a terminal frame, coded when it is bad", async () => {
    // Messages that would stop the loop (shutdown, exit) are left out; everything else goes.
    const message = fc
      .oneof(
        { weight: 3, arbitrary: validRequest.map((r) => ({ ...r, id: "v" })) },
        { weight: 2, arbitrary: mutatedRequest },
        { weight: 1, arbitrary: requestLike },
        { weight: 1, arbitrary: fc.jsonValue() },
      )
      .map((m) => JSON.parse(JSON.stringify(m)) as unknown)
      .filter((m) => !(isPlainObject(m) && (m.type === "exit" || m.type === "shutdown")));
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 8 }), async (batch) => {
        frames.length = 0;
        const sent = new Map<string, Record<string, unknown>>();
        let nullAnswers = 0;
        for (const m of batch) {
          // Give string ids a unique value so answers can be told apart; keep other ids as fuzzed.
          if (isPlainObject(m) && typeof m.id === "string") {
            const id = `f${++serial}`;
            m.id = id;
            sent.set(id, m);
          } else nullAnswers++;
          deliver(m);
        }
        await settle(sent, nullAnswers);
        for (const [id, msg] of sent) {
          const mine = frames.filter((f) => f.id === id);
          const terminal = mine.filter((f) => ends(msg, f));
          expect(terminal, `answers to ${JSON.stringify(msg)}: ${JSON.stringify(mine)}`).toHaveLength(1);
          const end = terminal[0]!;
          if (end.type === "error_reply") {
            expect(["INVALID_REQUEST", "UNKNOWN_COMMAND"]).toContain((end.error as { code: string }).code);
          }
        }
        const nullReplies = frames.filter((f) => f.id === null && isTerminalFrame(f.type));
        expect(nullReplies).toHaveLength(nullAnswers);
        for (const f of nullReplies) {
          expect(f.type).toBe("error_reply");
          expect((f.error as { code: string }).code).toBe("INVALID_REQUEST");
        }
      }),
      { numRuns: 300 },
    );
    // And the kernel still answers.
    frames.length = 0;
    deliver({ id: "after", type: "kernel_info" });
    await settle(new Map([["after", { type: "kernel_info" }]]), 0);
    const reply = frames.find((f) => f.id === "after");
    expect(reply?.type).toBe("kernel_info_reply");
    expect(reply?.protocolVersion).toBe("1.1");
  });
});
