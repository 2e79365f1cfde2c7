// The early bind (docs/jupyter.md "Start"): `kernelkit serve --transport jupyter` calls
// `bindEarly` before the rest of the CLI and core load, so shell, iopub and stdin listen tens of
// milliseconds after the process starts. jupyter_client retries a refused connect only every
// 100–200 ms, so a socket bound late costs a whole retry. Until the transport takes the sockets
// over, a kernel_info_request is answered here (it needs nothing but the kernelspec's language),
// wrapped in iopub busy … idle as every request is; any other message is held, and once one is
// held every later one is too, so the transport handles them in the order they came.
// It imports nothing heavy: zeromq, node:crypto and core's small protocol entry.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { VERSION } from "@kernelkit/core/protocol";
import { type ConnectionInfo, checkConnectionInfo } from "./connection-info.ts";
import { kernelInfoContent } from "./language-info.ts";
import { type MainSocketEvents, MainSockets } from "./main-sockets.ts";
import { encodeMessage, newHeader, Signer } from "./wire.ts";
import type { ReceivedMessage } from "./worker-protocol.ts";

const LANGUAGES = ["javascript", "typescript", "python"];

/** Sockets bound by `bindEarly`, for the transport to take over (`takeEarlySockets`). */
export interface EarlySockets {
  /** The session id of the messages sent so far; the transport keeps it. */
  readonly session: string;
  readonly sockets: Promise<MainSockets>;
  /** Whether these are the early sockets (not ones the transport had to open itself). */
  owns(sockets: MainSockets): boolean;
  /** From now on `events` reads: first what was held, in order, then what arrives. */
  adopt(events: MainSocketEvents): void;
}

interface Bound extends EarlySockets {
  key: string;
}

let bound: Bound | null = null;

const sameInfo = (info: ConnectionInfo) => JSON.stringify(info);

/**
 * Binds the main thread's sockets from a connection file, before the kernel exists. Does nothing
 * when the file or language is not right: serve then reports the problem with its coded error.
 * Resolves once the sockets are bound (or could not be).
 */
export async function bindEarly(options: {
  connectionFile: string;
  language?: string | undefined;
}): Promise<void> {
  if (bound) return;
  const language = options.language ?? "javascript";
  if (!LANGUAGES.includes(language)) return;
  let info: ConnectionInfo | string;
  try {
    info = checkConnectionInfo(JSON.parse(readFileSync(options.connectionFile, "utf8")));
  } catch {
    return;
  }
  if (typeof info === "string") return;
  const signer = new Signer(info.key, info.signatureScheme);
  const session = randomUUID();
  const sockets = MainSockets.open(info, signer);
  // A bind that failed (port in use) is retried by the transport, which reports it.
  sockets.catch(() => {});
  const held: (
    | { ch: "shell" | "stdin"; m: ReceivedMessage }
    | { log: Parameters<MainSocketEvents["log"]> }
  )[] = [];

  const send = (
    s: MainSockets,
    ch: "shell" | "iopub",
    ids: readonly Uint8Array[],
    type: string,
    parent: ReceivedMessage,
    content: unknown,
  ) => {
    const topic = ch === "iopub" ? [Buffer.from(`kernel.${session}.${type}`)] : ids;
    s.send(ch, encodeMessage(signer, topic, newHeader(type, session), parent.header, {}, content));
  };
  const early = (s: MainSockets): MainSocketEvents => ({
    message(ch, m) {
      if (ch !== "shell" || held.some((h) => "m" in h) || m.header.msg_type !== "kernel_info_request") {
        held.push({ ch, m });
        return;
      }
      send(s, "iopub", [], "status", m, { execution_state: "busy" });
      send(s, "shell", m.identities, "kernel_info_reply", m, kernelInfoContent(language, VERSION));
      send(s, "iopub", [], "status", m, { execution_state: "idle" });
    },
    // Nothing to log to yet: the transport logs it when it takes over.
    log(...args) {
      held.push({ log: args });
    },
  });
  let opened: MainSockets | null = null;
  void sockets.then(
    (s) => {
      opened = s;
      s.listen(early(s));
    },
    () => {},
  );

  bound = {
    key: sameInfo(info),
    session,
    sockets,
    owns: (s) => s === opened,
    adopt(events) {
      if (!opened) return;
      for (const h of held.splice(0)) {
        if ("m" in h) events.message(h.ch, h.m);
        else events.log(...h.log);
      }
      opened.listen(events);
    },
  };
  await sockets.then(
    () => {},
    () => {},
  );
}

/** The early sockets for this connection, once: the transport that takes them owns them. */
export function takeEarlySockets(info: ConnectionInfo): EarlySockets | null {
  if (!bound || bound.key !== sameInfo(info)) return null;
  const taken = bound;
  bound = null;
  return taken;
}
