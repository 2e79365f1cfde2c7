// The compiler options a notebook is checked with: kernelkit's defaults, then the project's
// tsconfig.json (the nearest one above the notebook, or `types.tsconfig`), then `types.strict`
// and `types.lib`. Options about emitting or module format are overruled: cells are ES modules
// that kernelkit runs, never files tsc writes (docs/types.md).
import { dirname, isAbsolute, resolve } from "node:path";
import type { ts as TS } from "ts-morph";
import { typesErrors } from "./errors.ts";
import type { TypeDiagnostic } from "./notebook-program.ts";

/** The `types` key of the kernelkit config. */
export interface TypesConfig {
  /** TypeScript's `strict` (default: the tsconfig's, else true). */
  strict?: boolean;
  /** TypeScript's `lib` names (default: the tsconfig's, else ["es2023"]). */
  lib?: string[];
  /** A tsconfig.json to use instead of the nearest one above the notebook (relative to the notebook's folder). */
  tsconfig?: string;
}

/** Emit and project settings that mean nothing for cells held in memory. */
const DROPPED = [
  "outDir",
  "outFile",
  "rootDir",
  "declaration",
  "declarationDir",
  "declarationMap",
  "emitDeclarationOnly",
  "composite",
  "incremental",
  "tsBuildInfoFile",
  "sourceMap",
  "inlineSourceMap",
  "inlineSources",
  "noEmitOnError",
  "importHelpers",
] as const;

function problem(code: string, message: string): TypeDiagnostic {
  return { code, message, line: 0, column: 0 };
}

export function resolveCompilerOptions(
  ts: typeof TS,
  dir: string,
  config: TypesConfig,
  nodeTypes: boolean,
): { options: TS.CompilerOptions; problems: TypeDiagnostic[]; tsconfig: string | null } {
  const problems: TypeDiagnostic[] = [];
  let options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    strict: true,
    lib: ["lib.es2023.d.ts"],
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
  };
  let tsconfig: string | null = null;
  if (config.tsconfig !== undefined) {
    tsconfig = isAbsolute(config.tsconfig) ? config.tsconfig : resolve(dir, config.tsconfig);
    if (!ts.sys.fileExists(tsconfig)) {
      const e = typesErrors.tsconfig(tsconfig, "the file does not exist (named by types.tsconfig)");
      problems.push(problem(e.code, e.message));
      tsconfig = null;
    }
  } else {
    tsconfig = ts.findConfigFile(dir, ts.sys.fileExists, "tsconfig.json") ?? null;
  }
  if (tsconfig) {
    const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
    if (read.error) {
      const e = typesErrors.tsconfig(tsconfig, ts.flattenDiagnosticMessageText(read.error.messageText, "; "));
      problems.push(problem(e.code, e.message));
    } else {
      const parsed = ts.parseJsonConfigFileContent(
        read.config,
        ts.sys,
        dirname(tsconfig),
        undefined,
        tsconfig,
      );
      for (const d of parsed.errors) {
        // 18003: "no inputs were found" — the notebook's cells are the inputs.
        if (d.code === 18003) continue;
        const text = ts.flattenDiagnosticMessageText(d.messageText, "; ");
        const e =
          d.code === 6046
            ? typesErrors.lib(`tsconfig ${tsconfig}: ${text}`)
            : typesErrors.tsconfig(tsconfig, text);
        problems.push(problem(e.code, e.message));
      }
      options = { ...options, ...parsed.options };
    }
  }
  if (config.strict !== undefined) options.strict = config.strict;
  if (config.lib !== undefined) {
    const converted = ts.convertCompilerOptionsFromJson({ lib: config.lib }, dir);
    if (converted.errors.length > 0) {
      const text = converted.errors
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "; "))
        .join("; ");
      const e = typesErrors.lib(`types.lib: ${text}`);
      problems.push(problem(e.code, e.message));
    } else options.lib = converted.options.lib;
  }
  for (const key of DROPPED) delete options[key];
  // TypeScript 6 includes no @types package unless named; cells run in Node, so its types
  // come in when the project has them.
  if (options.types === undefined && nodeTypes) options.types = ["node"];
  if ((options.target ?? 0) < ts.ScriptTarget.ES2017) options.target = ts.ScriptTarget.ES2022;
  return {
    options: {
      ...options,
      // Cells are ES modules with top-level await, run by kernelkit: module settings of the
      // project's build do not apply to them.
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      moduleDetection: ts.ModuleDetectionKind.Force,
      allowImportingTsExtensions: true,
      allowJs: true,
      checkJs: true,
      noEmit: true,
      // A cell's footer re-exports its names, types included; these two would reject that.
      isolatedModules: false,
      verbatimModuleSyntax: false,
      // A def no other cell reads yet is not unused in a notebook.
      noUnusedLocals: false,
      noUnusedParameters: false,
    },
    problems,
    tsconfig,
  };
}
