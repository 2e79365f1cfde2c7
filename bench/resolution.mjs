// Startup cost of plugin resolution and config discovery: `kernelkit run hello.ts` in
// throwaway projects — none (the baseline), a JSON config, a TypeScript config, and 40
// dependencies of which 3 advertise executors — alternated in the same run, so every figure is
// an overhead against the baseline measured beside it. Also shows that discovery imports
// nothing it does not select: the modules a run loaded are listed from inside the process.
// Plain Node; `run({ quick })` returns { name, rows, data }; runnable standalone.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(REPO, "runner", "dist", "cli.js");
const HELLO = "// %% greeting\nconst who = 'world'\n// %% hello\n'hello ' + who\n";

function write(dir, files) {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

function executor(name, marker) {
  return `import { writeFileSync } from "node:fs";
writeFileSync(${JSON.stringify(marker)}, "imported");
export default () => ({ name: ${JSON.stringify(name)}, language: "javascript",
  async execute(cell, ctx) { for (const d of cell.defs) ctx.scope.set(d, d); return cell.code.length; } });
`;
}

/** The four projects; `markers` are files the unselected candidates would write if imported. */
function projects(root) {
  const base = { "package.json": JSON.stringify({ name: "p", private: true }), "nb.ts": HELLO };
  const none = write(join(root, "none"), base);
  const json = write(join(root, "json"), {
    ...base,
    "kernelkit.config.json": JSON.stringify({ lifecycles: [], autorun: true, log: { level: "warn" } }),
  });
  const ts = write(join(root, "ts"), {
    ...base,
    "kernelkit.config.ts":
      "interface C { autorun: boolean }\nconst c: C = { autorun: true };\nexport default c;\n",
  });
  const deps = {};
  const files = { "nb.ts": HELLO };
  for (let i = 0; i < 37; i++) {
    deps[`plain-${i}`] = "1.0.0";
    files[`node_modules/plain-${i}/package.json`] = JSON.stringify({
      name: `plain-${i}`,
      version: "1.0.0",
      main: "index.js",
    });
    files[`node_modules/plain-${i}/index.js`] = "throw new Error('a plain dependency was imported');";
  }
  const markers = [];
  for (const name of ["exec-a", "exec-b", "exec-c"]) {
    deps[`kk-${name}`] = "1.0.0";
    const marker = join(root, "plugins", `${name}.imported`);
    if (name !== "exec-a") markers.push(marker);
    files[`node_modules/kk-${name}/package.json`] = JSON.stringify({
      name: `kk-${name}`,
      version: "1.0.0",
      type: "module",
      kernelkit: { api: "^1.0.0", entryPoints: { executor: { [name]: "./exec.js" } } },
    });
    files[`node_modules/kk-${name}/exec.js`] = executor(name, marker);
  }
  files["package.json"] = JSON.stringify({ name: "p", private: true, dependencies: deps });
  const plugins = write(join(root, "plugins"), files);
  return { none, json, ts, plugins, markers };
}

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

/** Wall ms of one run, and its CPU ms (user + system, from /usr/bin/time; less sensitive to a busy machine). */
function timeRun(cwd, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const args = [CLI, "run", "nb.ts"];
    const child = TIME
      ? spawn(TIME, ["-f", "KKCPU %U %S", process.execPath, ...args], {
          cwd,
          env: { ...process.env, NO_COLOR: "1", ...env },
          stdio: ["ignore", "ignore", "pipe"],
        })
      : spawn(process.execPath, args, {
          cwd,
          env: { ...process.env, NO_COLOR: "1", ...env },
          stdio: ["ignore", "ignore", "pipe"],
        });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      const wall = performance.now() - t0;
      const m = /KKCPU ([\d.]+) ([\d.]+)/.exec(err);
      const cpu = m ? (Number(m[1]) + Number(m[2])) * 1000 : null;
      if (code === 0) resolve({ wall, cpu });
      else reject(new Error(`run in ${cwd} exited ${code}: ${err.slice(-400)}`));
    });
  });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** CommonJS modules a run loaded (require.cache, listed at exit by a preload). */
