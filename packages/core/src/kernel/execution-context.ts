// One execution's context, and the abort controller it creates only when asked for its signal.
import type { CellId } from "../contract/cell.ts";
import type { Logger } from "../contract/logger.ts";
import type { DisplayOptions, ExecutionContext, InterruptOptions, Scope } from "../contract/plugin.ts";
import type { RunObserver } from "../execution/cell-runner.ts";
import type { Kernel } from "./kernel.ts";
/**
 * One execution's context. A class rather than an object literal: a literal with a getter
 * costs ~0.5 µs to create. stdout/stderr/display stay own functions (callers may pass them on
 * unbound).
 */
export class Execution implements ExecutionContext {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly display: (value: unknown, options?: DisplayOptions) => void;
  readonly clearOutput: (wait?: boolean) => void;
  readonly input: (prompt: string, options?: { password?: boolean }) => Promise<string | null>;
  /** The execute request allowed stdin (v1.1 `allowStdin`); otherwise input() gets end of file. */
  allowStdin = false;
  constructor(
    readonly cellId: CellId,
    readonly requestId: string | null,
    readonly scope: Scope,
    private readonly controller: LazyAbortController,
    readonly logger: Logger,
    observer: RunObserver,
    observedCellId: CellId | null,
    private readonly kernel: Kernel,
  ) {
    this.stdout = (text) => observer.stdout(observedCellId, text);
    this.stderr = (text) => observer.stderr(observedCellId, text);
    this.display = (value, options) => {
      const id = options?.displayId;
      const page = options?.page === true;
      if (typeof id === "string") {
        const extras = { displayId: id, update: kernel.seenDisplay(id), ...(page ? { page } : {}) };
        observer.display(observedCellId, kernel.format(value), extras);
      } else if (page) observer.display(observedCellId, kernel.format(value), { page });
      else observer.display(observedCellId, kernel.format(value));
    };
    this.clearOutput = (wait = false) => observer.clearOutput?.(observedCellId, wait === true);
    this.input = (prompt, options) => {
      if (!this.allowStdin || !observer.inputRequest) return Promise.resolve(null);
      const { inputId, answer } = kernel.awaitInput();
      observer.inputRequest(observedCellId, inputId, String(prompt ?? ""), options?.password === true);
      return answer;
    };
  }
  /** A method, not an own closure: most executions never call it (docs/plugins/lifecycle.md). */
  interrupt(reason?: string, options?: InterruptOptions): void {
    this.kernel.interruptExecution(this, reason, options);
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
}

export class LazyAbortController {
  private controller: AbortController | null = null;
  get aborted(): boolean {
    return this.controller?.signal.aborted ?? false;
  }
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }
  abort(reason: unknown): void {
    this.controller ??= new AbortController();
    this.controller.abort(reason);
  }
}
