import { NextResponse, type NextRequest } from "next/server";
import { getConfig, type Config } from "@/lib/config";
import { decodeSessionCookie, isSecureDeployment, sessionCookieName, sessionCookieOptions } from "@/lib/sessions/cookie";
import { databaseAvailable } from "@/lib/db/availability";
import { crossSiteRequest, errorResponse, hostMismatch, methodNotAllowed } from "@/lib/http/errors";
import { pagePostProblem, unreadablePagePost } from "@/lib/http/page-post";
import { PAGE_ALLOW, refusedMethod } from "@/lib/http/methods";
import { REQUEST_PATH_HEADER } from "@/lib/http/request-path";
import { safeReturnPath } from "@/lib/request/return-path";
import { isSameOriginRequest, namesOwnHost } from "@/lib/request/same-origin";
import { withTransportSecurity } from "@/lib/http/transport-security";
import { unavailablePage } from "@/lib/http/unavailable-response";

/**
 * Pages only — API routes are excluded by the matcher (Next's middleware costs ≈ 480 µs a request
 * here) and get the same rules from their wrapper, apiRoute. Thin on purpose: no queries here
 * while the database is up. It refuses methods no page serves (405), cross-site state changes
 * (CSRF) and posts Next.js would fail on with a 500 (another Host, not a form, too large, a body
 * it cannot decode); it answers the 503 page during a database outage, gives pages a per-request
 * CSP nonce, keeps a Remember Me cookie's lifetime sliding as pages are visited, and sends
 * Strict-Transport-Security on an https deployment (next.config.js headers are fixed at build
 * time, before DASHBOARD_URL is known).
 */
export async function proxy(request: NextRequest) {
  const config = getConfig();
  return withTransportSecurity(await handle(request, config), config);
}

async function handle(request: NextRequest, config: Config): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  // A method no page can serve (see server.mjs).
  const refused = refusedMethod(request);
  if (refused) return errorResponse(methodNotAllowed(refused, PAGE_ALLOW));
  if (!isSameOriginRequest(request.method, request.headers, config.publicUrl.origin)) return errorResponse(crossSiteRequest());
  if (!namesOwnHost(request.method, request.headers, config.publicUrl.host)) return errorResponse(hostMismatch());
  const badPost = pagePostProblem(request.method, request.headers) ?? (await unreadablePagePost(request));
  if (badPost) return errorResponse(badPost);
  if (pathname === "/unavailable") {
    // Always the 503 page (it reloads the page it came from): a database that is only slow starts
    // no outage, and redirecting straight back would loop.
    return unavailablePage(safeReturnPath(request.nextUrl.searchParams.get("next")), newNonce());
  }
  // Pages that meet a database failure while rendering send the browser to /unavailable.
  if (!(await databaseAvailable())) return unavailablePage(pathname + search, newNonce());

  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce, isSecureDeployment(config), config.oidc?.issuer.origin ?? null);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set(REQUEST_PATH_HEADER, pathname + search);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);

  // Page views extend the browser's copy of a persistent cookie; the server-side expiry slides
  // in the session check. Routes under /api/auth set and clear the cookie themselves. Only full
  // page loads do it: a link prefetch still in flight when Log out clears the cookie would
  // otherwise set it again.
  // (Next hides its router's own headers, RSC among them, from the proxy: the fetch destination tells.)
  const pageLoad = (request.headers.get("sec-fetch-dest") ?? "document") === "document";
  if (request.method === "GET" && pageLoad) {
    const name = sessionCookieName(config);
    const value = request.cookies.get(name)?.value;
    if (decodeSessionCookie(config, value)?.persistent) {
      response.cookies.set(name, value as string, sessionCookieOptions(config, true));
    }
  }
  return response;
}

const newNonce = () => Buffer.from(crypto.randomUUID()).toString("base64");

/** `formOrigin`: the identity provider, which the SSO form's redirect must be allowed to reach. */
function contentSecurityPolicy(nonce: string, https: boolean, formOrigin: string | null): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action 'self'${formOrigin ? ` ${formOrigin}` : ""}`,
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export const config = {
  // Not /api (apiRoute applies the same rules there), nor the files served as they are.
  // Anchored: /robots.txtx or /favicon.ico.bak are pages (a 404) and get the proxy's rules.
  matcher: ["/((?!api(?:/|$)|_next/static/|_next/image$|favicon\\.ico$|robots\\.txt$).*)"],
};
