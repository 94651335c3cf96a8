/**
 * Free text from outside — an admin's reason, a name from the identity provider, a place from a
 * proxy — is one line without control characters. PostgreSQL refuses NUL in text outright, and the
 * others would break the log lines, the CSV export and the pages that show it. Input a person types
 * is refused (NO_CONTROL_CHARACTERS); what someone else sends on their behalf is cleaned
 * (plainText), since refusing it would lock them out for what they cannot change.
 *
 * Invisible formatting counts as control too: bidirectional embeddings, overrides, isolates and
 * marks reorder what a page, a log line or a CSV cell shows ("Trojan Source"), and zero-width
 * spaces, the word joiner and the byte-order mark make two different texts look the same. The
 * zero-width non-joiner and joiner (U+200C, U+200D) stay: Persian, Indic scripts and emoji need them.
 * The line and paragraph separators (U+2028, U+2029) break a line as a newline does.
 */
const CONTROL = String.raw`\p{Cc}\u061C\u200B\u200E\u200F\u2028\u2029\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF`;
/** Line breaks and tabs (controls too, or line and paragraph separators): cleaned into one space, so words stay apart. */
const BREAKS = new RegExp(String.raw`[\t\n\v\f\r\u0085\u2028\u2029]+`, "gu");

export const NO_CONTROL_CHARACTERS = new RegExp(`^[^${CONTROL}]*$`, "u");
/** Why an admin acts (kept on the row and in the audit trail): at most this many characters. */
export const REASON_MAX_LENGTH = 200;
const CONTROL_CHARACTERS = new RegExp(`[${CONTROL}]`, "gu");

/** `text` as one line without control characters, trimmed, at most `max` characters; null when nothing is left. */
export function plainText(text: string, max: number): string | null {
  const plain = text.replace(BREAKS, " ").replace(CONTROL_CHARACTERS, "").trim().slice(0, max);
  return plain === "" ? null : plain;
}
