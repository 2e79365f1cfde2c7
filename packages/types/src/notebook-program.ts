// A notebook as one TypeScript program (docs/types.md). Each code cell is a module of its own,
// kept in memory beside the notebook file (never written): a first line that imports its refs
// from the cells that define them and exports its defs (both are hoisted, and at the very
// start an unclosed brace in the cell cannot swallow them), then the cell's code unchanged, so
// the module's line N+1 is the cell's line N, columns alike. A cell therefore sees the
// types its refs' defining cells give them, and an error in cell B about a value from cell A
// is reported in B at B's own line of the notebook.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { analyzeJsCell } from "@kernelkit/core";
import type { ts as TS } from "ts-morph";
import { resolveCompilerOptions, type TypesConfig } from "./compiler-options.ts";
import { typesErrors } from "./errors.ts";
import type { CompilerBundle } from "./load-compiler.ts";

export interface TypeCell {
  readonly id: string;
  readonly name: string | null;
  readonly code: string;
  /** 1-based line of the cell's first line in the notebook file (0: positions are cell lines). */
  readonly line: number;
}

export interface NotebookShape {
  /** Absolute path of the notebook file, or null (cells then live in `cwd`). */
  readonly path: string | null;
  readonly cwd: string;
  readonly typescript: boolean;
}

/** One diagnostic, positioned in the notebook file. */
export interface TypeDiagnostic {
  /** "TS2345", or a KK_TYPES_* code for problems of the checker itself. */
  code: string;
  message: string;
  line: number;
  column: number;
}

export interface ProgramOptions {
  config?: TypesConfig | undefined;
  /** "sequential": a ref comes from the nearest cell above that defines it (Jupyter's rule). */
  mode?: "reactive" | "sequential" | undefined;
  /** Cells longer than this are not type-checked; their names are `any` to others. */
  maxCellBytes?: number | undefined;
}

/** Past this size a cell is data, not code to type-check: checking it would stall the service. */
export const DEFAULT_MAX_CELL_BYTES = 1 << 20;

const FOLDER = "__kernelkit_cells__";
const TYPE_DECL =
  /^(?:export\s+)?(?:declare\s+)?(?:interface|type|enum|const\s+enum|namespace|abstract\s+class|class)\s+([A-Za-z_$][\w$]*)/gm;
const IDENT = /[A-Za-z_$][\w$]*/g;

interface CellFile {
  cell: TypeCell;
  path: string;
  /** The names the cell shares: its value defs and its top-level type declarations. */
  exports: string[];
  /** Names the cell reads: value refs and identifiers (for types other cells declare). */
  reads: Set<string>;
  own: Set<string>;
  text: string;
  version: number;
  tooLarge: boolean;
  codeLines: number;
  /** Length of the generated first line, its newline included. */
  prefix: number;
  /** The cells this cell's first line imports from (ids). */
  imports: Set<string>;
}

function typeNames(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(TYPE_DECL)) if (!m[1]!.startsWith("_")) out.push(m[1]!);
  return out;
}

function safeFileName(id: string, index: number): string {
  return `c${index}_${id.replace(/[^\w-]/g, "_").slice(0, 40)}`;
}

/** The kernel's own globals, declared for every cell (docs/types.md). */
const KERNEL_DECLARATIONS = `export {};
declare global {
  /** Shows a value (or a mime bundle) as an output of the running cell. */
  function display(value: unknown, options?: { displayId?: string }): void;
}
`;

