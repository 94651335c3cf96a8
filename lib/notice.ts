import type { Config } from "./config";
import { isSecureDeployment } from "./auth/cookie";
import { seal, unseal } from "./sealed";
import { END_REASONS, isEndReason, type EndReason } from "./sessions/end-reasons";

/** One-shot message for /login (why the previous session ended), sealed so it cannot be forged. */
export const NOTICE_COOKIE = "session_notice";
const TTL_SECONDS = 300;

export async function sealNotice(config: Config, reason: EndReason) {
  return {
    name: NOTICE_COOKIE,
    value: await seal(config, { reason }, TTL_SECONDS),
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure: isSecureDeployment(config), maxAge: TTL_SECONDS },
  };
}

export async function readNotice(config: Config, value: string | undefined): Promise<string | null> {
  const data = await unseal<{ reason: string }>(config, value, TTL_SECONDS);
  return data && isEndReason(data.reason) ? END_REASONS[data.reason] : null;
}
