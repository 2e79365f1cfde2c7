// Jupyter counts cursor positions in Unicode code points; kernelkit's protocol (like
// JavaScript strings) in UTF-16 code units.

/** Code-point offset → UTF-16 offset in `text` (clamped to its length). */
export function codePointsToUtf16(text: string, cp: number): number {
  let i = 0;
  let n = 0;
  while (i < text.length && n < cp) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    n++;
  }
  return i;
}

/** UTF-16 offset → code-point offset. */
export function utf16ToCodePoints(text: string, u16: number): number {
  let n = 0;
  let i = 0;
  const end = Math.min(u16, text.length);
  while (i < end) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    n++;
  }
  return n;
}
