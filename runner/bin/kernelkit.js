#!/usr/bin/env node
// The CLI runs from its bundle (runner/dist/cli.js); `npm run build` makes it.
import("../dist/cli.js").catch((error) => {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli.js")) {
    process.stderr.write(
      "kernelkit: the CLI is not built yet. Run `npm run build` at the repository root.\n",
    );
    process.exit(2);
  }
  throw error;
});
