// Binds names over an ESTree program (acorn's output): which names the top level binds,
// which names are free (read or written without a binding), in first-seen order.
// Hand-written rather than a library because the same walk also collects what the
// cell rewrite needs (imports, exports, `import.meta`), and it runs on the hot path.

type Node = { type: string; start: number; end: number; [key: string]: any };

class Scope {
  readonly names = new Set<string>();
  constructor(
    readonly parent: Scope | null,
    readonly isFunction: boolean,
  ) {}
  has(name: string): boolean {
    for (let s: Scope | null = this; s; s = s.parent) if (s.names.has(name)) return true;
    return false;
  }
  functionScope(): Scope {
    let s: Scope = this;
    while (!s.isFunction && s.parent) s = s.parent;
    return s;
  }
}

export interface ScopeResult {
  /** Names bound at the top level, in declaration order. */
  topLevel: string[];
  /** Free names read or written, in first-seen order. */
  free: string[];
  /** Free names that are assigned to (`x = 1`, `x++`, destructuring assignment). */
  freeWrites: string[];
  /** Top-level import declarations, export declarations and `import.meta` uses, for the rewrite. */
  imports: Node[];
  exports: Node[];
  metaProperties: Node[];
}

/** Collects declarations then references in two passes, so hoisting is respected. */
export function analyzeScopes(program: Node): ScopeResult {
  const scopeOf = new Map<Node, Scope>();
  const top = new Scope(null, true);
  const imports: Node[] = [];
  const exports: Node[] = [];
  const metaProperties: Node[] = [];

  // ---- pass 1: declarations ----
  const declare = (scope: Scope, pattern: Node | null | undefined, kind: "var" | "let"): void => {
    if (!pattern) return;
    const target = kind === "var" ? scope.functionScope() : scope;
    switch (pattern.type) {
      case "Identifier":
        target.names.add(pattern.name);
        break;
      case "ObjectPattern":
        for (const p of pattern.properties)
          declare(scope, p.type === "RestElement" ? p.argument : p.value, kind);
        break;
      case "ArrayPattern":
        for (const el of pattern.elements) declare(scope, el, kind);
        break;
      case "RestElement":
        declare(scope, pattern.argument, kind);
        break;
      case "AssignmentPattern":
        declare(scope, pattern.left, kind);
        break;
    }
  };

  const collect = (node: Node | null | undefined, scope: Scope): void => {
    if (!node || typeof node.type !== "string") return;
    switch (node.type) {
      case "ImportDeclaration":
        imports.push(node);
        for (const s of node.specifiers) scope.names.add(s.local.name);
        return;
      case "ExportNamedDeclaration":
      case "ExportDefaultDeclaration":
      case "ExportAllDeclaration":
        exports.push(node);
        if (node.declaration) collect(node.declaration, scope);
        return;
      case "VariableDeclaration":
        for (const d of node.declarations) {
          declare(scope, d.id, node.kind === "var" ? "var" : "let");
          collectPatternDefaults(d.id, scope);
          collect(d.init, scope);
        }
        return;
      case "FunctionDeclaration":
        if (node.id) scope.names.add(node.id.name);
        collectFunction(node, scope);
        return;
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        collectFunction(node, scope);
        return;
      case "ClassDeclaration":
        if (node.id) scope.names.add(node.id.name);
        collectClass(node, scope);
        return;
      case "ClassExpression":
        collectClass(node, scope);
        return;
      case "BlockStatement":
      case "StaticBlock": {
        const block = new Scope(scope, node.type === "StaticBlock");
        scopeOf.set(node, block);
        for (const s of node.body) collect(s, block);
        return;
      }
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement": {
        const loop = new Scope(scope, false);
        scopeOf.set(node, loop);
        if (node.type === "ForStatement") {
          collect(node.init, loop);
          collect(node.test, loop);
          collect(node.update, loop);
        } else {
          collect(node.left, loop);
          collect(node.right, loop);
        }
        collect(node.body, loop);
        return;
      }
      case "SwitchStatement": {
        collect(node.discriminant, scope);
        const sw = new Scope(scope, false);
        scopeOf.set(node, sw);
        for (const c of node.cases) {
          collect(c.test, sw);
          for (const s of c.consequent) collect(s, sw);
        }
        return;
      }
      case "CatchClause": {
        const c = new Scope(scope, false);
        scopeOf.set(node, c);
        declare(c, node.param, "let");
        collectPatternDefaults(node.param, c);
        collect(node.body, c);
        return;
      }
      case "MetaProperty":
        if (node.meta.name === "import") metaProperties.push(node);
        return;
      default:
        forEachChild(node, (child) => collect(child, scope));
    }
  };

  const collectFunction = (node: Node, outer: Scope): void => {
    let scope = outer;
    if (node.type === "FunctionExpression" && node.id) {
      // A named function expression binds its own name in a scope of its own.
      scope = new Scope(outer, false);
      scope.names.add(node.id.name);
      scopeOf.set(node.id, scope);
    }
    const fn = new Scope(scope, true);
    scopeOf.set(node, fn);
    if (node.type !== "ArrowFunctionExpression") fn.names.add("arguments");
    for (const p of node.params) {
      declare(fn, p, "let");
      collectPatternDefaults(p, fn);
    }
    if (node.body.type === "BlockStatement") {
      // The body shares the function's scope (parameters and top-level vars are one scope).
      scopeOf.set(node.body, fn);
      for (const s of node.body.body) collect(s, fn);
    } else {
      collect(node.body, fn);
    }
  };

  const collectPatternDefaults = (p: Node | null, scope: Scope): void => {
    if (!p) return;
    if (p.type === "AssignmentPattern") {
      collect(p.right, scope);
      collectPatternDefaults(p.left, scope);
    } else if (p.type === "ObjectPattern") {
      for (const prop of p.properties) {
        if (prop.type === "RestElement") collectPatternDefaults(prop.argument, scope);
        else {
          if (prop.computed) collect(prop.key, scope);
          collectPatternDefaults(prop.value, scope);
        }
      }
    } else if (p.type === "ArrayPattern") {
      for (const el of p.elements) collectPatternDefaults(el, scope);
    } else if (p.type === "RestElement") collectPatternDefaults(p.argument, scope);
  };

  const collectClass = (node: Node, outer: Scope): void => {
    const cls = new Scope(outer, false);
    if (node.id) cls.names.add(node.id.name);
    scopeOf.set(node, cls);
    collect(node.superClass, outer);
    for (const el of node.body.body) {
      if (el.computed) collect(el.key, cls);
      if (el.type === "StaticBlock") collect(el, cls);
      else if (el.value) collect(el.value, cls);
    }
  };

  for (const stmt of program.body) collect(stmt, top);

  // ---- pass 2: references ----
  const free: string[] = [];
  const freeSeen = new Set<string>();
  const freeWrites: string[] = [];
  const writeSeen = new Set<string>();
  const reference = (name: string, scope: Scope, write: boolean): void => {
    if (scope.has(name)) return;
    if (!freeSeen.has(name)) {
      freeSeen.add(name);
      free.push(name);
    }
    if (write && !writeSeen.has(name)) {
      writeSeen.add(name);
      freeWrites.push(name);
    }
  };

  const assignTarget = (p: Node | null | undefined, scope: Scope): void => {
    if (!p) return;
    switch (p.type) {
      case "Identifier":
        reference(p.name, scope, true);
        return;
      case "ObjectPattern":
        for (const prop of p.properties) {
          if (prop.type === "RestElement") assignTarget(prop.argument, scope);
          else {
            if (prop.computed) visit(prop.key, scope);
            assignTarget(prop.value, scope);
          }
        }
        return;
      case "ArrayPattern":
        for (const el of p.elements) assignTarget(el, scope);
        return;
      case "RestElement":
        assignTarget(p.argument, scope);
        return;
      case "AssignmentPattern":
        assignTarget(p.left, scope);
        visit(p.right, scope);
        return;
      default:
        visit(p, scope); // member expressions: `a.b = 1` reads `a`
    }
  };

  // Declaration patterns: identifiers bind, computed keys and defaults are read.
  const visitPattern = (p: Node | null | undefined, scope: Scope): void => {
    if (!p) return;
    switch (p.type) {
      case "Identifier":
        return;
      case "ObjectPattern":
        for (const prop of p.properties) {
          if (prop.type === "RestElement") visitPattern(prop.argument, scope);
          else {
            if (prop.computed) visit(prop.key, scope);
            visitPattern(prop.value, scope);
          }
        }
        return;
      case "ArrayPattern":
        for (const el of p.elements) visitPattern(el, scope);
        return;
      case "RestElement":
        visitPattern(p.argument, scope);
        return;
      case "AssignmentPattern":
        visitPattern(p.left, scope);
        visit(p.right, scope);
        return;
      default:
        visit(p, scope);
    }
  };

  const visit = (node: Node | null | undefined, scope: Scope): void => {
    if (!node || typeof node.type !== "string") return;
    switch (node.type) {
      case "Identifier":
        reference(node.name, scope, false);
        return;
      case "MemberExpression":
        visit(node.object, scope);
        if (node.computed) visit(node.property, scope);
        return;
      case "Property":
        if (node.computed) visit(node.key, scope);
        visit(node.value, scope);
        return;
      case "MethodDefinition":
      case "PropertyDefinition":
        if (node.computed) visit(node.key, scope);
        visit(node.value, scope);
        return;
      case "LabeledStatement":
        visit(node.body, scope);
        return;
      case "BreakStatement":
      case "ContinueStatement":
      case "MetaProperty":
      case "ThisExpression":
      case "Super":
      case "Literal":
      case "TemplateElement":
      case "PrivateIdentifier":
        return;
      case "ImportDeclaration":
        return;
      case "ExportNamedDeclaration":
        if (node.declaration) visit(node.declaration, scope);
        else if (!node.source) for (const s of node.specifiers) visit(s.local, scope);
        return;
      case "ExportDefaultDeclaration":
        visit(node.declaration, scope);
        return;
      case "ExportAllDeclaration":
        return;
      case "VariableDeclaration":
        for (const d of node.declarations) {
          visitPattern(d.id, scope);
          visit(d.init, scope);
        }
        return;
      case "AssignmentExpression":
        if (node.operator !== "=" && node.left.type === "Identifier") reference(node.left.name, scope, false);
        assignTarget(node.left, scope);
        visit(node.right, scope);
        return;
      case "UpdateExpression":
        if (node.argument.type === "Identifier") {
          reference(node.argument.name, scope, false);
          reference(node.argument.name, scope, true);
        } else visit(node.argument, scope);
        return;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        const fn = scopeOf.get(node) ?? scope;
        for (const p of node.params) visitPattern(p, fn);
        if (node.body.type === "BlockStatement") for (const s of node.body.body) visit(s, fn);
        else visit(node.body, fn);
        return;
      }
      case "ClassDeclaration":
      case "ClassExpression": {
        const cls = scopeOf.get(node) ?? scope;
        visit(node.superClass, scope);
        for (const el of node.body.body) {
          if (el.type === "StaticBlock") visit(el, cls);
          else {
            if (el.computed) visit(el.key, cls);
            visit(el.value, cls);
          }
        }
        return;
      }
      case "BlockStatement":
      case "StaticBlock": {
        const block = scopeOf.get(node) ?? scope;
        for (const s of node.body) visit(s, block);
        return;
      }
      case "ForStatement": {
        const loop = scopeOf.get(node) ?? scope;
        visit(node.init, loop);
        visit(node.test, loop);
        visit(node.update, loop);
        visit(node.body, loop);
        return;
      }
      case "ForInStatement":
      case "ForOfStatement": {
        const loop = scopeOf.get(node) ?? scope;
        if (node.left.type === "VariableDeclaration") visit(node.left, loop);
        else assignTarget(node.left, loop);
        visit(node.right, loop);
        visit(node.body, loop);
        return;
      }
      case "SwitchStatement": {
        visit(node.discriminant, scope);
        const sw = scopeOf.get(node) ?? scope;
        for (const c of node.cases) {
          visit(c.test, sw);
          for (const s of c.consequent) visit(s, sw);
        }
        return;
      }
      case "CatchClause": {
        const c = scopeOf.get(node) ?? scope;
        visitPattern(node.param, c);
        visit(node.body, c);
        return;
      }
      default:
        forEachChild(node, (child) => visit(child, scope));
    }
  };

  for (const stmt of program.body) visit(stmt, top);

  return {
    topLevel: [...top.names].filter((n) => n !== "arguments"),
    free,
    freeWrites,
    imports,
    exports,
    metaProperties,
  };
}

const SKIP_KEYS = new Set(["type", "start", "end", "loc", "range", "raw", "value", "regex", "bigint"]);

function forEachChild(node: Node, fn: (child: Node) => void): void {
  for (const key in node) {
    if (SKIP_KEYS.has(key)) {
      // `value` holds child nodes for some node types (Property handled above; here: TemplateElement has data).
      if (key !== "value" || typeof node.value !== "object" || node.value === null || !node.value.type)
        continue;
    }
    const v = node[key];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === "string") fn(c);
    } else if (v && typeof v === "object" && typeof v.type === "string") fn(v);
  }
}
