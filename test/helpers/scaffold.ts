// Plugin packages made by `kernelkit new`, wired to this workspace: their node_modules link the
// workspace's @kernelkit packages and vitest (as `npm install` would from the registry), and a
// throwaway project can depend on them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { REPO, runCli, tempDir } from "./cli.ts";

const require = createRequire(import.meta.url);
const VITEST = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");

const WORKSPACE: Record<string, string> = {
  "@kernelkit/core": "packages/core",
  "@kernelkit/conformance": "packages/conformance",
  "@kernelkit/executor-default": "packages/executor-default",
  "@kernelkit/transport-stdio": "packages/transport-stdio",
};

function link(dir: string, name: string, target: string): void {
  const at = join(dir, "node_modules", name);
  if (existsSync(at)) return;
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at, "dir");
}

/** Runs `kernelkit new ...args` in a temp folder and links the package's dependencies. */
export function scaffold(args: string[]): { dir: string; pkg: string; cli: ReturnType<typeof runCli> } {
  const parent = tempDir("kk-new-");
  const cli = runCli(["new", ...args], { cwd: parent });
  const pkg = `kernelkit-${args[0]}-${args[1]}`;
  const dir = join(parent, pkg);
  if (cli.code === 0) {
    for (const [name, rel] of Object.entries(WORKSPACE)) link(dir, name, join(REPO, rel));
    link(dir, "vitest", dirname(require.resolve("vitest/package.json")));
  }
  return { dir, pkg, cli };
}

/** The generated package's own tests, as `npm test` runs them there. */
export function runPackageTests(dir: string): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [VITEST, "run", "--root", dir, "--reporter", "verbose"], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", CI: "1" },
    encoding: "utf8",
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/** A project whose package.json depends on the package at `pkgDir` (linked as npm would install it). */
export function projectUsing(pkg: string, pkgDir: string, files: Record<string, string> = {}): string {
  const dir = tempDir("kk-uses-");
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "uses", private: true, dependencies: { [pkg]: "0.1.0" } }),
  );
  link(dir, pkg, pkgDir);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}
