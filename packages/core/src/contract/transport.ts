// How clients reach a kernel: a transport carries connections; a connection carries frames.
/** Frames are plain JSON objects (PROTOCOL.md). */
export type Frame = { type: string; id: string | null; [key: string]: unknown };

export interface Connection {
  readonly id: string;
  send(frame: Frame): void | Promise<void>;
}

/** A server-side endpoint; may carry many connections. */
export interface Transport {
  readonly name?: string;
  start(onMessage: (msg: unknown, from: Connection) => void): Promise<void>;
  close(): Promise<void>;
}
