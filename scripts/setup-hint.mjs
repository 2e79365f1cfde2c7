// What `npm run setup` prints when it is done: commands to try next, one per line, each
// runnable on its own (a test runs every one of them: test/e2e/setup-hint.test.ts).

/** Each a whole command: no pipes, no `&&`, nothing that needs another line to make sense. */
export const TRY_COMMANDS = ["npx kernelkit run examples/notebooks/sales.ts --json", "npx kernelkit --help"];

export function setupHint() {
  return (
    "\n✓ set up. The example's 'forecast' cell fails on purpose, so its branch is cancelled (exit code 1).\n" +
    "  Try:\n" +
    TRY_COMMANDS.map((c) => `    ${c}\n`).join("")
  );
}
