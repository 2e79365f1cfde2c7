// The same bespoke kernel as a Jupyter kernel: `kernelkit jupyter install --config
// kernelkit.jupyter.config.ts --language typescript --name primes`. Reactive mode makes each
// notebook cell a kernelkit cell, so the cache lifecycle skips unchanged cells under Jupyter too
// (in sequential mode every execute is scratch code, which the cache never keeps).
import { defineConfig } from "@kernelkit/core";
import base from "./kernelkit.config.ts";

export default defineConfig({
  executor: base.executor,
  lifecycles: base.lifecycles,
  plugins: base.plugins,
  mode: "reactive",
} as Parameters<typeof defineConfig>[0]);
