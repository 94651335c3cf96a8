import type { NextResponse } from "next/server";
import type { Config } from "../config";
import {
  encodeSessionCookie,
  expiredSessionCookieOptions,
  sessionCookieName,
  sessionCookieOptions,
  type SessionCookie,
} from "../auth/cookie";

export function setSessionCookie(response: NextResponse, config: Config, cookie: SessionCookie): void {
  response.cookies.set(sessionCookieName(config), encodeSessionCookie(config, cookie), sessionCookieOptions(config, cookie.persistent));
}

export function clearSessionCookie(response: NextResponse, config: Config): void {
  response.cookies.set(sessionCookieName(config), "", expiredSessionCookieOptions(config));
}
