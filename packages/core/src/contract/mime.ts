// Mime bundles: how a value offers rich output, and how executors hand over formatted output.
/** mime type -> data; always has `text/plain` once formatted. */
export type MimeBundle = Record<string, unknown>;

export const MIME_BUNDLE_BRAND: unique symbol = Symbol.for("kernelkit.mimebundle") as never;

/** Marks an object as an already-formatted mime bundle (executors of other languages return these). */
export function mimeBundle(bundle: MimeBundle): MimeBundle {
  Object.defineProperty(bundle, MIME_BUNDLE_BRAND, { value: true, enumerable: false });
  return bundle;
}

export function isMimeBundle(value: unknown): value is MimeBundle {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[MIME_BUNDLE_BRAND] === true
  );
}

/** The key of the method a value implements to offer rich output. */
export const DISPLAY_SYMBOL: unique symbol = Symbol.for("kernelkit.display") as never;