/** When the project has no @types/node, the host globals cells use still type-check loosely. */
const HOST_FALLBACK = `declare var console: { log(...a: any[]): void; error(...a: any[]): void; warn(...a: any[]): void; info(...a: any[]): void; debug(...a: any[]): void; table(...a: any[]): void; dir(...a: any[]): void };
declare var process: any;
declare var require: any;
declare var __dirname: string;
declare var __filename: string;
declare var Buffer: any;
declare function setTimeout(handler: (...args: any[]) => void, ms?: number, ...args: any[]): any;
declare function clearTimeout(id: any): void;
declare function setInterval(handler: (...args: any[]) => void, ms?: number, ...args: any[]): any;
declare function clearInterval(id: any): void;
declare function setImmediate(handler: (...args: any[]) => void, ...args: any[]): any;
declare function structuredClone<T>(value: T): T;
declare function fetch(input: any, init?: any): Promise<any>;
declare function queueMicrotask(callback: () => void): void;
declare var URL: any;
declare var TextEncoder: any;
declare var TextDecoder: any;
declare var AbortController: any;
`;

function hasNodeTypes(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "node_modules", "@types", "node", "package.json"))) return true;
    if (dirname(d) === d) return false;
  }
}

export class NotebookProgram {
  readonly dir: string;
  readonly options: TS.CompilerOptions;
  /** Problems with the configuration (tsconfig, lib), reported once. */
  readonly configProblems: TypeDiagnostic[];
  private readonly ts: typeof TS;
  private readonly files = new Map<string, CellFile>();
  private order: string[] = [];
  private readonly ambient = new Map<string, string>();
  private readonly libFiles: Map<string, string>;
  private readonly libFolder: string;
  private readonly service: TS.LanguageService;
  private readonly maxCellBytes: number;
  private readonly sequential: boolean;
  private readonly extension: ".ts" | ".js";
  private scratch: CellFile | null = null;
  private versionCounter = 0;

  constructor(
    compiler: CompilerBundle,
    private readonly notebook: NotebookShape,
    options: ProgramOptions = {},
  ) {
    this.ts = compiler.ts;
    this.dir = notebook.path ? dirname(resolve(notebook.path)) : resolve(notebook.cwd);
    this.maxCellBytes = options.maxCellBytes ?? DEFAULT_MAX_CELL_BYTES;
    this.sequential = options.mode === "sequential";
    this.extension = notebook.typescript ? ".ts" : ".js";
    const nodeTypes = hasNodeTypes(this.dir);
    const resolved = resolveCompilerOptions(this.ts, this.dir, options.config ?? {}, nodeTypes);
    this.options = resolved.options;
    this.configProblems = resolved.problems;
    this.libFolder = compiler.libFolder;
    this.libFiles = compiler.libFiles;
    const folder = join(this.dir, FOLDER);
    this.ambient.set(join(folder, "kernel-globals.d.ts"), KERNEL_DECLARATIONS);
    if (!nodeTypes) this.ambient.set(join(folder, "host-globals.d.ts"), HOST_FALLBACK);
    this.service = this.ts.createLanguageService(this.host(), this.ts.createDocumentRegistry());
  }

