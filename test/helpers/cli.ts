// Helpers for end-to-end tests that spawn the built CLI (`npm test` builds first).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(REPO, "runner", "dist", "cli.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node runner/dist/cli.js ...args` and collects its output. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    encoding: "utf8",
    timeout: options.timeoutMs ?? 60_000,
    input: options.input ?? "",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Like runCli, but async (so a test can signal the process while it runs). */
export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, output: () => ({ stdout, stderr }) };
}

/** `run --json` on a notebook written from `source`; returns the parsed object and the exit code. */
export function runJson(
  source: string,
  options: { name?: string; args?: string[]; dir?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const dir = options.dir ?? tempDir();
  const file = join(dir, options.name ?? "nb.ts");
  writeFileSync(file, source);
  const r = runCli(["run", file, "--json", ...(options.args ?? [])], { cwd: dir, env: options.env });
  let json: any = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(
      `run --json printed no JSON (exit ${r.code}):\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`,
    );
  }
  return {
    ...r,
    json,
    file,
    dir,
    cell: (name: string) => json.cells.find((c: any) => c.name === name || c.id === name),
  };
}

export function tempDir(prefix = "kk-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes files (path -> content) under a fresh temp dir; returns the dir. */
export function project(files: Record<string, string>, dir = tempDir()): string {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}
