import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import { purposeKeys } from "../secret-keys";
import { isSecureDeployment } from "../sessions/cookie";

/**
 * Why the last sign-in in this browser failed. /login says it from its query (`?error=`, with
 * `?retryAfter=` for a rate limit), so the form comes back filled in without JavaScript; but anyone
 * can write a query, and a link must not make someone's sign-in page say "This account is disabled"
 * or any other message of the product's. So the redirect that carries an error also sets this
 * cookie, an HMAC of the same words, for five minutes, and the page says the error only when the
 * cookie names it. The page's own state (the username to fill in, where to go next) is not a claim
 * and stays in the query alone.
 */
const TTL_SECONDS = 300;
const FORMAT = /^[A-Za-z0-9_-]{43}$/;

export const loginErrorCookieName = (config: Config) => (isSecureDeployment(config) ? "__Host-login_error" : "login_error");

const keys = (config: Config) => purposeKeys(config, "sessionboard:login-error");
const mac = (key: Buffer, error: string, retryAfter: string | undefined) => createHmac("sha256", key).update(JSON.stringify([error, retryAfter ?? null])).digest();

/** The cookie to set with a redirect to /login?error=`error` (&retryAfter=`retryAfter`). */
export function loginErrorCookie(config: Config, error: string, retryAfter: string | undefined) {
  return {
    name: loginErrorCookieName(config),
    value: mac(keys(config)[0], error, retryAfter).toString("base64url"),
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure: isSecureDeployment(config), maxAge: TTL_SECONDS },
  };
}

/** Whether this browser's cookie names this error: a sign-in here failed so, in the last five minutes. */
export function loginErrorHolds(config: Config, cookie: string | undefined, error: string, retryAfter: string | undefined): boolean {
  if (cookie === undefined || !FORMAT.test(cookie)) return false;
  // 43 base64url characters are always 32 bytes, a SHA-256's length: timingSafeEqual cannot throw.
  const given = Buffer.from(cookie, "base64url");
  return keys(config).some((key) => timingSafeEqual(mac(key, error, retryAfter), given));
}
