// Debian's nbformat and nbclient (for /usr/bin/python3) check the notebooks kernelkit writes.
// CI sets KERNELKIT_REQUIRE_JUPYTER=1, and there a missing package fails instead of skipping.
import { spawnSync } from "node:child_process";

const PYTHON = "/usr/bin/python3";

export const HAVE_NBFORMAT =
  spawnSync(PYTHON, ["-c", "import nbformat, nbclient"], { encoding: "utf8" }).status === 0;

if (!HAVE_NBFORMAT && process.env.KERNELKIT_REQUIRE_JUPYTER === "1") {
  throw new Error(
    "KERNELKIT_REQUIRE_JUPYTER=1 but /usr/bin/python3 cannot import nbformat and nbclient: apt-get install -y python3-nbformat python3-nbclient",
  );
}
if (!HAVE_NBFORMAT) {
  console.warn(
    "NOT RUN: nbformat validation of written notebooks (/usr/bin/python3 lacks nbformat/nbclient)",
  );
}

/**
 * Validates `path` with nbformat's own validator and opens it with nbclient; with `execute`,
 * nbclient also runs it in Jupyter's python3 kernel. Returns "ok" or the Python error.
 */
export function jupyterCheck(path: string, execute = false): string {
  const script = `
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
nbformat.validate(nb)
client = NotebookClient(nb, kernel_name="python3", timeout=60)
if sys.argv[2] == "1":
    client.execute()
print("ok")
`;
  const r = spawnSync(PYTHON, ["-c", script, path, execute ? "1" : "0"], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
  });
  return r.status === 0 ? r.stdout.trim() : `${r.stderr}${r.stdout}`.trim();
}
