// Runs vitest on throwaway test files (a child process, its own config) and reports each
// test's verdict: how the meta-tests check that the kit fails a broken plugin, and why.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const VITEST = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");

/** Absolute import specifier of a file under test/ (fixtures). */
export function fixture(rel: string): string {
  return join(here, rel);
}

export interface Verdict {
  /** "describe > describe > test" */
  path: string;
  status: "passed" | "failed" | "skipped" | string;
  message: string;
}

export interface ThrowawayRun {
  /** vitest's exit code. */
  code: number | null;
  /** file name → its tests' verdicts. */
  files: Record<string, Verdict[]>;
  output: string;
  /** The verdict of the test whose title contains `title` in `file`. */
  verdict(file: string, title: string): Verdict;
  /** Titles of the failed tests of `file`. */
  failed(file: string): string[];
}

/** Writes `files` (name → source) into a throwaway folder and runs vitest on them once. */
export function runThrowaway(files: Record<string, string>): ThrowawayRun {
  // Beside test/, not in it: the repository's own vitest run must never collect these files.
  const dir = mkdtempSync(join(here, "..", ".throwaway-"));
  try {
    for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
    writeFileSync(
      join(dir, "vitest.config.mjs"),
      `export default {
  resolve: { conditions: ["kernelkit-source"] },
  ssr: { resolve: { conditions: ["kernelkit-source"] } },
  test: { include: ["*.test.ts"], pool: "forks", testTimeout: 120000, hookTimeout: 60000 },
};
`,
    );
    const report = join(dir, "report.json");
    const r = spawnSync(
      process.execPath,
      [
        VITEST,
        "run",
        "--root",
        dir,
        "--config",
        join(dir, "vitest.config.mjs"),
        "--reporter=json",
        `--outputFile=${report}`,
      ],
      { cwd: dir, encoding: "utf8", timeout: 600_000, env: { ...process.env, NO_COLOR: "1" } },
    );
    const output = `${r.stdout}\n${r.stderr}`;
    let json: any;
    try {
      json = JSON.parse(readFileSync(report, "utf8"));
    } catch {
      throw new Error(`vitest wrote no JSON report (exit ${r.status}):\n${output.slice(-4000)}`);
    }
    const result: Record<string, Verdict[]> = {};
    for (const t of json.testResults ?? []) {
      const name = String(t.name).split("/").pop()!;
      result[name] = (t.assertionResults ?? []).map((a: any) => ({
        path: [...(a.ancestorTitles ?? []), a.title].join(" > "),
        status: a.status,
        message: (a.failureMessages ?? []).join("\n"),
      }));
      if ((t.assertionResults ?? []).length === 0 && t.message) {
        result[name] = [{ path: "(file)", status: "failed", message: String(t.message) }];
      }
    }
    return {
      code: r.status,
      files: result,
      output,
      verdict(file, title) {
        const v = result[file]?.find((x) => x.path.includes(title));
        if (!v)
          throw new Error(
            `no test '${title}' in ${file}; tests: ${JSON.stringify(result[file]?.map((x) => x.path))}\n${output.slice(-3000)}`,
          );
        return v;
      },
      failed(file) {
        return (result[file] ?? [])
          .filter((v) => v.status === "failed")
          .map((v) => v.path.split(" > ").pop()!);
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A throwaway test file that certifies `factory` (an export of a fixture module). */
export function executorFile(fixtureModule: string, exportName: string, options = "{}"): string {
  return `import { describeExecutorConformance } from "@kernelkit/conformance";
import { ${exportName} } from ${JSON.stringify(fixture(fixtureModule))};
describeExecutorConformance(${JSON.stringify(exportName)}, ${exportName}, ${options});
`;
}

/** A throwaway test file that certifies a lifecycle factory exported by a fixture module. */
export function lifecycleFile(fixtureModule: string, exportName: string, options = "{}"): string {
  return `import { describeLifecycleConformance } from "@kernelkit/conformance";
import { ${exportName} } from ${JSON.stringify(fixture(fixtureModule))};
describeLifecycleConformance(${JSON.stringify(exportName)}, ${exportName}, ${options});
`;
}

/** A throwaway test file that certifies a scheduler factory exported by a fixture module. */
export function schedulerFile(fixtureModule: string, exportName: string): string {
  return `import { describeSchedulerConformance } from "@kernelkit/conformance";
import { ${exportName} } from ${JSON.stringify(fixture(fixtureModule))};
describeSchedulerConformance(${JSON.stringify(exportName)}, ${exportName});
`;
}

/** A throwaway test file that certifies an fd transport exported by a fixture module (named-pipe harness). */
export function transportFile(fixtureModule: string, exportName: string): string {
  return `import { describeTransportConformance, fifoHarness } from "@kernelkit/conformance";
import { ${exportName} } from ${JSON.stringify(fixture(fixtureModule))};
describeTransportConformance(${JSON.stringify(exportName)}, fifoHarness(${exportName}), { waitMs: 3000 });
`;
}
