import { NextResponse } from "next/server";
import type { Config } from "../config";
import { loginErrorCookie } from "../auth/login-error";

/**
 * A 303 See Other. A path on this site (from a constant or `safeReturnPath`) goes out as a
 * relative Location, so the browser stays on the address it used. Never an absolute URL built from
 * the request: behind a reverse proxy or load balancer that names the replica (for example
 * http://localhost:3000), which the browser cannot reach. An absolute URL (the identity provider)
 * passes through.
 */
export function seeOther(target: string | URL): NextResponse {
  if (target instanceof URL) return NextResponse.redirect(target, 303);
  if (!target.startsWith("/") || target.startsWith("//") || target.startsWith("/\\")) {
    throw new Error(`seeOther: not a same-site path: ${target}`);
  }
  return new NextResponse(null, { status: 303, headers: { Location: target } });
}

/** A 303 to /login with these query parameters (undefined ones, and the default next "/", left out). */
export function seeOtherToLogin(params: Record<string, string | undefined>): NextResponse {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && !(name === "next" && value === "/")) query.set(name, value);
  }
  const search = query.toString();
  return seeOther(search ? `/login?${search}` : "/login");
}

/** A failed sign-in back to /login: the error in the query, and the cookie that lets the page believe it (lib/auth/login-error.ts). */
export function seeOtherToFailedLogin(config: Config, error: string, params: { next?: string; username?: string; retryAfter?: string } = {}): NextResponse {
  const response = seeOtherToLogin({ error, ...params });
  const cookie = loginErrorCookie(config, error, params.retryAfter);
  response.cookies.set(cookie.name, cookie.value, cookie.options);
  return response;
}
