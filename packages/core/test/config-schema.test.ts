// kernelkit.schema.json (for editors) is generated from the config schema; this test keeps the
// published file in step with it. Regenerate with UPDATE_SCHEMA=1 npx vitest run packages/core/test/config-schema.test.ts
import { readFileSync, writeFileSync } from "node:fs";
import { toJsonSchema } from "@valibot/to-json-schema";
import { describe, expect, it } from "vitest";
import { configSchemas } from "../src/index.ts";

const FILE = new URL("../kernelkit.schema.json", import.meta.url);

function generate(): string {
  const schema = toJsonSchema(configSchemas().ConfigSchema as never, { errorMode: "ignore" }) as Record<
    string,
    unknown
  >;
  return `${JSON.stringify(schema, null, 2)}\n`;
}

describe("kernelkit.schema.json", () => {
  it("is generated from the config schema", () => {
    const text = generate();
    if (process.env.UPDATE_SCHEMA) writeFileSync(FILE, text);
    // Compared as JSON: the formatter may lay the file out differently.
    expect(JSON.parse(readFileSync(FILE, "utf8"))).toEqual(JSON.parse(text));
  });

  it("describes every slot and rejects unknown types", () => {
    const schema = JSON.parse(readFileSync(FILE, "utf8"));
    expect(Object.keys(schema.properties)).toEqual([
      "$schema",
      "executor",
      "lifecycles",
      "scheduler",
      "transport",
      "plugins",
      "autorun",
      "mode",
      "strictPlugins",
      "log",
    ]);
    expect(schema.properties.autorun.type).toBe("boolean");
    expect(schema.properties.mode.enum).toEqual(["reactive", "sequential"]);
    expect(schema.properties.executor.anyOf).toHaveLength(4);
    expect(schema.properties.log.properties.level.enum).toContain("warn");
  });
});
