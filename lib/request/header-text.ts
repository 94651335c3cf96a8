import { plainText } from "../validation/text";

/**
 * A header's text as its sender wrote it: Node reads header bytes as Latin-1, so raw UTF-8 ("München"
 * arrives as "MÃ¼nchen") is decoded back when it is valid UTF-8; then cleaned and bounded, as all
 * text from outside (plainText). Null when nothing is left.
 */
export function headerText(value: string | null, max: number): string | null {
  if (!value) return null;
  // Printable ASCII, as nearly every User-Agent is: nothing to decode or clean (≈ 0.1 µs, not 0.7).
  if (/^[\x20-\x7e]*$/.test(value)) return value.trim().slice(0, max) || null;
  let text = value;
  if (/^[\x00-\xff]*$/.test(text) && /[\x80-\xff]/.test(text)) {
    const utf8 = Buffer.from(text, "latin1").toString("utf8");
    if (!utf8.includes("\uFFFD")) text = utf8;
  }
  return plainText(text, max);
}
