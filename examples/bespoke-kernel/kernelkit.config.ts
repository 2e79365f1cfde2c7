// A kernel composed from a config: a third-party executor found through its package's entry
// point, the built-in profiling lifecycle, and two local plugins of this folder.
import { defineConfig } from "@kernelkit/core";

export default defineConfig({
  // kernelkit-executor-worker advertises an executor entry point named "worker".
  executor: ["worker", { memoryMb: 256 }],
  // Setup in this order, teardown in reverse: profiling times every cell, cached ones too.
  lifecycles: [["profiling", { out: "trace.json" }], "./src/cache-lifecycle.ts"],
  plugins: ["./src/cache-commands.ts"],
  transport: { use: "ws", options: { host: "127.0.0.1", port: 8765 } },
});
