// A kernel plugin that adds two commands through the router, next to docs/protocol.md's own:
//   {"id": "1", "type": "cache_stats"}  →  cache_stats_reply {hits, misses, uncacheable, entries, dir}
//   {"id": "2", "type": "cache_clear"}  →  cache_clear_reply {removed}
import { definePlugin, KernelkitError, type RequestContext } from "@kernelkit/core";
import type { CacheLifecycle } from "./cache-lifecycle.ts";

export default definePlugin(() => ({
  name: "cache-commands",
  apply(kernel) {
    const cache = kernel.lifecycles.find((l) => l.name === "cache") as CacheLifecycle | undefined;
    if (!cache) {
      throw new KernelkitError("KK_PLUGIN_REQUIRES", "cache-commands needs the 'cache' lifecycle", {
        hint: 'Add "./src/cache-lifecycle.ts" to `lifecycles` in kernelkit.config.ts.',
      });
    }
    kernel.router.register(
      "cache_stats",
      (_req: unknown, ctx: RequestContext) => ctx.reply("cache_stats_reply", { ...cache.report() }),
      "cache-commands",
    );
    kernel.router.register(
      "cache_clear",
      (_req: unknown, ctx: RequestContext) => ctx.reply("cache_clear_reply", { removed: cache.clear() }),
      "cache-commands",
    );
  },
}));
