// Loads TypeScript 6 as ts-morph 28 ships it (@ts-morph/common: the compiler and its lib
// files in memory). The ts-morph wrapper itself is not loaded: nothing here uses it, and it
// doubles the load time (docs/types.md). Only called off run's path: the worker, check --types.
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ts as TS } from "ts-morph";
import { requireCached } from "./code-cache.ts";
import { typesErrors } from "./errors.ts";

export interface CompilerBundle {
  ts: typeof TS;
  /** Where the lib files appear to live (an in-memory folder). */
  libFolder: string;
  /** Lib file path → text. */
  libFiles: Map<string, string>;
}

interface TsMorphCommon {
  ts: typeof TS;
  getLibFiles(): { fileName: string; text: string }[];
  libFolderInMemoryPath: string;
}

let loaded: CompilerBundle | null = null;

export function loadCompiler(): CompilerBundle {
  if (loaded) return loaded;
  let common: TsMorphCommon;
  try {
    const require = createRequire(import.meta.url);
    // @ts-morph/common is ts-morph's own dependency: resolved from ts-morph, so it is the
    // exact compiler ts-morph 28 bundles.
    const fromTsMorph = createRequire(require.resolve("ts-morph"));
    const entry = realpathSync(fromTsMorph.resolve("@ts-morph/common"));
    // The compiler first (common requires "./typescript"), each through V8's code cache.
    requireCached(join(dirname(entry), "typescript.js"));
    common = requireCached(entry) as TsMorphCommon;
  } catch (error) {
    throw typesErrors.compilerMissing(error);
  }
  const libFolder = common.libFolderInMemoryPath;
  const libFiles = new Map<string, string>();
  for (const f of common.getLibFiles()) libFiles.set(`${libFolder}/${f.fileName}`, f.text);
  loaded = { ts: common.ts, libFolder, libFiles };
  return loaded;
}
