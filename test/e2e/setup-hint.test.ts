// `npm run setup` ends by suggesting commands; each must be one command that works when
// pasted alone (it once offered `run … --json | kernelkit --help`, two commands in one line).
import { describe, expect, it } from "vitest";
import { setupHint, TRY_COMMANDS } from "../../scripts/setup-hint.mjs";
import { runCli } from "../helpers/cli.ts";

describe("npm run setup's closing hint", () => {
  it("offers separate commands, one per line, each of which runs", () => {
    const hint: string = setupHint();
    const lines = hint.split("\n").filter((l) => l.trim().startsWith("npx kernelkit"));
    expect(lines.map((l) => l.trim())).toEqual(TRY_COMMANDS);
    expect(lines.length).toBeGreaterThan(1);
    for (const command of TRY_COMMANDS) {
      expect(command, command).not.toMatch(/[|;&<>]/);
      const [npx, bin, ...args] = command.split(" ");
      expect([npx, bin]).toEqual(["npx", "kernelkit"]);
      const r = runCli(args);
      // sales.ts fails one branch on purpose (exit 1); anything else must succeed.
      expect([0, 1], `${command}: ${r.stderr.slice(0, 500)}`).toContain(r.code);
      expect(r.stdout.length, command).toBeGreaterThan(0);
      if (args.includes("--json")) expect(JSON.parse(r.stdout).schemaVersion).toBe(1);
    }
  });
});