async function loadedModules(cwd) {
  const out = join(cwd, ".loaded.json");
  const probe = join(cwd, ".probe.cjs");
  writeFileSync(
    probe,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));`,
  );
  await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--require", probe, CLI, "run", "nb.ts"], {
      cwd,
      stdio: "ignore",
    });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`probe run exited ${code}`))));
  });
  const files = JSON.parse(readFileSync(out, "utf8"));
  rmSync(out);
  rmSync(probe);
  const has = (name) => files.some((f) => f.includes(`/node_modules/${name}/`) || f.includes(`/${name}@`));
  return {
    semver: has("semver"),
    cosmiconfig: has("cosmiconfig"),
    valibot: has("valibot"),
    plain: files.some((f) => f.includes("/plain-")),
  };
}

export async function run({ quick = false } = {}) {
  const rounds = quick ? 6 : 20;
  const root = mkdtempSync(join(tmpdir(), "kk-bench-resolution-"));
  try {
    const p = projects(root);
    const subjects = { none: p.none, json: p.json, ts: p.ts, plugins: p.plugins };
    const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
    const order = Object.keys(subjects);
    for (const k of order) await timeRun(subjects[k]); // warm the file cache
    for (let r = 0; r < rounds; r++) {
      // Alternate the order each round so drift hits every subject alike.
      for (const k of r % 2 ? [...order].reverse() : order) samples[k].push(await timeRun(subjects[k]));
    }
    const wall = (k) => median(samples[k].map((x) => x.wall));
    const cpu = (k) => (TIME ? median(samples[k].map((x) => x.cpu)) : null);
    const base = wall("none");
    const data = { rounds, medianMs: {}, overheadMs: {}, cpuMs: {}, cpuOverheadMs: {} };
    for (const k of order) {
      data.medianMs[k] = wall(k);
      data.overheadMs[k] = data.medianMs[k] - base;
      data.cpuMs[k] = cpu(k);
      data.cpuOverheadMs[k] = TIME ? data.cpuMs[k] - cpu("none") : null;
    }
    const selectedOnly = p.markers.every((m) => {
      try {
        readFileSync(m);
        return false;
      } catch {
        return true;
      }
    });
    data.noConfigLoads = await loadedModules(p.none);
    data.pluginsLoads = await loadedModules(p.plugins);
    data.unselectedCandidatesImported = !selectedOnly;

    const sign = (v) => `${v >= 0 ? "+" : ""}${v.toFixed(1)} ms`;
    const fmt = (v, k) => `${sign(v)} wall${TIME ? `, ${sign(data.cpuOverheadMs[k])} CPU` : ""}`;
    const rows = [
      {
        row: "resolution: JSON config found and validated",
        floor: `no config ${base.toFixed(1)} ms`,
        peers: "—",
        kernelkit: `${data.medianMs.json.toFixed(1)} ms`,
        ratio: fmt(data.overheadMs.json, "json"),
        target: "fits the +250 ms startup budget",
        met: null,
        note: "cosmiconfig + valibot are loaded only when a config file exists",
        data: null,
      },
      {
        row: "resolution: kernelkit.config.ts (type-stripping hooks)",
        floor: `no config ${base.toFixed(1)} ms`,
        peers: "—",
        kernelkit: `${data.medianMs.ts.toFixed(1)} ms`,
        ratio: fmt(data.overheadMs.ts, "ts"),
        target: "no TypeScript compiler",
        met: null,
        note: null,
        data: null,
      },
      {
        row: "resolution: 40 deps, 3 executor candidates",
        floor: `no deps ${base.toFixed(1)} ms`,
        peers: "—",
        kernelkit: `${data.medianMs.plugins.toFixed(1)} ms`,
        ratio: fmt(data.overheadMs.plugins, "plugins"),
        target: "imports only the winner",
        met: selectedOnly && !data.pluginsLoads.plain,
        note: `no config: semver ${data.noConfigLoads.semver ? "loaded" : "not loaded"}, cosmiconfig ${data.noConfigLoads.cosmiconfig ? "loaded" : "not loaded"}, valibot ${data.noConfigLoads.valibot ? "loaded" : "not loaded"}`,
        data: null,
      },
    ];
    return { name: "resolution", rows, data };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes("--quick");
  const result = await run({ quick });
  if (process.argv.includes("--json")) console.log(JSON.stringify(result, null, 2));
  else {
    for (const r of result.rows)
      console.log(`${r.row}: ${r.kernelkit} vs ${r.floor} → ${r.ratio}${r.note ? ` (${r.note})` : ""}`);
    console.log(JSON.stringify(result.data));
  }
}
