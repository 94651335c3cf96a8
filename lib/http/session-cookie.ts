import type { Config } from "../config";
import {
  encodeSessionCookie,
  expiredSessionCookieOptions,
  sessionCookieName,
  sessionCookieOptions,
  type CookieOptions,
  type SessionCookie,
} from "../auth/cookie";

/** Where a cookie is set: a route's `response.cookies`, or `cookies()` in a server action. */
export type CookieJar = { set(name: string, value: string, options: CookieOptions): unknown };

export function setSessionCookie(jar: CookieJar, config: Config, cookie: SessionCookie): void {
  jar.set(sessionCookieName(config), encodeSessionCookie(config, cookie), sessionCookieOptions(config, cookie.persistent));
}

export function clearSessionCookie(jar: CookieJar, config: Config): void {
  jar.set(sessionCookieName(config), "", expiredSessionCookieOptions(config));
}
