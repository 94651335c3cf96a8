/** The longest return path kept: the forms that carry one refuse nothing shorter. */
export const MAX_RETURN_PATH = 2048;

/** Accepts only a same-site absolute path, so ?next= can never send someone to another site. */
export function safeReturnPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length > MAX_RETURN_PATH || !value.startsWith("/")) return fallback;
  if (value.startsWith("//") || value.startsWith("/\\") || /[\u0000-\u001f\\]/.test(value)) return fallback;
  try {
    const url = new URL(value, "http://sessionboard.invalid");
    const path = url.pathname + url.search + url.hash;
    // Dot segments can collapse "/.//host" into "//host"; check what normalisation produced too.
    if (url.origin !== "http://sessionboard.invalid" || path.startsWith("//") || path.startsWith("/\\")) return fallback;
    // Normalising percent-encodes what was not ASCII: "é" grows to "%C3%A9".
    return path.length > MAX_RETURN_PATH ? fallback : path;
  } catch {
    return fallback;
  }
}
