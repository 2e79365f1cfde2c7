// The transport contract (docs/protocol.md, docs/plugins.md) as cases. The kit plays the kernel (it
// starts the transport and answers on connections) and, through a harness the author gives,
// a client on the wire: framing under partial and concatenated chunks, ordering both ways,
// bad input, end of input and close.
import { type Connection, type Frame, isEndOfInput, type Transport } from "@kernelkit/core";
import {
  type CaseContext,
  type ConformanceCase,
  type ConformanceSuite,
  check,
  show,
  within,
} from "./case.ts";
import { describeError } from "./checks.ts";

/** One client on the wire, as the harness provides it. */
export interface WireClient {
  /** Stream transports: these bytes in one write. Message transports: one message with this text. */
  write(data: string | Uint8Array): void | Promise<void>;
  /** Message transports: one message sent in fragments (WebSocket continuation frames). */
  writeFragments?(parts: string[]): void | Promise<void>;
  /** Called with every frame the client receives, parsed, in order. */
  onFrame(listener: (frame: unknown) => void): void;
  /** Ends this client's input (end of file, or closing the connection). */
  end(): void | Promise<void>;
}

/** A transport ready to start and a way to reach it. */
export interface TransportEndpoint {
  transport: Transport;
  /** Connects a client; called after `transport.start()` resolved. */
  connect(): Promise<WireClient>;
  /** Releases what the harness made (fds, files, sockets), after the transport closed. */
  cleanup?(): void | Promise<void>;
}

export interface TransportHarness {
  /** "stream": one byte stream of NDJSON (chunking and end-of-input cases apply); "message": one JSON object per message. */
  readonly framing: "stream" | "message";
  /** Builds a transport; `maxFrameBytes` is the request size limit to configure when given. */
  create(options: { maxFrameBytes?: number }): TransportEndpoint | Promise<TransportEndpoint>;
  /** The transport takes a configurable request size limit (`maxFrameBytes` above). */
  readonly frameLimit?: boolean;
  /** Several clients may connect at once. */
  readonly multiClient?: boolean;
  /** Message transports: the client can send one message in fragments (`writeFragments`). */
  readonly fragments?: boolean;
}

export interface TransportConformanceOptions {
  /** Bound of waiting for a message or frame (default 10 s). */
  waitMs?: number;
  /** Bound of one case (default 60 s). */
  caseTimeoutMs?: number;
}

interface Received {
  msg: unknown;
  from: Connection;
}

