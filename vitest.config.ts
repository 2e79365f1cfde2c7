import { defineConfig } from "vitest/config";

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
