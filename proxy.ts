import { NextResponse, type NextRequest } from "next/server";
import { getConfig, type Config } from "@/lib/config";
import { decodeSessionCookie, isSecureDeployment, sessionCookieName, sessionCookieOptions } from "@/lib/auth/cookie";
import { databaseAvailable } from "@/lib/db/availability";
import { ApiError, errorResponse, methodNotAllowed, undecodablePath } from "@/lib/http/errors";
import { PAGE_ALLOW, refusedMethod } from "@/lib/http/methods";
import { isDecodablePath, REQUEST_PATH_HEADER } from "@/lib/http/request-path";
import { safeReturnPath } from "@/lib/http/return-path";
import { isSameOriginRequest } from "@/lib/http/same-origin";
import { withTransportSecurity } from "@/lib/http/transport-security";
import { unavailableJson, unavailablePage } from "@/lib/http/unavailable-response";

/**
 * Thin on purpose — no queries here while the database is up. It refuses addresses that do not
 * decode (400) and methods no page serves (405), refuses cross-site state changes (CSRF), answers
 * 503 during a database outage (a JSON error for the API, a page for browsers), gives pages a
 * per-request CSP nonce, keeps a Remember Me cookie's lifetime sliding as pages are visited, and
 * sends Strict-Transport-Security on an https deployment.
 *
 * HSTS is set here because this is the one place that sees every page and API response (its own
 * answers, and route and page responses via NextResponse.next()) with the runtime configuration:
 * next.config.js headers are fixed at build time, before DASHBOARD_URL is known, and server.mjs is
 * not used under `next start`. Static assets skip the proxy; HSTS is a policy for the whole host,
 * which the browser learns from the page that loads them.
 */
export async function proxy(request: NextRequest) {
  const config = getConfig();
  return withTransportSecurity(await handle(request, config), config);
}

const isApiPath = (pathname: string) => pathname === "/api" || pathname.startsWith("/api/");

async function handle(request: NextRequest, config: Config): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  if (!isDecodablePath(pathname)) return errorResponse(undecodablePath());
  const api = isApiPath(pathname);
  // A method no route can serve (see server.mjs): API routes answer it with their own Allow.
  const refused = refusedMethod(request);
  if (refused && !api) return errorResponse(methodNotAllowed(refused, PAGE_ALLOW));
  if (!isSameOriginRequest(request.method, request.headers, config.publicUrl.origin)) {
    return errorResponse(new ApiError(403, "cross_site_request", "Cross-site requests are not allowed"));
  }
  // /api/health reports an outage itself. Pages that meet a database failure while rendering send
  // the browser to /unavailable.
  if (pathname !== "/api/health") {
    if (pathname === "/unavailable") {
      // Always the 503 page (it reloads the page it came from): a database that is only slow starts
      // no outage, and redirecting straight back would loop.
      return unavailablePage(safeReturnPath(request.nextUrl.searchParams.get("next")), newNonce());
    }
    if (!(await databaseAvailable())) return api ? unavailableJson() : unavailablePage(pathname + search, newNonce());
  }
  if (api) return NextResponse.next();

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
  const pageLoad = (request.headers.get("sec-fetch-dest") ?? "document") === "document" && !request.headers.has("rsc");
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
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
