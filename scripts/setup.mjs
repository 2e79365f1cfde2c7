// `npm run setup`: install with pnpm 10 (through npx, no global install), build, and run
// the example notebook. That notebook fails one branch on purpose (to show cancellation),
// so its exit code 1 is the expected outcome here.
import { spawnSync } from "node:child_process";
import { setupHint } from "./setup-hint.mjs";

const step = (title, cmd, args) => {
  process.stderr.write(`\n› ${title}\n`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.error) throw r.error;
  return r.status ?? 1;
};

if (
  step("installing dependencies (pnpm 10 via npx)", "npx", [
    "-y",
    "pnpm@10.34.9",
    "install",
    "--frozen-lockfile",
  ]) !== 0
)
  process.exit(1);
if (step("building packages", process.execPath, ["scripts/build.mjs"]) !== 0) process.exit(1);
const code = step("running examples/notebooks/sales.ts", process.execPath, [
  "runner/dist/cli.js",
  "run",
  "examples/notebooks/sales.ts",
]);
if (code > 1) process.exit(code);
process.stderr.write(setupHint());
