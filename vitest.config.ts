import { defineConfig } from "vitest/config";

// pnpm's `.bin/vitest` shim exports NODE_PATH (the whole store's hoisted node_modules). Kernels
// the tests spawn inherit it and then find packages a user's kernel would not — it hid a crash
// of every kernel started by KernelClient (docs/reliability.md). Tests start kernels as users do.
delete process.env.NODE_PATH;

// Packages resolve to their TypeScript sources in tests through the custom
// "kernelkit-source" export condition, so no build is needed for unit tests.
// End-to-end tests spawn the built CLI (`npm test` builds first).
export default defineConfig({
  resolve: { conditions: ["kernelkit-source"] },
  ssr: { resolve: { conditions: ["kernelkit-source"] } },
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "runner/test/**/*.test.ts",
      "test/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
