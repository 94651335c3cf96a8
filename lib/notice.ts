import type { Config } from "./config";
import { isSecureDeployment } from "./sessions/cookie";
import { seal, unseal } from "./sealed";
import { END_REASONS, isEndReason, type EndReason } from "./sessions/end-reasons";

/**
 * One-shot message for /login (why the previous session ended), sealed so it cannot be forged.
 * On https it is `__Host-` (Secure, Path=/, no Domain), like the session cookie.
 */
export const noticeCookieName = (config: Config) => (isSecureDeployment(config) ? "__Host-session_notice" : "session_notice");
const TTL_SECONDS = 300;

const noticeCookieOptions = (config: Config, maxAge: number) => ({
  httpOnly: true,
  sameSite: "lax" as const,
  path: "/",
  secure: isSecureDeployment(config),
  maxAge,
});

export async function sealNotice(config: Config, reason: EndReason) {
  return { name: noticeCookieName(config), value: await seal(config, { reason }, TTL_SECONDS), options: noticeCookieOptions(config, TTL_SECONDS) };
}

/** Clears the notice (a new sign-in). With the same attributes it was set with: a `__Host-` cookie is only replaced by one that is Secure too. */
export function clearNotice(jar: { set(name: string, value: string, options: ReturnType<typeof noticeCookieOptions>): unknown }, config: Config) {
  jar.set(noticeCookieName(config), "", noticeCookieOptions(config, 0));
}

export async function readNotice(config: Config, value: string | undefined): Promise<string | null> {
  const data = await unseal<{ reason: string }>(config, value, TTL_SECONDS);
  return data && isEndReason(data.reason) ? END_REASONS[data.reason] : null;
}
