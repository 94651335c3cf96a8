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

/**
 * Next.js runs a page's server action only when the Origin's host is the one X-Forwarded-Host (else
 * Host) names, and fails with a 500 otherwise. The Origin already had to be ours (above); a state
 * change whose Host names another address is refused here, with a 400 that says why — a client
 * chose that header, or a proxy in front rewrites it (keep it: nginx's `Host $http_host`). Without
 * an Origin too: one rule for every page post, whoever sends it.
 */
export function namesOwnHost(method: string, headers: HeaderSource, ownHost: string): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return true;
  const forwarded = headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  return (forwarded || headers.get("host")) === ownHost;
}
