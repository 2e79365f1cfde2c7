// Building and releasing a kernel, shared by every launcher: createKernel, teardownKernel,
// and the in-process launcher that joins them with the message loop.
import { KernelkitError } from "../contract/errors.ts";
import { Kernel, type KernelOptions } from "../kernel/kernel.ts";
import { CORE_HANDLER_GROUPS } from "./handlers.ts";
import { createMemoryTransport, type MemoryClient } from "./memory-transport.ts";
import { listenMessages } from "./message-loop.ts";
/** Builds a kernel: hooks, request handlers, plugins applied, `configured` called, notebook loaded. */
export async function createKernel(options: KernelOptions): Promise<Kernel> {
  const kernel = new Kernel(options);
  for (const b of CORE_HANDLER_GROUPS) b.register(kernel.router);
  for (const plugin of options.plugins ?? []) {
    try {
      await plugin.apply(kernel);
    } catch (error) {
      throw new KernelkitError(
        "KK_PLUGIN_CONSTRUCT",
        `plugin '${plugin.name}' failed to apply: ${(error as Error)?.message ?? error}`,
        {
          cause: error,
          hint: `Fix the plugin or remove '${plugin.name}' from the config.`,
        },
      );
    }
    kernel.plugins.push(plugin);
  }
  kernel.hooks.configured.call(options.config ?? {});
  if (options.notebook) await kernel.loadNotebook(options.notebook);
  return kernel;
}

export interface TeardownStepFailure {
  step: string;
  error: unknown;
}

/**
 * Releases a kernel, in this order, each step isolated so one failure does not skip the rest:
 * 1. interrupt running work; 2. cancel and await background tasks; 3. the `teardown` hook;
 * 4. dispose lifecycles (reverse order); 5. dispose the executor; 6. close the transport;
 * 7. release process-level subscriptions (interrupts).
 */
export async function teardownKernel(kernel: Kernel): Promise<TeardownStepFailure[]> {
  const failures: TeardownStepFailure[] = [];
  const step = async (name: string, fn: () => unknown) => {
    try {
      await fn();
    } catch (error) {
      failures.push({ step: name, error });
      kernel.logger.error({ err: error, step: name }, `teardown step '${name}' failed`);
    }
  };
  kernel.closed = true;
  await step("interrupt", () => {
    if (kernel.busy) kernel.interrupt("the kernel is shutting down");
  });
  await step("tasks", () => kernel.tasks.cancelAll());
  await step("hooks", () => kernel.hooks.teardown.promise());
  for (const lc of [...kernel.lifecycles].reverse()) {
    await step(`lifecycle:${lc.name}`, () => lc.dispose?.());
  }
  await step(`executor:${kernel.executor.name}`, () => kernel.executor.dispose?.());
  await step("language-service", () => kernel.languageService?.dispose?.());
  await step("transport", () => kernel.transport?.close());
  await step("interrupts", () => kernel.detach());
  return failures;
}

// ---- in-process launcher ----

export interface InProcessKernel {
  kernel: Kernel;
  client: MemoryClient;
  /** Resolves after the loop stopped and the kernel was torn down. */
  closed: Promise<TeardownStepFailure[]>;
}

/** Kernel and client in one process, over an in-memory transport, with the same three functions. */
export async function startInProcessKernel(options: KernelOptions): Promise<InProcessKernel> {
  const kernel = await createKernel(options);
  const { transport, client } = createMemoryTransport();
  const closed = listenMessages(kernel, transport).then(() => teardownKernel(kernel));
  return { kernel, client, closed };
}
