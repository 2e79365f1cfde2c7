// Builds every workspace package with esbuild: one ESM file per entry, dependencies
// external (each package imports its own), so the CLI loads a handful of files.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const dirs = [
  ...readdirSync(join(root, "packages")).map((d) => join(root, "packages", d)),
  join(root, "runner"),
  ...(existsSync(join(root, "examples"))
    ? readdirSync(join(root, "examples")).map((d) => join(root, "examples", d))
    : []),
];

const started = performance.now();
const jobs = [];
for (const dir of dirs) {
  const pkgFile = join(dir, "package.json");
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  // A package lists extra entry points (workers, CLI) in "kernelkit-build": { "entries": [...] }.
  const entries = ["src/index.ts", ...(pkg["kernelkit-build"]?.entries ?? [])].filter((e) =>
    existsSync(join(dir, e)),
  );
  if (entries.length === 0) continue;
  jobs.push(
    build({
      absWorkingDir: dir,
      entryPoints: entries,
      outdir: "dist",
      outbase: "src",
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      sourcemap: "linked",
      logLevel: "warning",
      conditions: ["kernelkit-source"],
      // "splitting": true keeps each lazily imported module (a CLI command) in a chunk of its
      // own, so its dependencies load only when that command runs.
      splitting: pkg["kernelkit-build"]?.splitting === true,
      chunkNames: "chunks/[name]-[hash]",
    }).then(() => pkg.name),
  );
}
const built = await Promise.all(jobs);
console.error(`built ${built.length} packages in ${Math.round(performance.now() - started)} ms`);
