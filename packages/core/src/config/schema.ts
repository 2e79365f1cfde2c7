// The config's schema (valibot: ~13 ms to load against zod's ~70 ms, and it is only loaded when a
// config file exists). Validation lists every problem with its path, what was expected and what
// was found; unknown keys are warnings with a did-you-mean. kernelkit.schema.json is generated
// from this schema (see test/config-schema.test.ts).
import type * as V from "valibot";
import type { KernelkitConfig, PluginSpec } from "../contract/define.ts";
import type { KernelWarning } from "../contract/plugin.ts";
import { lazyRequire } from "../runtime/module-trap.ts";
import { type ConfigProblem, configDiagnostics } from "./diagnostics.ts";

const SLOT = "a name, [name, options] or { use: name, options }";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

type Valibot = typeof V;
const load = lazyRequire(import.meta.url);

function build(v: Valibot) {
  const Name = v.pipe(
    v.string("a plugin name or path (string)"),
    v.minLength(1, "a non-empty plugin name or path"),
    v.description(
      "A built-in name, an entry-point name, a package name, or a path starting with '.' or '/'.",
    ),
  );

  const slotEntries = {
    use: Name,
    options: v.optional(v.unknown()),
  } satisfies Record<keyof Extract<PluginSpec, { use: string }>, unknown>;
  /** `name | [name, options] | { use, options }` */
  const PluginSpecSchema = v.pipe(
    v.union(
      [Name, v.tuple([Name], SLOT), v.tuple([Name, v.unknown()], SLOT), v.looseObject(slotEntries, SLOT)],
      SLOT,
    ),
    v.description("A plugin: a name, [name, options] or { use: name, options }."),
  );

  const typesEntries = {
    strict: v.optional(v.boolean("a boolean")),
    lib: v.optional(v.array(v.string("a string"), "an array of lib names")),
    tsconfig: v.optional(v.string("a path")),
  } satisfies Record<keyof NonNullable<KernelkitConfig["types"]>, unknown>;
  const logEntries = {
    level: v.optional(v.picklist(LOG_LEVELS, `one of ${LOG_LEVELS.map((l) => `"${l}"`).join(", ")}`)),
  } satisfies Record<keyof NonNullable<KernelkitConfig["log"]>, unknown>;
  // Each key once: KernelkitConfig (contract/define.ts) is what `satisfies` checks these against,
  // and the unknown-key warnings read their keys from here.
  const entries = {
    $schema: v.optional(v.string("a string (the JSON Schema's URL or path)")),
    executor: v.optional(
      v.pipe(PluginSpecSchema, v.description("The executor; chosen by the notebook's language when absent.")),
    ),
    lifecycles: v.optional(
      v.pipe(
        v.array(PluginSpecSchema, `an array of lifecycles (each ${SLOT})`),
        v.description('Execution lifecycles, in order (e.g. "strict", ["profiling", { out }]).'),
      ),
    ),
    scheduler: v.optional(v.pipe(PluginSpecSchema, v.description('The scheduler (default "sequential").'))),
    transport: v.optional(
      v.pipe(PluginSpecSchema, v.description('The transport `kernelkit serve` uses ("stdio" or "ws").')),
    ),
    plugins: v.optional(
      v.pipe(
        v.array(PluginSpecSchema, `an array of plugins (each ${SLOT})`),
        v.description("Kernel plugins: { name, apply(kernel) } modules."),
      ),
    ),
    autorun: v.optional(
      v.pipe(
        v.boolean("a boolean"),
        v.description("true (default): a run includes descendants; false: they are marked stale."),
      ),
    ),
    mode: v.optional(
      v.pipe(
        v.picklist(["reactive", "sequential"], '"reactive" or "sequential"'),
        v.description(
          '"reactive" (default): cells run in dependency order; "sequential": top to bottom, as in Jupyter.',
        ),
      ),
    ),
    strictPlugins: v.optional(
      v.pipe(
        v.boolean("a boolean"),
        v.description("true: a discovered executor that fails is a startup error instead of a warning."),
      ),
    ),
    types: v.optional(
      v.pipe(
        v.custom(
          (x) => typeof x === "object" && x !== null && !Array.isArray(x),
          "an object ({ strict, lib, tsconfig })",
        ),
        v.looseObject(typesEntries, "an object ({ strict, lib, tsconfig })"),
        v.description(
          "check --types and completion: TypeScript's strict and lib, and a tsconfig.json to use.",
        ),
      ),
    ),
    log: v.optional(
      v.pipe(
        // valibot's object schemas accept arrays: rule those out first.
        v.custom((x) => typeof x === "object" && x !== null && !Array.isArray(x), "an object ({ level })"),
        v.looseObject(logEntries, "an object ({ level })"),
      ),
    ),
  } satisfies Record<keyof KernelkitConfig | "$schema", unknown>;
  const ConfigSchema = v.pipe(
    v.looseObject(entries, "an object"),
    v.title("kernelkit config"),
    v.description(
      "kernelkit.config.{ts,mts,js,mjs,cjs,json,yaml}, .kernelkitrc*, or package.json#kernelkitConfig",
    ),
  );
  const keys = {
    top: Object.keys(entries),
    log: Object.keys(logEntries),
    types: Object.keys(typesEntries),
    slot: Object.keys(slotEntries),
  };
  return { ConfigSchema, PluginSpecSchema, keys };
}

