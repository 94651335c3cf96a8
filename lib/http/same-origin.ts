/**
 * CSRF rule for state-changing requests: a browser request must come from our own origin. Browsers
 * always send Origin (or Sec-Fetch-Site) on cross-site POSTs; requests with neither are not from a
 * browser page and carry no ambient-cookie risk beyond what the caller already holds.
 */
export function isSameOriginRequest(
  method: string,
  headers: { get(name: string): string | null },
  allowedOrigin: string,
): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return true;
  const origin = headers.get("origin");
  if (origin !== null) {
    if (origin === allowedOrigin) return true;
    const host = headers.get("host");
    try {
      return host !== null && new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  const site = headers.get("sec-fetch-site");
  return site === null || site === "same-origin" || site === "none";
}
