// Validates a notebook document against the official nbformat 4.x JSON schema of its minor
// version (the files in ./nbformat, copied from nbformat). Schemas and ajv load on the first
// .ipynb file, synchronously, so percent notebooks never pay for them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The newest minor version we ship a schema for; newer minors are checked against it, as nbformat does. */
export const LATEST_MINOR = 5;

type Validate = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null;
};
const compiled = new Map<number, Validate>();
let ajv: { compile(schema: object): Validate } | null = null;

function schema(minor: number): object {
  // The package's own folder, from source (tests) and from dist alike.
  const root = dirname(require.resolve("kernelkit/package.json"));
  return JSON.parse(
    readFileSync(join(root, "src", "formats", "nbformat", `nbformat.v4.${minor}.schema.json`), "utf8"),
  ) as object;
}

/** null when `document` is valid nbformat 4.`minor`, else the first problem as one line. */
export function nbformatProblem(document: unknown, minor: number): string | null {
  const m = Math.min(Math.max(Math.trunc(minor), 0), LATEST_MINOR);
  let validate = compiled.get(m);
  if (!validate) {
    if (!ajv) {
      const Ajv = require("ajv-draft-04") as new (options: object) => { compile(schema: object): Validate };
      ajv = new Ajv({ allErrors: false, strict: false });
    }
    validate = ajv.compile(schema(m));
    compiled.set(m, validate);
  }
  if (validate(document)) return null;
  const e = validate.errors?.[0];
  if (!e) return "does not match the nbformat schema";
  const where = e.instancePath ? e.instancePath.replace(/^\//, "").replace(/\//g, ".") : "the notebook";
  const extra = e.params?.additionalProperty ? ` ('${String(e.params.additionalProperty)}')` : "";
  return `${where} ${e.message ?? "is invalid"}${extra}`;
}
