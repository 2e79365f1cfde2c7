// Exact command type -> handler. Handlers come in handler groups that register themselves.
import { KernelkitError } from "../contract/errors.ts";

export type Handler<Ctx> = (request: any, ctx: Ctx) => unknown | Promise<unknown>;

export interface HandlerGroup<Ctx> {
  readonly name: string;
  /** Command types this group handles (used to check every command has exactly one owner). */
  readonly commands: readonly string[];
  register(router: RequestRouter<Ctx>): void;
}

export class UnknownCommandError extends KernelkitError {
  constructor(readonly command: string) {
    super("UNKNOWN_COMMAND", `unknown command type '${command}'`, {
      hint: "See docs/protocol.md for the request types a kernel understands.",
    });
    this.name = "UnknownCommandError";
  }
}

export class RequestRouter<Ctx> {
  private readonly handlers = new Map<string, { handler: Handler<Ctx>; owner: string }>();

  /** Registers a handler; a later registration of the same type replaces the earlier one. */
  register(type: string, handler: Handler<Ctx>, owner = "anonymous"): void {
    this.handlers.set(type, { handler, owner });
  }

  unregister(type: string): void {
    this.handlers.delete(type);
  }

  has(type: string): boolean {
    return this.handlers.has(type);
  }

  ownerOf(type: string): string | undefined {
    return this.handlers.get(type)?.owner;
  }

  types(): string[] {
    return [...this.handlers.keys()];
  }

  /** Calls the handler for `request.type`; throws UnknownCommandError when none is registered. */
  dispatch(request: { type: string }, ctx: Ctx): unknown | Promise<unknown> {
    const entry = this.handlers.get(request.type);
    if (!entry) throw new UnknownCommandError(request.type);
    return entry.handler(request, ctx);
  }
}
