// Where the Jupyter tests find Debian's Jupyter (for /usr/bin/python3) and install kernelspecs:
// a temporary prefix found through JUPYTER_PATH — never the user's own Jupyter folders.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CLI = join(REPO, "runner", "dist", "cli.js");
export const PY_DIR = join(dirname(fileURLToPath(import.meta.url)), "py");
export const PYTHON = "/usr/bin/python3";

const MODULES = ["jupyter_client", "nbclient", "nbformat", "jupyter_kernel_test", "ipykernel"];

function probe(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const r = spawnSync(PYTHON, ["-c", `import ${MODULES.join(", ")}`], { encoding: "utf8" });
  return r.status === 0 ? null : (r.stderr.trim().split("\n").pop() ?? "import failed");
}

const missing = probe();
export const HAVE_JUPYTER = missing === null;
if (missing !== null) {
  const message = `Debian's Jupyter for ${PYTHON} is missing (${missing}): apt-get install -y python3-jupyter-client python3-jupyter-kernel-test python3-nbclient python3-nbformat python3-ipykernel`;
  // CI installs them and sets KERNELKIT_REQUIRE_JUPYTER=1: there a missing package fails.
  if (process.env.KERNELKIT_REQUIRE_JUPYTER === "1")
    throw new Error(`KERNELKIT_REQUIRE_JUPYTER=1 but ${message}`);
  console.warn(`\n*** Jupyter tests NOT RUN: ${message} ***\n`);
}

export interface Specs {
  prefix: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** Installs kernelkit's kernelspecs (plus `extra` install arguments) into a fresh prefix. */
export function installSpecs(extra: string[][] = []): Specs {
  const prefix = mkdtempSync(join(tmpdir(), "kk-jupyter-"));
  for (const args of [[], ...extra]) {
    const r = spawnSync(process.execPath, [CLI, "jupyter", "install", "--prefix", prefix, ...args], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`kernelkit jupyter install failed: ${r.stderr}`);
  }
  const data = join(prefix, "share", "jupyter");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: data,
    JUPYTER_DATA_DIR: join(prefix, "data"),
    JUPYTER_RUNTIME_DIR: join(prefix, "runtime"),
    JUPYTER_CONFIG_DIR: join(prefix, "config"),
    JUPYTER_PLATFORM_DIRS: "1",
    IPYTHONDIR: join(prefix, "ipython"),
    PYTHONDONTWRITEBYTECODE: "1",
  };
  return { prefix, env, cleanup: () => rmSync(prefix, { recursive: true, force: true }) };
}

export interface PyResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line that is a JSON object. */
  json: Record<string, unknown>;
}

/** Runs a script of test/py with Debian's Python. */
export function runPy(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<PyResult> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [join(PY_DIR, script), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      let json: Record<string, unknown> = {};
      for (const line of stdout.trim().split("\n").reverse()) {
        if (line.startsWith("{")) {
          try {
            json = JSON.parse(line);
            break;
          } catch {
            // not the result line
          }
        }
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}