  private host(): TS.LanguageServiceHost {
    const ts = this.ts;
    const snapshotOf = (path: string): string | undefined => {
      const cell = this.fileAt(path);
      if (cell) return cell.text;
      const ambient = this.ambient.get(path);
      if (ambient !== undefined) return ambient;
      const lib = this.libFiles.get(path);
      if (lib !== undefined) return lib;
      try {
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    };
    const isVirtual = (path: string) => this.fileAt(path) !== undefined || this.ambient.has(path);
    return {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [
        ...this.ambient.keys(),
        ...this.order.map((id) => this.files.get(id)!.path),
        ...(this.scratch ? [this.scratch.path] : []),
      ],
      getScriptVersion: (path) => String(this.fileAt(path)?.version ?? 0),
      getScriptSnapshot: (path) => {
        const text = snapshotOf(path);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => this.dir,
      getDefaultLibFileName: (o) => `${this.libFolder}/${ts.getDefaultLibFileName(o)}`,
      fileExists: (path) => isVirtual(path) || this.libFiles.has(path) || ts.sys.fileExists(path),
      readFile: (path) => snapshotOf(path),
      readDirectory: ts.sys.readDirectory,
      directoryExists: (path) =>
        path === this.libFolder || path.startsWith(join(this.dir, FOLDER)) || ts.sys.directoryExists(path),
      getDirectories: (path) => {
        try {
          return readdirSync(path).filter((d) => statSync(join(path, d)).isDirectory());
        } catch {
          return [];
        }
      },
      realpath: ts.sys.realpath,
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
    };
  }

  private fileAt(path: string): CellFile | undefined {
    if (this.scratch?.path === path) return this.scratch;
    const id = this.byPath.get(path);
    return id === undefined ? undefined : this.files.get(id);
  }

  private readonly byPath = new Map<string, string>();

  /**
   * The cell whose file holds edited code from a query, and its file as the notebook has it.
   * Only that file changes while a front end types in one cell (the other cells are not
   * relinked: their view of it does not matter to the query), so TypeScript reuses the
   * program's whole structure between keystrokes (docs/types.md "Warm queries").
   */
  private overlay: { id: string; original: CellFile } | null = null;
  /** Which cells define each name, and each cell's position: from the last full relink. */
  private linkDefiners = new Map<string, string[]>();
  private linkPosition = new Map<string, number>();

  /** Puts the notebook's own code of the overlaid cell back (the file object it had). */
  private restoreOverlay(): void {
    if (!this.overlay) return;
    this.files.set(this.overlay.id, this.overlay.original);
    this.overlay = null;
  }

  /** Replaces the notebook's cells (unchanged cells keep their version: the checker reuses them). */
  setCells(cells: readonly TypeCell[]): void {
    this.restoreOverlay();
    const seen = new Set<string>();
    const nextOrder: string[] = [];
    for (const [i, cell] of cells.entries()) {
      seen.add(cell.id);
      nextOrder.push(cell.id);
      const old = this.files.get(cell.id);
      if (old && old.cell.code === cell.code) {
        old.cell = cell;
        continue;
      }
      if (old?.cell.code.includes("declare global")) this.globalsChanged = true;
      const file = this.describe(
        cell,
        old?.path ?? join(this.dir, FOLDER, `${safeFileName(cell.id, i)}${this.extension}`),
      );
      this.files.set(cell.id, file);
      this.byPath.set(file.path, cell.id);
    }
    for (const id of [...this.files.keys()]) {
      if (seen.has(id)) continue;
      const f = this.files.get(id)!;
      if (f.cell.code.includes("declare global")) this.globalsChanged = true;
      this.byPath.delete(f.path);
      this.files.delete(id);
    }
    this.order = nextOrder;
    this.relink();
  }

  private describe(cell: TypeCell, path: string): CellFile {
    const tooLarge = cell.code.length > this.maxCellBytes;
    const analysis = analyzeJsCell(cell.code, this.notebook.typescript);
    const types = tooLarge ? [] : typeNames(cell.code);
    const exports = [...new Set([...analysis.defs, ...types])];
    const own = new Set(exports);
    const reads = new Set<string>(analysis.refs);
    if (!tooLarge) for (const m of cell.code.matchAll(IDENT)) reads.add(m[0]);
    for (const name of own) reads.delete(name);
    let codeLines = 1;
    for (let i = cell.code.indexOf("\n"); i !== -1; i = cell.code.indexOf("\n", i + 1)) codeLines++;
    return {
      cell,
      path,
      exports,
      reads,
      own,
      text: "",
      version: 0,
      tooLarge,
      codeLines,
      prefix: 0,
      imports: new Set(),
    };
  }

  /** Recomputes footers: which cell each read name comes from. Bumps only files whose text changed. */
  private relink(): void {
    const definers = new Map<string, string[]>();
    for (const id of this.order) {
      for (const name of this.files.get(id)!.exports) {
        const list = definers.get(name);
        if (list) list.push(id);
        else definers.set(name, [id]);
      }
    }
    const position = new Map(this.order.map((id, i) => [id, i]));
    this.linkDefiners = definers;
    this.linkPosition = position;
    for (const id of this.order) this.relinkFile(this.files.get(id)!, definers, position);
    if (this.scratch) this.relinkFile(this.scratch, definers, position);
  }

  private definerFor(
    name: string,
    file: CellFile,
    definers: Map<string, string[]>,
    position: Map<string, number>,
  ): string | "ambiguous" | null {
    const list = definers.get(name);
    if (!list) return null;
    const self = file.cell.id;
    if (this.sequential) {
      const at = position.get(self) ?? Number.POSITIVE_INFINITY;
      let best: string | null = null;
      for (const d of list) if (d !== self && (position.get(d) ?? 0) < at) best = d;
      return best;
    }
    let other: string | null = null;
    for (const d of list) if (d !== self) other = d;
    if (other === null) return null;
    // Reactive rules: a name two cells define is a static error already (KK_MULTIPLE_DEFINITION).
    return list.length > 1 ? "ambiguous" : other;
  }

  private relinkFile(file: CellFile, definers: Map<string, string[]>, position: Map<string, number>): void {
    let text: string;
    let prefix: string;
    let importedFrom: Iterable<string> = [];
    if (file.tooLarge) {
      prefix =
        file.exports.length > 0
          ? `export declare const ${file.exports.map((n) => `${n}: any`).join(", ")};`
          : "export {};";
      prefix += "\n";
      text = prefix;
    } else {
      const imports = new Map<string, string[]>();
      const loose: string[] = [];
      for (const name of file.reads) {
        const from = this.definerFor(name, file, definers, position);
        if (from === null) continue;
        if (from === "ambiguous") {
          loose.push(name);
          continue;
        }
        const list = imports.get(from);
        if (list) list.push(name);
        else imports.set(from, [name]);
      }
      importedFrom = imports.keys();
      prefix = `export { ${file.exports.join(", ")} }; `;
      for (const [from, names] of imports) {
        const target = this.files.get(from)!.path;
        const spec = `./${target.slice(target.lastIndexOf("/") + 1)}`;
        prefix += `import { ${names.join(", ")} } from ${JSON.stringify(spec)}; `;
      }
      if (loose.length > 0) prefix += `declare const ${loose.map((n) => `${n}: any`).join(", ")}; `;
      prefix += "\n";
      text = `${prefix}${file.cell.code}\n`;
    }
    file.prefix = prefix.length;
    file.imports = new Set(importedFrom);
    if (text !== file.text) {
      file.text = text;
      file.version = ++this.versionCounter;
    }
  }

  /** Places edited code (a cell being typed, or scratch code) in the program for a query. */
  private withQuery(code: string, cellId: string | undefined): CellFile {
    // Another cell's edited code from an earlier query goes back to the notebook's.
    if (this.overlay !== null && this.overlay.id !== cellId) this.restoreOverlay();
    const existing = cellId !== undefined ? this.files.get(cellId) : undefined;
    if (existing) {
      if (existing.cell.code === code) return existing;
      const original = this.overlay?.original ?? existing;
      if (original.cell.code === code) {
        this.restoreOverlay();
        return original;
      }
      const updated = this.describe({ ...original.cell, code }, original.path);
      this.relinkFile(updated, this.linkDefiners, this.linkPosition);
      this.files.set(original.cell.id, updated);
      this.overlay = { id: original.cell.id, original };
      return updated;
    }
    const path = join(this.dir, FOLDER, `scratch${this.extension}`);
    if (this.scratch?.cell.code !== code) {
      this.scratch = this.describe({ id: "\0scratch", name: null, code, line: 0 }, path);
      this.relinkFile(this.scratch, this.linkDefiners, this.linkPosition);
    }
    return this.scratch!;
  }

  /**
   * Each cell's last diagnostics, with the version of its module they were computed for. A
   * cell's diagnostics depend only on its module and the modules it imports (cells are modules;
   * the ambient files never change), so after an edit only the edited cells and the cells that
   * import them, directly or not, are checked again (docs/types.md "Incremental").
   */
  private readonly checked = new Map<string, { version: number; line: number; list: TypeDiagnostic[] }>();

  /** The cells whose diagnostics may differ from the cached ones. */
  private staleCells(): Set<string> {
    const changed = (id: string) => this.checked.get(id)?.version !== this.files.get(id)!.version;
    // A cell that declares globals (`declare global`) can change what any other cell sees.
    for (const id of this.order) {
      if (changed(id) && this.files.get(id)!.cell.code.includes("declare global")) return new Set(this.order);
    }
    if (this.globalsChanged) {
      this.globalsChanged = false;
      return new Set(this.order);
    }
    const memo = new Map<string, boolean>();
    const stale = (id: string): boolean => {
      const known = memo.get(id);
      if (known !== undefined) return known;
      memo.set(id, false); // an import cycle (not a valid notebook) ends here
      const file = this.files.get(id);
      let result = file === undefined || changed(id);
      if (file && !result)
        for (const from of file.imports) if (this.files.has(from) && stale(from)) result = true;
      memo.set(id, result);
      return result;
    };
    return new Set(this.order.filter(stale));
  }

  /** Set when a cell that declared globals was removed or edited away. */
  private globalsChanged = false;

  /** Type errors of every cell, in notebook order, positioned in the notebook file. */
  check(): Map<string, TypeDiagnostic[]> {
    this.restoreOverlay();
    const out = new Map<string, TypeDiagnostic[]>();
    const stale = this.staleCells();
    const program = stale.size > 0 ? this.service.getProgram() : undefined;
    for (const id of this.order) {
      const file = this.files.get(id)!;
      if (!stale.has(id)) {
        // Unchanged, but lines above it may have grown or shrunk: only the lines move.
        const cached = this.checked.get(id)!;
        const shift = file.cell.line > 0 && cached.line > 0 ? file.cell.line - cached.line : 0;
        out.set(id, shift === 0 ? cached.list : cached.list.map((d) => ({ ...d, line: d.line + shift })));
        continue;
      }
      const list: TypeDiagnostic[] = [];
      if (file.tooLarge) {
        const e = typesErrors.cellTooLarge(file.cell.code.length, this.maxCellBytes);
        list.push({ code: e.code, message: e.message, line: Math.max(1, file.cell.line), column: 1 });
        out.set(id, list);
        continue;
      }
      const sf = program?.getSourceFile(file.path);
      if (sf && program) {
        const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
        for (const d of diagnostics) {
          const mapped = this.position(file, d);
          if (mapped) list.push(mapped);
        }
      }
      out.set(id, list);
    }
    this.checked.clear();
    for (const id of this.order) {
      const file = this.files.get(id)!;
      this.checked.set(id, { version: file.version, line: file.cell.line, list: out.get(id)! });
    }
    return out;
  }

  private position(file: CellFile, d: TS.Diagnostic): TypeDiagnostic | null {
    if (d.file === undefined || d.start === undefined) return null;
    // The prefix is ours: a semantic problem there (a name analysis saw but TS did not) is
    // not the user's.
    if (d.start < file.prefix && d.code >= 2000) return null;
    const { line, character } = d.file.getLineAndCharacterOfPosition(Math.max(d.start, file.prefix));
    let at = { line: line - 1, column: character + 1 };
    if (at.line >= file.codeLines) {
      // At the end of the module: the cell's unfinished end (an open brace).
      const lines = file.cell.code.split("\n");
      at = { line: lines.length - 1, column: lines[lines.length - 1]!.length + 1 };
    }
    return {
      code: `TS${d.code}`,
      message: this.ts.flattenDiagnosticMessageText(d.messageText, "\n"),
      line: file.cell.line > 0 ? file.cell.line + at.line : at.line + 1,
      column: at.column,
    };
  }

  completions(
    code: string,
    cursorPos: number,
    cellId?: string,
  ): {
    matches: { text: string; kind?: string; detail?: string }[];
    cursorStart: number;
    cursorEnd: number;
  } | null {
    const file = this.withQuery(code, cellId);
    if (file.tooLarge) return null;
    // A window around the cursor: a huge cell must not make these regexes crawl.
    const before = /[\w$]*$/.exec(code.slice(Math.max(0, cursorPos - 2000), cursorPos))![0];
    const after = /^[\w$]*/.exec(code.slice(cursorPos, cursorPos + 2000))![0];
    const result = this.service.getCompletionsAtPosition(file.path, cursorPos + file.prefix, {
      includeCompletionsForModuleExports: false,
      includeCompletionsWithInsertText: true,
    });
    if (!result) return null;
    const prefix = before.toLowerCase();
    const entries = result.entries
      .filter((e) => e.name.toLowerCase().startsWith(prefix) && !e.name.startsWith("__kk"))
      .sort((a, b) =>
        a.sortText === b.sortText ? a.name.localeCompare(b.name) : a.sortText < b.sortText ? -1 : 1,
      )
      .slice(0, 2000);
    return {
      matches: entries.map((e) => ({ text: e.name, kind: e.kind })),
      cursorStart: cursorPos - before.length,
      cursorEnd: cursorPos + after.length,
    };
  }

  inspect(
    code: string,
    cursorPos: number,
    cellId?: string,
  ): { found: boolean; bundle: Record<string, string> } | null {
    const file = this.withQuery(code, cellId);
    if (file.tooLarge) return null;
    const ts = this.ts;
    const at = (pos: number) => {
      const found = this.service.getQuickInfoAtPosition(file.path, pos);
      if (found?.kind !== "alias") return found ? { info: found, pos } : undefined;
      // A ref is an import in its cell's module: describe what the defining cell declares.
      const def = this.service.getDefinitionAtPosition(file.path, pos)?.[0];
      const there = def && this.service.getQuickInfoAtPosition(def.fileName, def.textSpan.start);
      return { info: there ?? found, pos };
    };
    const pos = cursorPos + file.prefix;
    const info = (at(pos) ?? (cursorPos > 0 ? at(pos - 1) : undefined))?.info;
    let signature: string;
    let doc: string;
    let tags: string[];
    if (info) {
      signature = ts.displayPartsToString(info.displayParts);
      doc = ts.displayPartsToString(info.documentation);
      tags = (info.tags ?? []).map((t) => `@${t.name}${t.text ? ` ${ts.displayPartsToString(t.text)}` : ""}`);
    } else {
      const help = this.service.getSignatureHelpItems(file.path, pos, undefined);
      const item = help?.items[help.selectedItemIndex];
      if (!help || !item) return { found: false, bundle: {} };
      const params = item.parameters.map((p) => ts.displayPartsToString(p.displayParts));
      signature =
        ts.displayPartsToString(item.prefixDisplayParts) +
        params.join(ts.displayPartsToString(item.separatorDisplayParts)) +
        ts.displayPartsToString(item.suffixDisplayParts);
      doc = ts.displayPartsToString(item.documentation);
      tags = item.tags.map((t) => `@${t.name}${t.text ? ` ${ts.displayPartsToString(t.text)}` : ""}`);
    }
    // A ref is an import in its cell's module: show the definition, not the import.
    signature = signature.replace(/^\(alias\) /, "").replace(/\nimport [\w$]+$/, "");
    const tail = [doc, ...tags].filter((s) => s !== "").join("\n\n");
    return {
      found: true,
      bundle: {
        "text/plain": tail ? `${signature}\n\n${tail}` : signature,
        "text/markdown": `\`\`\`ts\n${signature}\n\`\`\`${tail ? `\n\n${tail}` : ""}`,
      },
    };
  }
}
