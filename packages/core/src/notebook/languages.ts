// The notebook languages kernelkit knows: the built-in ones, plus those packages declare in their
// manifest (`kernelkit.languages`, docs/plugins/executor.md). A file is a notebook when its
// extension is in the table; its percent marker is the language's line comment + "%%".
import { extname } from "node:path";

export interface LanguageSpec {
  /** The language's name, as executors' `language` and manifests' `languages` give it. */
  readonly name: string;
  /** File extensions with their dot, lower case (".sh"). */
  readonly extensions: readonly string[];
  /** The line-comment marker ("#", "//", "--"): cells start at `<lineComment> %%`. */
  readonly lineComment: string;
  readonly mimetype: string | null;
  /** The package that declared it; null for a built-in. */
  readonly package: string | null;
}

/** What a notebook file is, by its extension. */
export interface NotebookKind {
  language: string;
  /** JS/TS notebooks: whether cells are TypeScript (stripped before running). */
  typescript: boolean;
  /** The line-comment marker of the language (default: the built-in language's). */
  lineComment?: string;
}

export const BUILTIN_LANGUAGES: readonly LanguageSpec[] = [
  {
    name: "javascript",
    extensions: [".ts", ".mts", ".js", ".mjs"],
    lineComment: "//",
    mimetype: "text/typescript",
    package: null,
  },
  { name: "python", extensions: [".py"], lineComment: "#", mimetype: "text/x-python", package: null },
];

const TYPESCRIPT_EXTENSIONS = new Set([".ts", ".mts"]);

/** Extension -> language. Built-ins first; added languages never take a built-in extension. */
export class LanguageTable {
  private readonly byExtension = new Map<string, LanguageSpec>();
  private readonly byName = new Map<string, LanguageSpec>();

  constructor(languages: readonly LanguageSpec[] = []) {
    for (const l of [...BUILTIN_LANGUAGES, ...languages]) this.add(l);
  }

  /** Adds a language; extensions already in the table stay with their language. */
  private add(language: LanguageSpec): void {
    if (!this.byName.has(language.name)) this.byName.set(language.name, language);
    for (const ext of language.extensions) {
      const key = ext.toLowerCase();
      if (!this.byExtension.has(key)) this.byExtension.set(key, language);
    }
  }

  /** The language of a file by its extension, or undefined. */
  languageOf(path: string): LanguageSpec | undefined {
    return this.byExtension.get(extname(path).toLowerCase());
  }

  language(name: string): LanguageSpec | undefined {
    return this.byName.get(name);
  }

  /** What a file is as a notebook, or null when its extension is no notebook kind. */
  kindOf(path: string): NotebookKind | null {
    const ext = extname(path).toLowerCase();
    const l = this.byExtension.get(ext);
    if (!l) return null;
    return { language: l.name, typescript: TYPESCRIPT_EXTENSIONS.has(ext), lineComment: l.lineComment };
  }

  extensions(): string[] {
    return [...this.byExtension.keys()];
  }

  languages(): LanguageSpec[] {
    return [...this.byName.values()];
  }
}

/** The built-in languages only. */
export const BUILTIN_LANGUAGE_TABLE: LanguageTable = new LanguageTable();

/** True for an extension a built-in language owns (a package cannot take it over). */
export function isBuiltinExtension(ext: string): boolean {
  return BUILTIN_LANGUAGES.some((l) => l.extensions.includes(ext.toLowerCase()));
}

/** The line comment of a language the table knows, else "#" (the most common one). */
export function lineCommentOf(language: string, table: LanguageTable = BUILTIN_LANGUAGE_TABLE): string {
  return table.language(language)?.lineComment ?? "#";
}
