// Values to mime bundles: text/plain is util.inspect's text (numbers, booleans and bigints take
// a shortcut that must print exactly the same), and the formatOutput extension still applies.
import { inspect } from "node:util";
import { formatValue } from "@kernelkit/core";
import { describe, expect, it } from "vitest";

describe("formatValue", () => {
  it("prints primitives exactly as util.inspect does", () => {
    const values: unknown[] = [
      0,
      -0,
      1,
      -1,
      2.5,
      1e21,
      1e-7,
      Number.MAX_SAFE_INTEGER,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      true,
      false,
      0n,
      -12n,
      123456789012345678901234567890n,
      "s",
      "it's",
      null,
    ];
    for (const v of values) expect(formatValue(v)).toEqual({ "text/plain": inspect(v) });
  });

  it("passes primitives through the extension too", () => {
    const seen: unknown[] = [];
    const bundle = formatValue(42, (b, v) => {
      seen.push(v);
      return { ...b, "text/html": "<b>42</b>" };
    });
    expect(seen).toEqual([42]);
    expect(bundle).toEqual({ "text/plain": "42", "text/html": "<b>42</b>" });
  });
});
