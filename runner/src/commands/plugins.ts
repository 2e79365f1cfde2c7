// `kernelkit plugins [--json] [--check]`: the entry points installed packages advertise, read
// from their manifests without importing them; --check also loads and constructs each usable one.
import {
  API_VERSION,
  BUILTIN_LANGUAGES,
  BUILTIN_NAMES,
  createLogger,
  type Discovery,
  type EntryPoint,
  PLUGIN_GROUPS,
} from "@kernelkit/core";
import { originalWrite } from "@kernelkit/executor-default";
import { EXIT } from "../cli-error.ts";
import { createRegistry } from "../setup.ts";

export interface PluginsOptions {
  json?: boolean;
  check?: boolean;
}

interface Row {
  group: string;
  name: string;
  package: string | null;
  version: string | null;
  api: string | null;
  languages: string[] | null;
  status: string;
  reason: string | null;
  check?: string;
}

/** One notebook language: built in, or declared by a package's manifest (`kernelkit.languages`). */
interface LanguageRow {
  name: string;
  extensions: string[];
  lineComment: string | null;
  mimetype: string | null;
  /** The declaring package; null for a built-in language. */
  package: string | null;
  /** Compatible executor entry points serving it (built-in fallbacks included). */
  executors: string[];
  /** "ok", "ambiguous" (an extension claimed twice) or "invalid" (a malformed entry). */
  status: "ok" | "ambiguous" | "invalid";
  reason: string | null;
}

function languageRows(discovery: Discovery | null, entries: readonly EntryPoint[]): LanguageRow[] {
  const serving = (language: string) => {
    const builtin = language === "javascript" ? ["default"] : language === "python" ? ["python"] : [];
    const found = entries
      .filter((e) => e.group === "executor" && e.status === "compatible" && e.languages?.includes(language))
      .map((e) => e.name);
    return [...new Set([...builtin, ...found])];
  };
  const rows: LanguageRow[] = BUILTIN_LANGUAGES.map((l) => ({
    name: l.name,
    extensions: [...l.extensions],
    lineComment: l.lineComment,
    mimetype: l.mimetype,
    package: null,
    executors: serving(l.name),
    status: "ok",
    reason: null,
  }));
  const declared = discovery?.languages;
  for (const l of declared?.languages ?? [])
    rows.push({
      name: l.name,
      extensions: [...l.extensions],
      lineComment: l.lineComment,
      mimetype: l.mimetype,
      package: l.package,
      executors: serving(l.name),
      status: "ok",
      reason: null,
    });
  for (const c of declared?.conflicts ?? [])
    for (const claim of c.claims)
      rows.push({
        name: claim.language,
        extensions: [c.extension],
        lineComment: null,
        mimetype: null,
        package: claim.package,
        executors: serving(claim.language),
        status: "ambiguous",
        reason: `${c.extension} is claimed by ${c.claims.map((x) => x.package).join(", ")}`,
      });
  for (const p of declared?.problems ?? [])
    rows.push({
      name: p.language,
      extensions: [...p.extensions],
      lineComment: null,
      mimetype: null,
      package: p.package,
      executors: [],
      status: "invalid",
      reason: p.message,
    });
  return rows;
}

function oneLine(error: unknown): string {
  const m = (error as { message?: unknown })?.message;
  return (typeof m === "string" ? m : String(error)).split("\n")[0]!;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  "))
    .join("\n");
}

export async function pluginsCommand(options: PluginsOptions): Promise<number> {
  const out = originalWrite("stdout");
  const err = originalWrite("stderr");
  const cwd = process.cwd();
  const { registry, warnings, discovery } = createRegistry(
    { logger: createLogger(), cwd, notebookPath: null, language: "javascript", apiVersion: API_VERSION },
    { discoverFrom: cwd },
  );
  for (const w of warnings) err(`kernelkit: warning ${w.code}: ${w.message}\n`);
  const order = (e: EntryPoint) => PLUGIN_GROUPS.indexOf(e.group);
  const entries = registry
    .entryPoints()
    .sort((a, b) => order(a) - order(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rows: Row[] = [];
  let failed = 0;
  for (const e of entries) {
    const row: Row = {
      group: e.group,
      name: e.name,
      package: e.package,
      version: e.version,
      api: e.api,
      languages: e.languages ? [...e.languages] : null,
      status: e.status,
      reason: e.reason,
    };
    if (options.check && e.status === "compatible") {
      try {
        await registry.check(e);
        row.check = "ok";
      } catch (error) {
        failed++;
        row.check = `failed: ${oneLine(error)}`;
        row.reason = oneLine(error);
      }
    }
    rows.push(row);
  }

  const languages = languageRows(discovery, entries);
  if (options.json) {
    out(`${JSON.stringify({ schemaVersion: 1, entryPoints: rows, languages })}\n`);
  } else if (rows.length === 0) {
    out(`No plugins discovered from ${cwd} (dependencies whose package.json has a "kernelkit" field).\n`);
  } else {
    const header = ["GROUP", "NAME", "PACKAGE", "VERSION", "API", "LANGUAGES", "STATUS"];
    if (options.check) header.push("CHECK");
    const body = rows.map((r) => {
      const cells = [
        r.group,
        r.name,
        r.package ?? "-",
        r.version ?? "-",
        r.api ?? "-",
        r.languages?.join(",") ?? "-",
        r.status === "compatible" || !r.reason ? r.status : `${r.status}: ${r.reason}`,
      ];
      if (options.check) cells.push(r.check ?? "-");
      return cells;
    });
    out(`${table([header, ...body])}\n`);
  }
  if (!options.json) {
    const header = ["LANGUAGE", "EXTENSIONS", "COMMENT", "PACKAGE", "EXECUTORS", "STATUS"];
    const body = languages.map((l) => [
      l.name,
      l.extensions.join(","),
      l.lineComment ?? "-",
      l.package ?? "(built-in)",
      l.executors.join(",") || "-",
      l.status === "ok" ? "ok" : `${l.status}: ${l.reason}`,
    ]);
    out(`\nLanguages:\n${table([header, ...body])}\n`);
    const builtins = PLUGIN_GROUPS.filter((g) => BUILTIN_NAMES[g].length > 0)
      .map((g) => `${g} ${BUILTIN_NAMES[g].join(", ")}`)
      .join(" · ");
    out(`\nBuilt-in: ${builtins} (plugin API ${API_VERSION})\n`);
  }
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
