// The plain scope the kernel keeps for executors that do not bring their own.
import type { Scope } from "../contract/plugin.ts";
/** The scope of executors that do not bring one. */
export class MapScope implements Scope {
  private readonly map = new Map<string, unknown>();
  get(name: string): unknown {
    return this.map.get(name);
  }
  set(name: string, value: unknown): void {
    this.map.set(name, value);
  }
  delete(name: string): void {
    this.map.delete(name);
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  names(): Iterable<string> {
    return this.map.keys();
  }
}
