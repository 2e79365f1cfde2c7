// A percent file's `jupyter:` YAML header (jupytext's) as notebook metadata. The YAML parser
// loads only for files that have such a header.
import { createRequire } from "node:module";
import { KernelkitError } from "@kernelkit/core";

const require = createRequire(import.meta.url);

export function yamlModule(): typeof import("yaml") {
  return require("yaml") as typeof import("yaml");
}

export function percentHeaderMetadata(yaml: string, pathArg: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = yamlModule().parse(yaml);
  } catch (error) {
    throw new KernelkitError(
      "KK_NOTEBOOK_HEADER",
      `${pathArg}: the '---' header is not valid YAML (${(error as Error).message.split("\n")[0]})`,
      { hint: "Fix the header's YAML, or remove the header." },
    );
  }
  const jupyter = (doc as { jupyter?: unknown } | null)?.jupyter;
  return jupyter && typeof jupyter === "object" && !Array.isArray(jupyter)
    ? (jupyter as Record<string, unknown>)
    : {};
}
