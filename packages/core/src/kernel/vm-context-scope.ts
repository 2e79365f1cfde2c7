// The scope of an executor that runs cells in one `node:vm` context: the names cells share are
// properties of the context's global object. It is the "shared-js-scope" capability
// (`SharedJsScope`): `evaluate` runs a script in the cells' realm, so a lifecycle (strict mode)
// can build values that belong to it. Shared by executor-default and the conformance kit's
// reference executor, and public for third-party JS executors.
import vm from "node:vm";
import type { SharedJsScope } from "../contract/capabilities.ts";

export class VmContextScope implements SharedJsScope {
  private readonly defined = new Set<string>();

  /**
   * @param sandbox the context's global object (what `vm.createContext` was given)
   * @param restore called after a name is deleted, to put back a global it shadowed (optional)
   */
  constructor(
    private readonly sandbox: Record<string, unknown>,
    private readonly context: vm.Context,
    private readonly restore?: (name: string) => void,
  ) {}

  /**
   * Puts a host global in the context (`display`, `require`, wrapped timers): cells see it, but
   * it is not enumerable and is not one of the cells' names (`names()`, `get` ignore it), and a
   * cell may assign over it.
   */
  defineHidden(name: string, value: unknown): void {
    Object.defineProperty(this.sandbox, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }

  evaluate(source: string): unknown {
    return vm.runInContext(source, this.context);
  }

  get(name: string): unknown {
    return this.defined.has(name) ? this.sandbox[name] : undefined;
  }

  set(name: string, value: unknown): void {
    // A name set before is an own writable data property: plain assignment is much cheaper.
    if (this.defined.has(name)) {
      this.sandbox[name] = value;
      return;
    }
    Object.defineProperty(this.sandbox, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: true,
    });
    this.defined.add(name);
  }

  delete(name: string): void {
    if (!this.defined.delete(name)) return;
    delete this.sandbox[name];
    this.restore?.(name);
  }

  has(name: string): boolean {
    return this.defined.has(name);
  }

  names(): Iterable<string> {
    return this.defined;
  }
}
