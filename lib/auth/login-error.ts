import type { Config } from "../config";
import { signsWords, signWords } from "../secret-keys";
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
const PURPOSE = "sessionboard:login-error";

export const loginErrorCookieName = (config: Config) => (isSecureDeployment(config) ? "__Host-login_error" : "login_error");

/** The cookie to set with a redirect to /login?error=`error` (&retryAfter=`retryAfter`). */
export function loginErrorCookie(config: Config, error: string, retryAfter: string | undefined) {
  return {
    name: loginErrorCookieName(config),
    value: signWords(config, PURPOSE, [error, retryAfter ?? null]),
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure: isSecureDeployment(config), maxAge: TTL_SECONDS },
  };
}

/** Whether this browser's cookie names this error: a sign-in here failed so, in the last five minutes. */
export function loginErrorHolds(config: Config, cookie: string | undefined, error: string, retryAfter: string | undefined): boolean {
  return signsWords(config, PURPOSE, [error, retryAfter ?? null], cookie);
}
