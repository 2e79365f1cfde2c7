// Batches (PERFORMANCE.md): `kernelkit run --jobs 2` of 20 small notebooks against running the
// same 20 one after another (`kernelkit run NB` each, as a user's shell loop would), measured
// alternately in the same run. Target: the batch takes ≤ 0.6× the one-after-another time.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, REPO } from "./lib/kernel-process.mjs";
import { alternate, log, ms, now, row, standalone, summarize, x } from "./lib/measure.mjs";

const NOTEBOOKS = 20;
const TARGET = 0.6;

/** A small notebook: a few TS cells that compute and print something. */
function notebook(i) {
  return [
    "// %% data",
    `const rows = Array.from({ length: 200 }, (_, k) => ({ k, v: (k * ${i + 1}) % 17 }));`,
    "// %% total",
    "const total = rows.reduce((s, r) => s + r.v, 0);",
    "// %% report",
    `console.log("notebook ${i}", total);`,
    "total",
    "",
  ].join("\n");
}

/** Milliseconds from spawn to exit of `node CLI ...args`; rejects on an unexpected exit. */
function timeCli(args) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      const t = now() - t0;
      if (code === 0) resolve(t);
      else reject(new Error(`kernelkit ${args.join(" ")} exited ${code}: ${err.slice(-500)}`));
    });
  });
}

export async function run({ quick = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "kk-bench-batch-"));
  try {
    const files = [];
    for (let i = 0; i < NOTEBOOKS; i++) {
      const file = join(dir, `nb${String(i).padStart(2, "0")}.ts`);
      writeFileSync(file, notebook(i));
      files.push(file);
    }
    const rounds = quick ? 2 : 5;
    log(`batch: ${NOTEBOOKS} notebooks, --jobs 2 vs one after another, ${rounds} rounds`);
    const samples = await alternate(
      {
        oneByOne: async () => {
          const t0 = now();
          for (const f of files) await timeCli(["run", f]);
          return now() - t0;
        },
        jobs2: () => timeCli(["run", "--jobs", "2", ...files]),
        jobs1: () => timeCli(["run", "--jobs", "1", ...files]),
      },
      { warmup: 1, rounds },
    );
    const oneByOne = summarize(samples.oneByOne);
    const jobs2 = summarize(samples.jobs2);
    const jobs1 = summarize(samples.jobs1);
    const ratio = jobs2.median / oneByOne.median;
    const data = { notebooks: NOTEBOOKS, rounds, oneByOne, jobs2, jobs1, ratio };
    return {
      name: "batch",
      rows: [
        row({
          row: `batch: run --jobs 2 of ${NOTEBOOKS} notebooks`,
          floor: `one after another ${ms(oneByOne.median)}`,
          kernelkit: `--jobs 2 ${ms(jobs2.median)} · --jobs 1 ${ms(jobs1.median)}`,
          ratio: x(ratio),
          target: `≤ ${TARGET}× one after another`,
          met: ratio <= TARGET,
          note: "medians of alternated rounds; a fresh kernel per notebook in both (the batch reuses warm worker processes, docs/modes.md)",
          data,
        }),
      ],
      data,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await standalone(import.meta.url, run);
