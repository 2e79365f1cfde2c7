// Watch latency (PERFORMANCE.md): from the notebook file's save to the re-run trivial cell's
// result on `kernelkit watch --json`'s stdout, against the floor measured in the same run: the
// bare `fs.watch` event latency of a save plus one trivial execute round trip (stdio kernel).
// Saves alternate between in place (writeFile) and by rename (write a temp file, rename it over).
import { spawn } from "node:child_process";
import { watch as fsWatch, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, serveAvailable, startKernel } from "./lib/kernel-process.mjs";
import { log, notMeasured, now, row, standalone, summarize, us, x } from "./lib/measure.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const notebook = (v) => `// %% other\nconst other = 1;\nother\n\n// %% a\nconst a = ${v};\na\n`;

function save(path, text, byRename) {
  if (!byRename) return writeFileSync(path, text);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export async function run({ quick = false } = {}) {
  const target = "median ≤ 2× (fs.watch event + execute round trip)";
  const serve = await serveAvailable();
  if (!serve.ok)
    return { name: "watch", rows: [notMeasured("watch: save → re-run result", target, serve.reason)] };
  const rounds = quick ? 40 : 200;
  const dir = mkdtempSync(join(tmpdir(), "kk-bench-watch-"));
  const problems = [];

  // ---- the floor: fs.watch on a file, and execute round trips ----
  const bare = join(dir, "bare.mjs");
  writeFileSync(bare, notebook(0));
  let onEvent = null;
  let watcher = fsWatch(bare, () => onEvent?.());
  const fsLatency = async (i, byRename) => {
    const seen = new Promise((resolve) => (onEvent = resolve));
    const t0 = now();
    save(bare, notebook(i), byRename);
    await seen;
    const t = now() - t0;
    onEvent = null;
    if (byRename) {
      // a rename replaces the inode fs.watch was watching
      watcher.close();
      watcher = fsWatch(bare, () => onEvent?.());
    }
    return t;
  };
  const k = startKernel();
  await k.request({ type: "kernel_info" });
  const execute = async () => {
    const t0 = now();
    const d = await k.request({ type: "execute", code: "1 + 1" });
    if (d.status !== "ok") problems.push(`execute: ${JSON.stringify(d)}`);
    return now() - t0;
  };

  // ---- kernelkit watch ----
  const nb = join(dir, "nb.mjs");
  writeFileSync(nb, notebook(0));
  const child = spawn(process.execPath, [CLI, "watch", "--json", "nb.mjs"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
  let buf = "";
  let waiter = null;
  child.stdout.setEncoding("utf8").on("data", (d) => {
    buf += d;
    let nl = buf.indexOf("\n");
    while (nl !== -1) {
      const ev = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      waiter?.(ev);
      nl = buf.indexOf("\n");
    }
  });
  const nextEvent = (ms = 10_000) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no watch event in ${ms} ms; stderr: ${stderr}`)), ms);
      waiter = (ev) => {
        clearTimeout(t);
        waiter = null;
        resolve(ev);
      };
    });
  await nextEvent(30_000); // the initial run
  const saveToResult = async (i, byRename) => {
    const got = nextEvent();
    const t0 = now();
    save(nb, notebook(i), byRename);
    const ev = await got;
    const t = now() - t0;
    const a = ev.cells?.find((c) => c.id === "a");
    if (ev.event !== "run" || a?.output?.["text/plain"] !== String(i) || ev.cells.length !== 1)
      problems.push(`save ${i}: ${JSON.stringify(ev).slice(0, 200)}`);
    return t;
  };

  log(`watch: save → result vs fs.watch + execute, ${rounds} rounds`);
  const samples = { fs: [], rtt: [], inPlace: [], rename: [] };
  for (let i = 1; i <= rounds + 5; i++) {
    const byRename = i % 2 === 0;
    const f = await fsLatency(i, byRename);
    const e = await execute();
    await sleep(60); // past chokidar's 50 ms per-file change throttle
    const w = await saveToResult(i, byRename);
    await sleep(60);
    if (i <= 5) continue; // warm-up
    samples.fs.push(f);
    samples.rtt.push(e);
    (byRename ? samples.rename : samples.inPlace).push(w);
  }
  watcher.close();
  child.kill("SIGTERM");
  await k.close();
  rmSync(dir, { recursive: true, force: true });

  const fsS = summarize(samples.fs);
  const rttS = summarize(samples.rtt);
  const all = summarize([...samples.inPlace, ...samples.rename]);
  const inPlace = summarize(samples.inPlace);
  const rename = summarize(samples.rename);
  const floor = fsS.median + rttS.median;
  const ratio = all.median / floor;
  const note = problems.length ? `PROBLEMS: ${problems.slice(0, 3).join("; ")}` : null;
  const data = { fsWatch: fsS, execute: rttS, floor, save: all, inPlace, rename, ratio };
  return {
    name: "watch",
    rows: [
      row({
        row: "watch: save → re-run result",
        floor: `fs.watch ${us(fsS.median)} + execute ${us(rttS.median)} = ${us(floor)}`,
        kernelkit: `${us(all.median)} (in place ${us(inPlace.median)}, rename ${us(rename.median)}; p99 ${us(all.p99)})`,
        ratio: x(ratio),
        target,
        met: ratio <= 2 && !note,
        note,
        data,
      }),
    ],
    data,
  };
}

await standalone(import.meta.url, run);
