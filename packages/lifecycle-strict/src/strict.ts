// Strict mode (docs/semantics.md): while a cell runs, the scope holds only copies of its refs
// (and of the refs of the functions it calls); afterwards the original scope comes back and
// only the cell's own defs are written to it. Mutating a copied input never leaks.
import {
  type CompiledCell,
  type ExecutionContext,
  type ExecutionLifecycle,
  isSharedJsScope,
  KernelkitError,
  type PluginContext,
  type RunResult,
  SHARED_JS_SCOPE,
  type SharedJsScope,
  Skip,
} from "@kernelkit/core";
import { beginCopies, copyInRealm, type Uncopyable } from "./copy.ts";

/** Why strict mode did not run a cell (or stopped it): `ref` is the name, `blamedCell` the cell defining it. */
export class StrictExecutionError extends KernelkitError {
  constructor(
    message: string,
    readonly ref: string,
    readonly blamedCell: string | null,
    hint?: string,
  ) {
    super("KK_STRICT", message, { hint });
    this.name = "StrictExecutionError";
  }
}

interface Definer {
  id: string;
  label: string;
  refs: readonly string[];
}

interface Swap {
  scope: SharedJsScope;
  saved: Map<string, unknown>;
}

const TDZ = /^Cannot access '([^']+)' before initialization$/;

export class StrictLifecycle implements ExecutionLifecycle {
  readonly name = "strict";
  readonly requires = [SHARED_JS_SCOPE] as const;
  /** Which cell defines each name (learnt from the cells that ran), for blame and transitive refs. */
  private readonly definers = new Map<string, Definer>();
  private readonly swaps = new WeakMap<ExecutionContext, Swap>();

  setup(cell: CompiledCell, ctx: ExecutionContext): void | Skip {
    const scope = ctx.scope;
    if (!isSharedJsScope(scope)) {
      throw new KernelkitError(
        "KK_PLUGIN_REQUIRES",
        `strict mode needs an executor that provides '${SHARED_JS_SCOPE}'`,
      );
    }
    const label = cell.name ?? cell.id;
    for (const def of cell.defs) this.definers.set(def, { id: cell.id, label, refs: cell.refs });

    // The cell's refs, and transitively the refs of the cells defining the functions it uses.
    const needed: string[] = [];
    const seen = new Set<string>();
    const stack = [...cell.refs].reverse();
    while (stack.length > 0) {
      const ref = stack.pop()!;
      if (seen.has(ref)) continue;
      seen.add(ref);
      if (!scope.has(ref)) return this.missing(cell, ref, label);
      needed.push(ref);
      if (typeof scope.get(ref) === "function") {
        const d = this.definers.get(ref);
        if (d && d.id !== cell.id) for (let i = d.refs.length - 1; i >= 0; i--) stack.push(d.refs[i]!);
      }
    }

    beginCopies();
    const copies = new Map<string, unknown>();
    for (const name of needed) {
      try {
        copies.set(name, copyInRealm(scope, scope.get(name)));
      } catch (error) {
        const u = error as Uncopyable;
        const where = `${name}${u.path ?? ""}`;
        return new Skip({
          output: null,
          error: new StrictExecutionError(
            `strict mode cannot copy '${name}' for cell '${label}': ${where} is ${u.what ?? "not copyable"}; mark it zero-copy to pass it as it is (zeroCopy(${name}) from @kernelkit/lifecycle-strict, or ${name}[Symbol.for("kernelkit.zeroCopy")] = true)`,
            name,
            this.definers.get(name)?.label ?? null,
            "A zero-copy value is shared, not copied: mutations to it are seen by every cell.",
          ),
        });
      }
    }

    const saved = new Map<string, unknown>();
    for (const name of [...scope.names()]) saved.set(name, scope.get(name));
    for (const name of saved.keys()) scope.delete(name);
    for (const [name, value] of copies) scope.set(name, value);
    this.swaps.set(ctx, { scope, saved });
  }

  private missing(cell: CompiledCell, ref: string, label: string): Skip {
    if (cell.defs.includes(ref)) {
      return new Skip({
        output: null,
        error: new StrictExecutionError(
          `name '${ref}' is referenced before definition in cell '${label}'`,
          ref,
          null,
          `Move the use of '${ref}' after its definition.`,
        ),
      });
    }
    const d = this.definers.get(ref);
    const blamed = d && d.id !== cell.id ? d.label : null;
    return new Skip({
      output: null,
      error: new StrictExecutionError(
        blamed
          ? `name '${ref}' is not defined: cell '${blamed}', which defines it, did not run successfully`
          : `name '${ref}' is not defined (no cell defines it)`,
        ref,
        blamed,
        blamed ? `Fix cell '${blamed}' first.` : `Define '${ref}' in a cell.`,
      ),
    });
  }

  teardown(cell: CompiledCell, ctx: ExecutionContext, result: RunResult): void {
    const swap = this.swaps.get(ctx);
    if (!swap) return;
    this.swaps.delete(ctx);
    const { scope, saved } = swap;
    const defs = new Map<string, unknown>();
    for (const def of cell.defs) if (scope.has(def)) defs.set(def, scope.get(def));
    for (const name of [...scope.names()]) scope.delete(name);
    for (const [name, value] of saved) if (!defs.has(name)) scope.set(name, value);
    for (const [name, value] of defs) scope.set(name, value);

    // A use before the definition in the same cell surfaces as a TDZ error: say it plainly.
    const cause = (result.error as { cause?: unknown } | null)?.cause ?? result.error;
    const m = TDZ.exec((cause as { message?: string } | null)?.message ?? "");
    if (m && cell.defs.includes(m[1]!)) {
      const label = cell.name ?? cell.id;
      throw new StrictExecutionError(
        `name '${m[1]}' is referenced before definition in cell '${label}'`,
        m[1]!,
        null,
        `Move the use of '${m[1]}' after its definition.`,
      );
    }
  }
}

/** Factory (docs/plugins.md): `lifecycles: ["strict"]` or `kernelkit run --strict`. */
export function createStrictLifecycle(_options?: unknown, _ctx?: PluginContext): StrictLifecycle {
  return new StrictLifecycle();
}
