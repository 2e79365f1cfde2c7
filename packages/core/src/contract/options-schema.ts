// Plugin options schemas: a plugin module may export `optionsSchema`, any Standard Schema v1
// object (valibot, zod, arktype, or hand-written), and options are validated before the factory
// runs (docs/plugins.md, "Options"). The interface is Standard Schema's, copied so core needs no
// dependency for it.

/** The Standard Schema v1 interface (https://standardschema.dev). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  }
  type Result<Output> = SuccessResult<Output> | FailureResult;
  interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  interface PathSegment {
    readonly key: PropertyKey;
  }
}

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const props = (value as { "~standard"?: { version?: unknown; validate?: unknown } } | null)?.["~standard"];
  return (
    typeof props === "object" && props !== null && props.version === 1 && typeof props.validate === "function"
  );
}

/** One problem of a failed validation, as a message names it. */
export interface OptionIssue {
  /** "budgetMs", "limits.memory", "paths[0]"; "(options)" for the whole object. */
  path: string;
  /** What the schema said (it says what was expected). */
  message: string;
  /** The value given at that path, shown as JSON (undefined when absent). */
  given: string;
}

function keyOf(segment: PropertyKey | StandardSchemaV1.PathSegment): PropertyKey {
  return typeof segment === "object" && segment !== null ? segment.key : segment;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * Validates `options` with the schema. Resolves with the schema's output (defaults filled in)
 * or with the issues.
 */
export async function validateOptions(
  schema: StandardSchemaV1,
  options: unknown,
): Promise<{ ok: true; value: unknown } | { ok: false; issues: OptionIssue[] }> {
  const result = await schema["~standard"].validate(options);
  if (!result.issues) return { ok: true, value: result.value };
  const issues = result.issues.map((issue) => {
    let at: unknown = options;
    let path = "";
    for (const segment of issue.path ?? []) {
      const key = keyOf(segment);
      at = at !== null && typeof at === "object" ? (at as Record<PropertyKey, unknown>)[key] : undefined;
      path += typeof key === "number" ? `[${key}]` : path === "" ? String(key) : `.${String(key)}`;
    }
    return { path: path || "(options)", message: issue.message, given: show(at) };
  });
  return { ok: false, issues };
}
