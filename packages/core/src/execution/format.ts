// Turning values into mime bundles: a value's own `Symbol.for("kernelkit.display")`
// method first, `util.inspect` for text/plain, then the `formatOutput` hook.
import { inspect } from "node:util";
import { DISPLAY_SYMBOL, isMimeBundle, type MimeBundle } from "../contract/mime.ts";

export function plainText(value: unknown): string {
  if (typeof value === "string") return inspect(value);
  try {
    return inspect(value, {
      depth: 4,
      colors: false,
      maxArrayLength: 100,
      maxStringLength: 10_000,
      breakLength: 100,
    });
  } catch (error) {
    return `<uninspectable value: ${(error as Error)?.message ?? error}>`;
  }
}

/** The bundle a value offers itself, with text/plain added when missing. */
export function formatValue(
  value: unknown,
  extend?: (bundle: MimeBundle, value: unknown) => MimeBundle,
): MimeBundle {
  // Numbers, booleans and bigints print as util.inspect prints them, without its machinery.
  const t = typeof value;
  if (t === "number" || t === "boolean" || t === "bigint") {
    const text = Object.is(value, -0) ? "-0" : t === "bigint" ? `${value}n` : `${value}`;
    const plain: MimeBundle = { "text/plain": text };
    return extend ? extend(plain, value) : plain;
  }
  let bundle: MimeBundle;
  if (isMimeBundle(value)) bundle = { ...value };
  else {
    bundle = {};
    const own =
      value !== null && (typeof value === "object" || typeof value === "function")
        ? (value as Record<symbol, unknown>)[DISPLAY_SYMBOL]
        : undefined;
    if (typeof own === "function") {
      try {
        const offered = (own as () => unknown).call(value);
        if (offered && typeof offered === "object") Object.assign(bundle, offered);
      } catch (error) {
        bundle["text/plain"] = `<display method failed: ${(error as Error)?.message ?? error}>`;
      }
    }
  }
  if (typeof bundle["text/plain"] !== "string")
    bundle["text/plain"] = isMimeBundle(value) ? "" : plainText(value);
  for (const [k, v] of Object.entries(bundle)) {
    // Binary data (images) travels as base64, as in Jupyter.
    if (
      v instanceof Uint8Array ||
      (v && typeof v === "object" && (v as any).constructor?.name === "Buffer")
    ) {
      bundle[k] = Buffer.from(v as Uint8Array).toString("base64");
    }
  }
  return extend ? extend(bundle, value) : bundle;
}

/** Helpers that build values with rich output, also reachable in cells as `display.html(…)` etc. */
export const rich = {
  html: (html: string): object => richValue({ "text/html": html, "text/plain": stripTags(html) }),
  markdown: (md: string): object => richValue({ "text/markdown": md, "text/plain": md }),
  json: (value: unknown): object =>
    richValue({ "application/json": value, "text/plain": JSON.stringify(value, null, 2) ?? "undefined" }),
  image: (data: Uint8Array | string, mime = "image/png"): object =>
    richValue({
      [mime]: typeof data === "string" ? data : Buffer.from(data).toString("base64"),
      "text/plain": `<${mime} image>`,
    }),
  svg: (svg: string): object => richValue({ "image/svg+xml": svg, "text/plain": "<svg image>" }),
};

function richValue(bundle: MimeBundle): object {
  return { [DISPLAY_SYMBOL]: () => bundle, [inspect.custom]: () => bundle["text/plain"] };
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, "").trim() || "<html>";
}