let built: ReturnType<typeof build> | null = null;
/** The schemas, built on first use (valibot is loaded only when a config exists). */
export function configSchemas(): ReturnType<typeof build> {
  built ??= build(load("valibot") as Valibot);
  return built;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}

function pathOf(issue: V.BaseIssue<unknown>): string {
  let out = "";
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** A slot that got past the type check (e.g. { use: 5 }) is reported at the depth where it failed. */
function flatten(
  issues: readonly V.BaseIssue<unknown>[],
  prefix = "",
): { path: string; issue: V.BaseIssue<unknown> }[] {
  return issues.flatMap((issue) => {
    const path = joinPath(prefix, pathOf(issue));
    // A union's sub-issues carry paths relative to the union.
    const deeper =
      issue.type === "union" ? (issue.issues ?? []).filter((sub) => (sub.path?.length ?? 0) > 0) : [];
    return deeper.length > 0 ? flatten(deeper, path) : [{ path, issue }];
  });
}

function joinPath(a: string, b: string): string {
  if (a === "") return b;
  if (b === "") return a;
  return b.startsWith("[") ? a + b : `${a}.${b}`;
}

function suggest(key: string, known: readonly string[]): string {
  const { closest, distance } = load("fastest-levenshtein") as typeof import("fastest-levenshtein");
  const best = closest(key, known as string[]);
  const limit = Math.max(2, Math.ceil(Math.max(key.length, best.length) / 3));
  return distance(key.toLowerCase(), best.toLowerCase()) <= limit
    ? ` (did you mean '${best}'?)`
    : ` (known keys: ${known.filter((k) => k !== "$schema").join(", ")})`;
}

function unknownKeys(raw: Record<string, unknown>, where: string): KernelWarning[] {
  const out: KernelWarning[] = [];
  const check = (obj: unknown, known: readonly string[], prefix: string) => {
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return;
    for (const key of Object.keys(obj)) {
      if (!known.includes(key))
        out.push(configDiagnostics.unknownKey(`${prefix}${key}`, where, suggest(key, known)));
    }
  };
  const keys = configSchemas().keys;
  check(raw, keys.top, "");
  check(raw.log, keys.log, "log.");
  check(raw.types, keys.types, "types.");
  for (const slot of ["executor", "scheduler", "transport"]) check(raw[slot], keys.slot, `${slot}.`);
  for (const slot of ["lifecycles", "plugins"]) {
    const list = raw[slot];
    if (Array.isArray(list)) for (const [i, item] of list.entries()) check(item, keys.slot, `${slot}[${i}].`);
  }
  return out;
}

/**
 * Validates a loaded config. Throws KK_CONFIG_INVALID listing every problem; returns the
 * config and the unknown-key warnings otherwise. `where` names the file in messages.
 */
export function validateConfig(
  raw: unknown,
  where: string,
): { config: KernelkitConfig; warnings: KernelWarning[] } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw configDiagnostics.invalid(where, [{ path: "(config)", expected: "an object", got: describe(raw) }]);
  }
  const v = load("valibot") as Valibot;
  const result = v.safeParse(configSchemas().ConfigSchema, raw, { abortEarly: false });
  if (!result.success) {
    const problems: ConfigProblem[] = flatten(result.issues).map(({ path, issue }) => ({
      path: path || "(config)",
      expected: issue.message,
      got: describe(issue.input),
    }));
    throw configDiagnostics.invalid(where, problems);
  }
  return { config: raw as KernelkitConfig, warnings: unknownKeys(raw as Record<string, unknown>, where) };
}

/** `name | [name, options] | {use, options}` → `{ name, options }`. */
export function normalizeSpec(spec: PluginSpec): { name: string; options: unknown } {
  if (typeof spec === "string") return { name: spec, options: undefined };
  if (Array.isArray(spec)) return { name: spec[0], options: spec[1] };
  return { name: spec.use, options: spec.options };
}

// The config keys are KernelkitConfig's (contract/define.ts, what authors type against); this
// fails to compile when the validator and the interface disagree about them.
type SchemaKeys = Exclude<keyof ReturnType<typeof build>["ConfigSchema"]["pipe"][0]["entries"], "$schema">;
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const CONFIG_KEYS_AGREE: SameKeys<SchemaKeys, keyof KernelkitConfig> = true;
void CONFIG_KEYS_AGREE;
