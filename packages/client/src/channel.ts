// The seam between KernelClient and how it reaches a kernel: a subprocess on a socket pair
// (process-channel.ts) or, later, a WebSocket (remote.ts). The client speaks docs/protocol.md over
// any KernelChannel and leaves signals and process supervision to the channel.

/** A frame from the kernel (docs/protocol.md). */
export type Frame = { type: string; id: string | null; [key: string]: unknown };

/** How the kernel went away. */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** A one-line explanation (e.g. "the kernel exited with code 1"). */
  reason: string;
}

export interface ChannelEvents {
  /** Each frame, in order. */
  frame(frame: Frame): void;
  /** Text the kernel process wrote outside the protocol (fd 1 and fd 2 of a subprocess). */
  output(text: string, stream: "stdout" | "stderr"): void;
  /** The kernel is gone (called once, after every frame it sent was delivered). */
  exit(info: ExitInfo): void;
}

export interface KernelChannel {
  attach(events: ChannelEvents): void;
  /** Sends one request. */
  send(message: Record<string, unknown>): void;
  /** Interrupts out of band (SIGINT to the kernel's pid); false when the channel cannot, so the client sends an `interrupt` request. */
  signalInterrupt(): boolean;
  /**
   * Ends the kernel: `{"type":"exit"}` and close, wait `graceMs`; then SIGTERM to the group,
   * wait; then SIGKILL, wait. Resolves true when the exit was seen.
   */
  shutdown(graceMs: number): Promise<boolean>;
  /** Whether the kernel is still there. */
  readonly alive: boolean;
  /** The kernel's pid, when it is a local subprocess. */
  readonly pid: number | null;
  /** Keeps the host process alive while work is pending (true), or lets it exit (false). */
  setBusy(busy: boolean): void;
  /** Last lines the kernel wrote on stderr (for error messages). */
  recentStderr(): string[];
}