/** Polls until `predicate` holds; a failure names `what`. */
async function until(predicate: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) check(false, () => `${what()} (waited ${ms} ms)`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Waits for the first protocol_error frame among `frames` and returns it. */
async function protocolError(frames: unknown[], ms: number): Promise<Frame & { error?: { code?: string } }> {
  const isError = (f: unknown) => (f as Frame).type === "protocol_error";
  await until(
    () => frames.some(isError),
    ms,
    () => `no protocol_error frame reached the client (frames: ${show(frames)})`,
  );
  return frames.find(isError) as Frame & { error?: { code?: string } };
}

function flush(conn: Connection): void {
  (conn as { flush?: () => void }).flush?.();
}

const requestsOnly = (list: Received[]) => list.filter((r) => (r.msg as { type?: unknown })?.type !== "exit");

export function transportSuite(
  plugin: string,
  harness: TransportHarness,
  options: TransportConformanceOptions = {},
): ConformanceSuite {
  const waitMs = options.waitMs ?? 10_000;

  /** A started transport with the kit as its kernel, and one connected client. */
  const open = async (ctx: CaseContext, createOptions: { maxFrameBytes?: number } = {}) => {
    const ep = await within(Promise.resolve(harness.create(createOptions)), waitMs, "creating the transport");
    const received: Received[] = [];
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await within(Promise.resolve(ep.transport.close()), waitMs, "transport.close()");
    };
    ctx.defer(async () => {
      await close().catch(() => {});
      await ep.cleanup?.();
    });
    await within(
      Promise.resolve(ep.transport.start((msg, from) => void received.push({ msg, from }))),
      waitMs,
      "transport.start()",
    );
    const connect = async () => {
      const frames: unknown[] = [];
      const client = await within(ep.connect(), waitMs, "connecting a client");
      client.onFrame((f) => frames.push(f));
      return { client, frames };
    };
    const first = await connect();
    const nth = async (n: number, what: string) => {
      await until(
        () => requestsOnly(received).length >= n,
        waitMs,
        () =>
          `${what}: the transport delivered ${requestsOnly(received).length} of ${n} messages (${show(received.slice(-3).map((r) => r.msg))})`,
      );
      return requestsOnly(received);
    };
    const frames = async (list: unknown[], n: number, what: string) => {
      await until(
        () => list.length >= n,
        waitMs,
        () => `${what}: the client received ${list.length} of ${n} frames (last: ${show(list.slice(-2))})`,
      );
      return list;
    };
    return { ep, received, ...first, connect, nth, framesOf: frames, close };
  };

  const line = (v: unknown) => `${JSON.stringify(v)}\n`;
  const wire = (v: unknown) => (harness.framing === "stream" ? line(v) : JSON.stringify(v));
  const UNICODE = "héllo wörld — ✓ 🎉 𝄞";

  const cases: ConformanceCase[] = [
    // ---- tier 1: basic contract ----
    {
      tier: 1,
      name: "a request the client writes arrives as one message, from a connection",
      async run(ctx) {
        const t = await open(ctx);
        const request = { id: "r1", type: "execute", code: `"${UNICODE}"`, nested: { list: [1, 2, 3] } };
        await t.client.write(wire(request));
        const [got] = await t.nth(1, "one request");
        check(
          show(got!.msg) === show(request),
          () => `the message arrived as ${show(got!.msg)}; sent ${show(request)}`,
        );
        check(
          typeof got!.from?.id === "string" && typeof got!.from?.send === "function",
          () => `the message came from ${show(got!.from)}, not a Connection with an id and send()`,
        );
      },
    },
    {
      tier: 1,
      name: "frames of every type sent on a connection reach its client intact and in order",
      async run(ctx) {
        const t = await open(ctx);
        await t.client.write(wire({ id: "hello", type: "kernel_info" }));
        const [{ from }] = (await t.nth(1, "the first request")) as [Received];
        const sent: Frame[] = [];
        for (let i = 0; i < 200; i++) {
          // Mixed types: a transport must not regroup frames (stdout apart from the rest, say).
          const type = ["started", "stdout", "stderr", "display", "stdout", "result", "done"][i % 7]!;
          const frame: Frame = { type, id: "hello", n: i, data: `${UNICODE} ${i}\n` };
          if (i === 100) frame.data = "x".repeat(200_000);
          sent.push(frame);
          await from.send(frame);
        }
        flush(from);
        const got = await t.framesOf(t.frames, sent.length, "200 frames");
        for (let i = 0; i < sent.length; i++) {
          check(
            show(got[i]) === show(sent[i]),
            () => `frame ${i} arrived as ${show(got[i])}; sent ${show(sent[i])}`,
          );
        }
      },
    },
    {
      tier: 1,
      name: "requests arrive in the order the client wrote them",
      async run(ctx) {
        const t = await open(ctx);
        for (let i = 0; i < 100; i++)
          await t.client.write(wire({ id: `q${i}`, type: "execute", code: String(i) }));
        const got = await t.nth(100, "100 requests");
        const ids = got.map((r) => (r.msg as { id: string }).id);
        const want = Array.from({ length: 100 }, (_, i) => `q${i}`);
        check(show(ids) === show(want), () => `requests arrived as ${show(ids.slice(0, 12))}…`);
      },
    },

    // ---- tier 2: errors and framing ----
    ...(harness.framing === "stream"
      ? [
          {
            tier: 2 as const,
            name: "a request split into tiny chunks, even inside a UTF-8 character, arrives whole",
            async run(ctx: CaseContext) {
              const t = await open(ctx);
              const request = { id: "split", type: "execute", code: `"${UNICODE}"` };
              const bytes = Buffer.from(line(request), "utf8");
              for (let i = 0; i < bytes.length; ) {
                const n = 1 + (i % 3);
                await t.client.write(bytes.subarray(i, i + n));
                i += n;
                await new Promise((r) => setImmediate(r));
              }
              const [got] = await t.nth(1, "a request written in 1–3 byte chunks");
              check(show(got!.msg) === show(request), () => `the split request arrived as ${show(got!.msg)}`);
            },
          },
          {
            tier: 2 as const,
            name: "several requests in one chunk arrive as separate messages, in order",
            async run(ctx: CaseContext) {
              const t = await open(ctx);
              const requests = Array.from({ length: 5 }, (_, i) => ({ id: `c${i}`, type: "kernel_info" }));
              const half = line({ id: "c5", type: "kernel_info" });
              await t.client.write(requests.map(line).join("") + half.slice(0, 7));
              await t.client.write(half.slice(7));
              const got = await t.nth(6, "six requests in two chunks");
              const ids = got.map((r) => (r.msg as { id: string }).id);
              check(
                show(ids) === show(["c0", "c1", "c2", "c3", "c4", "c5"]),
                () => `requests arrived as ${show(ids)}`,
              );
            },
          },
        ]
      : []),
    ...(harness.framing === "message" && harness.fragments
      ? [
          {
            tier: 2 as const,
            name: "a request sent in fragments arrives whole",
            async run(ctx: CaseContext) {
              const t = await open(ctx);
              check(t.client.writeFragments, "the harness's client cannot send fragments");
              const request = { id: "frag", type: "execute", code: `"${UNICODE}"` };
              const text = JSON.stringify(request);
              await t.client.writeFragments([text.slice(0, 5), text.slice(5, 23), text.slice(23)]);
              const [got] = await t.nth(1, "a fragmented request");
              check(
                show(got!.msg) === show(request),
                () => `the fragmented request arrived as ${show(got!.msg)}`,
              );
            },
          },
        ]
      : []),
    {
      tier: 2,
      name: "an unparseable request gets protocol_error INVALID_JSON and the next request is read",
      async run(ctx) {
        const t = await open(ctx);
        await t.client.write(harness.framing === "stream" ? "{not json\n" : "{not json");
        await t.client.write(wire({ id: "after", type: "kernel_info" }));
        const [got] = await t.nth(1, "the request after the bad one");
        check(
          (got!.msg as { id?: string }).id === "after",
          () => `the next request arrived as ${show(got!.msg)}`,
        );
        const pe = await protocolError(t.frames, waitMs);
        check(
          pe.id === null && pe.error?.code === "INVALID_JSON",
          () => `the protocol_error is ${show(pe)}; expected id null and error.code INVALID_JSON`,
        );
      },
    },
    ...(harness.frameLimit
      ? [
          {
            tier: 2 as const,
            name: "a request over the frame limit gets protocol_error FRAME_TOO_LARGE and the next request is read",
            async run(ctx: CaseContext) {
              const t = await open(ctx, { maxFrameBytes: 4096 });
              await t.client.write(wire({ id: "big", type: "execute", code: "x".repeat(20_000) }));
              await t.client.write(wire({ id: "small", type: "kernel_info" }));
              const [got] = await t.nth(1, "the request after the oversized one");
              check(
                (got!.msg as { id?: string }).id === "small",
                () => `the oversized request was delivered: ${show(got!.msg)}`,
              );
              const pe = await protocolError(t.frames, waitMs);
              check(
                pe.error?.code === "FRAME_TOO_LARGE",
                () => `the protocol_error is ${show(pe)}; expected FRAME_TOO_LARGE`,
              );
            },
          },
        ]
      : []),
    {
      tier: 2,
      name: "JSON keys like __proto__ stay plain data",
      async run(ctx) {
        const t = await open(ctx);
        await t.client.write(
          '{"id":"p","type":"kernel_info","__proto__":{"kkPolluted":true}}'.concat(
            harness.framing === "stream" ? "\n" : "",
          ),
        );
        const [got] = await t.nth(1, "the request with __proto__");
        const m = got!.msg as Record<string, unknown>;
        check(
          ({} as Record<string, unknown>).kkPolluted === undefined,
          "a request's __proto__ key polluted Object.prototype",
        );
        check(
          Object.getPrototypeOf(m) === Object.prototype && m.kkPolluted === undefined,
          "a request's __proto__ key became the message's prototype",
        );
      },
    },

    // ---- tier 3: async ordering under load ----
    {
      tier: 3,
      name: "requests and answers flow both ways at once, each in order",
      async run(ctx) {
        const t = await open(ctx);
        let answered = 0;
        const answer = setInterval(() => {
          const list = requestsOnly(t.received);
          for (; answered < list.length; answered++) {
            const { msg, from } = list[answered]!;
            void from.send({ type: "done", id: (msg as { id: string }).id, status: "ok" });
            flush(from);
          }
        }, 1);
        ctx.defer(() => clearInterval(answer));
        for (let i = 0; i < 50; i++) {
          await t.client.write(wire({ id: `b${i}`, type: "execute", code: "1" }));
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
        }
        const got = await t.framesOf(t.frames, 50, "50 answers");
        const ids = got.map((f) => (f as Frame).id);
        check(
          show(ids) === show(Array.from({ length: 50 }, (_, i) => `b${i}`)),
          () => `answers arrived as ${show(ids.slice(0, 12))}…`,
        );
      },
    },
    {
      tier: 3,
      name: "a burst of 4 MB of frames arrives complete",
      async run(ctx) {
        const t = await open(ctx);
        await t.client.write(wire({ id: "burst", type: "execute" }));
        const [{ from }] = (await t.nth(1, "the request")) as [Received];
        const chunk = "0123456789abcdef".repeat(64);
        const n = 4096;
        for (let i = 0; i < n; i++) await from.send({ type: "stdout", id: "burst", i, data: chunk });
        flush(from);
        const got = await t.framesOf(t.frames, n, `${n} frames of 1 KiB`);
        const bad = got.findIndex(
          (f, i) => (f as { i?: number }).i !== i || (f as { data?: string }).data !== chunk,
        );
        check(bad === -1, () => `frame ${bad} of the burst arrived as ${show(got[bad])}`);
      },
    },

    // ---- tier 4: close and isolation ----
    ...(harness.framing === "stream"
      ? [
          {
            tier: 4 as const,
            name: "end of input reaches the kernel as one endOfInput() message",
            async run(ctx: CaseContext) {
              const t = await open(ctx);
              await t.client.write(line({ id: "last", type: "kernel_info" }));
              await t.client.end();
              await until(
                () => t.received.some((r) => (r.msg as { type?: string })?.type === "exit"),
                waitMs,
                () =>
                  `after the client ended its input, no {type: "exit"} message arrived (got ${show(t.received.map((r) => r.msg))})`,
              );
              const types = t.received.map((r) => (r.msg as { type?: string }).type);
              check(
                types.join(",") === "kernel_info,exit",
                () => `messages were ${show(types)}; expected the request, then exit once`,
              );
              check(
                isEndOfInput(t.received[1]!.msg),
                'end of input arrived as a plain {type: "exit"}, which stops the kernel before it answers what it received',
                "Deliver endOfInput() from @kernelkit/core (docs/transports.md, End of input).",
              );
            },
          },
        ]
      : []),
    {
      tier: 4,
      name: "close() delivers the frames sent before it, and later sends are dropped quietly",
      async run(ctx) {
        const t = await open(ctx);
        await t.client.write(wire({ id: "c", type: "execute" }));
        const [{ from }] = (await t.nth(1, "the request")) as [Received];
        for (let i = 0; i < 20; i++) await from.send({ type: "stdout", id: "c", i, data: `${i}\n` });
        await t.close();
        const got = await t.framesOf(t.frames, 20, "frames sent just before close()");
        check(
          got.slice(0, 20).every((f, i) => (f as { i?: number }).i === i),
          () => `frames sent before close() arrived as ${show(got.slice(0, 5))}…`,
        );
        try {
          await from.send({ type: "stdout", id: "c", data: "late\n" });
          await t.ep.transport.close();
        } catch (error) {
          check(false, () => `after close(), send() or a second close() threw ${describeError(error)}`);
        }
      },
    },
    ...(harness.multiClient
      ? [
          {
            tier: 4 as const,
            name: "answers go only to the connection that sent the request",
            async run(ctx: CaseContext) {
              const t = await open(ctx);
              const other = await t.connect();
              await t.client.write(wire({ id: "1", type: "kernel_info" }));
              await other.client.write(wire({ id: "1", type: "kernel_info" }));
              const got = await t.nth(2, "one request from each client");
              check(got[0]!.from !== got[1]!.from, "two clients' requests came from the same connection");
              for (const [i, r] of got.entries()) {
                await r.from.send({ type: "kernel_info_reply", id: "1", who: i });
                flush(r.from);
              }
              await t.framesOf(t.frames, 1, "the first client's answer");
              await t.framesOf(other.frames, 1, "the second client's answer");
              const whoA = t.frames.map((f) => (f as { who?: number }).who);
              const whoB = other.frames.map((f) => (f as { who?: number }).who);
              check(
                whoA.length === 1 && whoB.length === 1 && whoA[0] !== whoB[0],
                () => `clients received ${show(whoA)} and ${show(whoB)}: answers crossed connections`,
              );
            },
          },
        ]
      : []),
  ];
  return { kind: "transport", plugin, cases, timeoutMs: options.caseTimeoutMs ?? 60_000 };
}
