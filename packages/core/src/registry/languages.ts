// Notebook languages from manifests (`kernelkit.languages`), read without importing anything,
// and what a notebook file is given them: the built-in table first, then declared languages.
// Conflicts are decided here so that every command (check, run, serve, watch, convert) agrees.
import { extname } from "node:path";
import { KernelkitError } from "../contract/errors.ts";
import type { KernelWarning } from "../contract/plugin.ts";
import {
  BUILTIN_LANGUAGE_TABLE,
  isBuiltinExtension,
  type LanguageSpec,
  LanguageTable,
  type NotebookKind,
} from "../notebook/languages.ts";

/** A `languages` entry that could not be used, kept so a file of its extension gets the reason. */
export interface LanguageProblem {
  readonly package: string;
  readonly language: string;
  /** The extensions it declared (when readable), lower case. */
  readonly extensions: readonly string[];
  readonly message: string;
}

/** An extension two or more packages claim. */
export interface LanguageConflict {
  readonly extension: string;
  readonly claims: readonly { package: string; language: string }[];
}

export interface DeclaredLanguages {
  /** Usable languages: valid, no built-in extension, no extension claimed twice. */
  readonly languages: LanguageSpec[];
  readonly conflicts: LanguageConflict[];
  readonly problems: LanguageProblem[];
}

const NAME = /^[A-Za-z][\w.+-]*$/;
const EXTENSION = /^\.[A-Za-z0-9][\w.+-]*$/;

/**
 * Reads one package's `kernelkit.languages` field. Entries that are malformed become problems
 * (and warnings); built-in extensions are dropped with a warning.
 */
export function languagesOf(
  pkg: string,
  field: unknown,
  warnings: KernelWarning[],
): { languages: LanguageSpec[]; problems: LanguageProblem[] } {
  const languages: LanguageSpec[] = [];
  const problems: LanguageProblem[] = [];
  const fail = (language: string, extensions: readonly string[], text: string) => {
    const message = `package '${pkg}': "kernelkit.languages.${language}" ${text}`;
    problems.push({ package: pkg, language, extensions, message });
    warnings.push({ code: "KK_PLUGIN_MANIFEST", message: `${message}; ignored` });
  };
  if (field === undefined) return { languages, problems };
  if (typeof field !== "object" || field === null || Array.isArray(field)) {
    fail("", [], `must be an object of language name -> { extensions, lineComment, mimetype }`);
    return { languages, problems };
  }
  for (const [name, entry] of Object.entries(field as Record<string, unknown>)) {
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    const rawExt = Array.isArray(e.extensions) ? e.extensions : [];
    const extensions = rawExt.filter((x): x is string => typeof x === "string").map((x) => x.toLowerCase());
    if (!NAME.test(name)) {
      fail(name, extensions, "has a name that is not a language name (letters, digits, . + - _)");
      continue;
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      fail(name, [], "must be an object { extensions, lineComment, mimetype? }");
      continue;
    }
    if (
      !Array.isArray(e.extensions) ||
      e.extensions.length === 0 ||
      !e.extensions.every((x) => typeof x === "string" && EXTENSION.test(x))
    ) {
      fail(name, extensions, `needs "extensions": a non-empty array like [".sh"] (each starting with a dot)`);
      continue;
    }
    if (typeof e.lineComment !== "string" || e.lineComment.trim() === "" || /\s/.test(e.lineComment)) {
      fail(name, extensions, `needs "lineComment": the language's line-comment marker, e.g. "#"`);
      continue;
    }
    if (e.mimetype !== undefined && typeof e.mimetype !== "string") {
      fail(name, extensions, `has a "mimetype" that is not a string`);
      continue;
    }
    const own = extensions.filter((x) => {
      if (!isBuiltinExtension(x)) return true;
      warnings.push({
        code: "KK_PLUGIN_LANGUAGE",
        message: `package '${pkg}' declares ${x} for language '${name}', but ${x} is built in (${BUILTIN_LANGUAGE_TABLE.languageOf(`f${x}`)?.name}); ignored`,
      });
      return false;
    });
    if (own.length === 0) continue;
    languages.push({
      name,
      extensions: own,
      lineComment: e.lineComment,
      mimetype: typeof e.mimetype === "string" ? e.mimetype : null,
      package: pkg,
    });
  }
  return { languages, problems };
}

/** Settles claims between packages: an extension claimed by two packages is a conflict for both. */
export function settleLanguages(
  declared: readonly LanguageSpec[],
  problems: readonly LanguageProblem[],
): DeclaredLanguages {
  const claims = new Map<string, { package: string; language: string }[]>();
  for (const l of declared)
    for (const ext of l.extensions) {
      const list = claims.get(ext) ?? [];
      if (!list.some((c) => c.package === l.package))
        list.push({ package: l.package ?? "", language: l.name });
      claims.set(ext, list);
    }
  const conflicts: LanguageConflict[] = [];
  for (const [extension, list] of claims) if (list.length > 1) conflicts.push({ extension, claims: list });
  const taken = new Set(conflicts.map((c) => c.extension));
  const languages = declared
    .map((l) => ({ ...l, extensions: l.extensions.filter((x) => !taken.has(x)) }))
    .filter((l) => l.extensions.length > 0);
  return { languages, conflicts, problems: [...problems] };
}

/** The table of built-in and declared languages. */
export function languageTable(declared: DeclaredLanguages | null | undefined): LanguageTable {
  return new LanguageTable(declared?.languages ?? []);
}

/**
 * What `path` is as a notebook, given the languages packages declare: a built-in kind, a declared
 * one, or null. Throws KK_PLUGIN_AMBIGUOUS when two packages claim its extension and
 * KK_PLUGIN_MANIFEST when the only claim on it is a malformed entry.
 */
export function notebookKindWith(
  path: string,
  declared: DeclaredLanguages | null | undefined,
): NotebookKind | null {
  const builtin = BUILTIN_LANGUAGE_TABLE.kindOf(path);
  if (builtin) return builtin;
  const ext = extname(path).toLowerCase();
  const conflict = declared?.conflicts.find((c) => c.extension === ext);
  if (conflict) {
    const who = conflict.claims.map((c) => `${c.package} (${c.language})`).join(", ");
    throw new KernelkitError(
      "KK_PLUGIN_AMBIGUOUS",
      `extension ${ext} is claimed by more than one package: ${who}`,
      {
        hint: "Keep one of them in package.json's dependencies, or deny one with KERNELKIT_PLUGINS_DENY=<package>.",
      },
    );
  }
  const kind = languageTable(declared).kindOf(path);
  if (kind) return kind;
  const problem = declared?.problems.find((p) => p.extensions.includes(ext));
  if (problem)
    throw new KernelkitError("KK_PLUGIN_MANIFEST", problem.message, {
      hint: `Fix the "kernelkit.languages" field of ${problem.package}'s package.json (docs/plugins/executor.md).`,
    });
  return null;
}

/** Every extension a notebook may have in the project of `path` (for "unsupported" hints). */
export function notebookExtensionsWith(declared: DeclaredLanguages | null | undefined): string[] {
  return languageTable(declared).extensions();
}
