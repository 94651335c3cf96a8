/**
 * Free text from outside — an admin's reason, a name from the identity provider, a place from a
 * proxy — is one line without control characters. PostgreSQL refuses NUL in text outright, and the
 * others would break the log lines, the CSV export and the pages that show it. Input a person types
 * is refused (NO_CONTROL_CHARACTERS); what someone else sends on their behalf is cleaned
 * (plainText), since refusing it would lock them out for what they cannot change.
 */
export const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;

/** `text` without control characters, trimmed, at most `max` characters; null when nothing is left. */
export function plainText(text: string, max: number): string | null {
  const plain = text.replace(/\p{Cc}/gu, "").trim().slice(0, max);
  return plain === "" ? null : plain;
}
