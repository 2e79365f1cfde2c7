// Background work that is never left dangling: every task is strongly referenced until it
// settles, and every failure is logged with the task's name (cancellations are not failures).
import type { Logger } from "../contract/logger.ts";
import { silentLogger } from "./logger.ts";

export interface Task<T = unknown> {
  readonly name: string;
  readonly promise: Promise<T | undefined>;
  readonly signal: AbortSignal;
  readonly settled: boolean;
  /** The failure, if the task failed (not cancelled). */
  readonly error: unknown;
  /** Whether someone has looked at the failure (cancelAndWait marks it). */
  errorSeen: boolean;
  cancel(reason?: unknown): void;
}

const live = new Set<Task>();

/** How many supervised tasks are still running (diagnostics and tests). */
export function liveTaskCount(): number {
  return live.size;
}

export function isCancellation(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && (error === signal.reason || (error as { name?: string })?.name === "AbortError"))
    return true;
  return (error as { name?: string })?.name === "AbortError";
}

/**
 * Runs `fn(signal)` in the background. The returned promise never rejects: a failure is
 * logged (with the task name) and kept on `task.error`; a cancellation resolves undefined.
 */
export function supervisedTask<T>(
  name: string,
  fn: (signal: AbortSignal) => Promise<T> | T,
  logger: Logger = silentLogger,
): Task<T> {
  const controller = new AbortController();
  const task: Task<T> = {
    name,
    signal: controller.signal,
    settled: false,
    error: undefined,
    errorSeen: false,
    cancel(reason?: unknown) {
      if (!controller.signal.aborted) controller.abort(reason);
    },
    promise: undefined as never,
  };
  const state = task as { -readonly [K in keyof Task<T>]: Task<T>[K] };
  live.add(task as Task);
  state.promise = (async () => {
    try {
      return await fn(controller.signal);
    } catch (error) {
      if (!isCancellation(error, controller.signal)) {
        state.error = error;
        logger.error({ task: name, err: error }, `background task '${name}' failed`);
      }
      return undefined;
    } finally {
      state.settled = true;
      live.delete(task as Task);
    }
  })();
  return task;
}

/** Starts a promise whose result nobody awaits; a rejection is logged, never unhandled. */
export function fireAndForget(
  name: string,
  work: Promise<unknown> | (() => Promise<unknown>),
  logger?: Logger,
): Task {
  return supervisedTask(name, () => (typeof work === "function" ? work() : work), logger);
}

/**
 * Cancels a task and waits for it to finish. A task that already finished is fine: no
 * throw, and its error (if any) is marked seen.
 */
export async function cancelAndWait(task: Task, reason?: unknown): Promise<void> {
  if (task.settled) {
    task.errorSeen = true;
    return;
  }
  task.cancel(reason);
  await task.promise;
  task.errorSeen = true;
}

/** A set of tasks owned by one component, cancelled and awaited together on teardown. */
export class TaskGroup {
  private readonly tasks = new Set<Task>();
  constructor(private readonly logger: Logger = silentLogger) {}

  spawn<T>(name: string, fn: (signal: AbortSignal) => Promise<T> | T): Task<T> {
    const task = supervisedTask(name, fn, this.logger);
    this.tasks.add(task as Task);
    void task.promise.then(() => this.tasks.delete(task as Task));
    return task;
  }

  get size(): number {
    return this.tasks.size;
  }

  async cancelAll(reason?: unknown): Promise<void> {
    await Promise.all([...this.tasks].map((t) => cancelAndWait(t, reason)));
  }
}
