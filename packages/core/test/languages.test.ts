// Notebook languages: the built-in table, manifests' `kernelkit.languages`, and what a file is
// given them (conflicts and malformed entries are decided here for every command).
import { describe, expect, it } from "vitest";
import {
  type KernelWarning,
  LanguageTable,
  languagesOf,
  notebookKindWith,
  parseNotebook,
  settleLanguages,
} from "../src/index.ts";

const shell = { shell: { extensions: [".sh"], lineComment: "#", mimetype: "text/x-sh" } };

function declared(...packages: [string, unknown][]) {
  const warnings: KernelWarning[] = [];
  const all = packages.map(([pkg, field]) => languagesOf(pkg, field, warnings));
  return {
    warnings,
    languages: settleLanguages(
      all.flatMap((a) => a.languages),
      all.flatMap((a) => a.problems),
    ),
  };
}

describe("languages from manifests", () => {
  it("a declared language makes its extension a notebook kind with its line comment", () => {
    const { languages, warnings } = declared(["kk-sh", shell]);
    expect(warnings).toEqual([]);
    expect(notebookKindWith("/p/nb.sh", languages)).toEqual({
      language: "shell",
      typescript: false,
      lineComment: "#",
    });
    expect(notebookKindWith("/p/nb.ts", languages)?.language).toBe("javascript");
    expect(notebookKindWith("/p/nb.rb", languages)).toBeNull();
  });

  it("parses percent cells with the language's line comment", () => {
    const nb = parseNotebook("-- %% one\nselect 1\n-- %% two [markdown]\n-- # Title\n", {
      language: "sql",
      lineComment: "--",
    });
    expect(nb.cells.map((c) => [c.name, c.type, c.code])).toEqual([
      ["one", "code", "select 1"],
      ["two", "markdown", "# Title"],
    ]);
    expect(nb.lineComment).toBe("--");
  });

  it("a built-in extension cannot be taken over: warning, ignored", () => {
    const { languages, warnings } = declared([
      "thief",
      { typed: { extensions: [".ts", ".tsx2"], lineComment: "//" } },
    ]);
    expect(warnings.map((w) => w.code)).toEqual(["KK_PLUGIN_LANGUAGE"]);
    expect(notebookKindWith("a.ts", languages)?.language).toBe("javascript");
    expect(notebookKindWith("a.tsx2", languages)?.language).toBe("typed");
  });

  it("two packages claiming one extension: KK_PLUGIN_AMBIGUOUS for it, other extensions fine", () => {
    const { languages } = declared(
      ["a", shell],
      ["b", { bash: { extensions: [".sh", ".bash"], lineComment: "#" } }],
    );
    expect(() => notebookKindWith("x.sh", languages)).toThrow(
      expect.objectContaining({
        code: "KK_PLUGIN_AMBIGUOUS",
        message: expect.stringContaining("a (shell), b (bash)"),
      }),
    );
    expect(notebookKindWith("x.bash", languages)?.language).toBe("bash");
  });

  it("invalid entries are warnings, and the error for files of their extensions", () => {
    const { languages, warnings } = declared(
      [
        "bad",
        { shell: { extensions: ["sh"], lineComment: "#" }, ok: { extensions: [".ok"], lineComment: ";" } },
      ],
      ["worse", { zsh: { extensions: [".zsh"] } }],
    );
    expect(warnings.map((w) => w.code)).toEqual(["KK_PLUGIN_MANIFEST", "KK_PLUGIN_MANIFEST"]);
    expect(notebookKindWith("x.ok", languages)?.lineComment).toBe(";");
    expect(() => notebookKindWith("x.zsh", languages)).toThrow(
      expect.objectContaining({
        code: "KK_PLUGIN_MANIFEST",
        message: expect.stringContaining("lineComment"),
      }),
    );
  });

  it("the table lists built-in and declared extensions", () => {
    const table = new LanguageTable([
      { name: "shell", extensions: [".sh"], lineComment: "#", mimetype: null, package: "p" },
    ]);
    expect(table.extensions()).toEqual([".ts", ".mts", ".js", ".mjs", ".py", ".sh"]);
  });
});
