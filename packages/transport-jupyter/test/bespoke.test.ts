// A bespoke kernel composed from examples/bespoke-kernel's config, installed as a kernelspec
// with --config, runs the example's notebook under nbclient; a second kernel process then gets
// every unchanged cell from the cache lifecycle (its "cached" notice on stderr).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAVE_JUPYTER, installSpecs, REPO, runPy, type Specs } from "./jupyter-env.ts";

const EXAMPLE = join(REPO, "examples", "bespoke-kernel");

/** The example notebook's code cells (percent format), in order. */
function exampleCells(): string[] {
  const text = readFileSync(join(EXAMPLE, "notebook.ts"), "utf8");
  return text
    .split(/^\/\/ %%.*$/m)
    .slice(1)
    .map((c) => c.trim())
    .filter((c) => c !== "" && !c.startsWith("// #"));
}

describe.runIf(HAVE_JUPYTER)("a bespoke kernel as a Jupyter kernel", () => {
  let specs: Specs;
  beforeAll(() => {
    specs = installSpecs([
      [
        "--config",
        join(EXAMPLE, "kernelkit.jupyter.config.ts"),
        "--language",
        "typescript",
        "--name",
        "primes",
      ],
    ]);
    specs.env.KERNELKIT_CACHE_DIR = join(specs.prefix, "cache");
  });
  afterAll(() => specs?.cleanup());

  it("runs the example under nbclient, then a fresh kernel serves every cell from the cache", async () => {
    const cells = exampleCells();
    expect(cells.length).toBeGreaterThanOrEqual(4);
    const file = join(specs.prefix, "cells.json");
    writeFileSync(file, JSON.stringify(cells));
    const first = await runPy(
      "notebook.py",
      ["primes", join(specs.prefix, "1.ipynb"), file],
      specs.env,
      180_000,
      specs.prefix,
    );
    expect(first.code, first.stderr).toBe(0);
    const second = await runPy(
      "notebook.py",
      ["primes", join(specs.prefix, "2.ipynb"), file],
      specs.env,
      180_000,
      specs.prefix,
    );
    expect(second.code, second.stderr).toBe(0);
    const texts = (r: typeof first) =>
      (r.json.cells as { type: string; text: string }[][]).map((outs) => outs.map((o) => o.text).join(""));
    // The same results both times; the first run computed them, the second read the cache.
    const results = (r: typeof first) =>
      texts(r).map((t) => t.replace(/(cached|sieving up to):.*\n|sieving up to.*\n/g, ""));
    expect(results(second)).toEqual(results(first));
    expect(texts(first).join("")).toContain("sieving up to");
    expect(texts(first).join("")).not.toContain("cached:");
    const cachedCells = texts(second).filter((t) => t.includes("cached: code and inputs unchanged")).length;
    expect(cachedCells).toBe(cells.length);
  }, 400_000);
});
