// The host-side mirror of the names Python holds, so `has()` answers synchronously.
// Values live in Python; the mirror keeps small scalars and a type tag for the rest.
import type { Scope } from "@kernelkit/core";
import { pythonErrors } from "./errors.ts";

/** What `scope.get()` returns for a Python value that is not a small JSON scalar. */
export class PythonObject {
  constructor(
    readonly name: string,
    readonly type: string,
  ) {}
  toString(): string {
    return `<Python ${this.type} '${this.name}'>`;
  }
}

export class PythonScope implements Scope {
  private readonly values = new Map<string, unknown>();

  /** `send` writes one serialized request to the Python process. */
  constructor(private readonly send: (line: string) => void) {}

  get(name: string): unknown {
    return this.values.get(name);
  }

  /** Binds a JSON value in Python (inputs). */
  set(name: string, value: unknown): void {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      throw pythonErrors.value(name, (error as Error)?.message ?? String(error));
    }
    this.values.set(name, value);
    this.send(`{"op":"set","name":${JSON.stringify(name)},"value":${json ?? "null"}}`);
  }

  delete(name: string): void {
    if (!this.values.delete(name)) return;
    this.send(`{"op":"del","name":${JSON.stringify(name)}}`);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  names(): Iterable<string> {
    return this.values.keys();
  }

  /** What a cell left defined (scalars by value) and what it removed, as Python reported it. */
  record(
    defs: readonly string[] | undefined,
    values: Record<string, unknown> | undefined,
    types: Record<string, string> | undefined,
    gone: readonly string[] | undefined,
  ): void {
    if (defs) {
      for (const name of defs) {
        if (values && Object.hasOwn(values, name)) this.values.set(name, values[name]);
        else this.values.set(name, new PythonObject(name, types?.[name] ?? "object"));
      }
    }
    if (gone) for (const name of gone) this.values.delete(name);
  }

  /** The Python process was replaced: it holds nothing any more. */
  clear(): void {
    this.values.clear();
  }
}
