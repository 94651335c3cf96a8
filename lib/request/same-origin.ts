import type { HeaderSource } from "./types";

/**
 * CSRF rule for state-changing requests: a browser request must come from our own origin, the
 * scheme, host and port of DASHBOARD_URL — compared whole and exactly (browsers send the origin
 * serialised the same way). The Host header is never consulted: a client or a misconfigured proxy
 * chooses it, and it carries no scheme, so it would let an http:// page post to an https
 * deployment. Browsers always send Origin (or Sec-Fetch-Site) on cross-site POSTs; requests with
 * neither are not from a browser page and carry no ambient-cookie risk beyond what the caller
 * already holds.
 */
export function isSameOriginRequest(
  method: string,
  headers: HeaderSource,
  allowedOrigin: string,
): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return true;
  const origin = headers.get("origin");
  if (origin !== null) return origin === allowedOrigin;
  const site = headers.get("sec-fetch-site");
  return site === null || site === "same-origin" || site === "none";
}
