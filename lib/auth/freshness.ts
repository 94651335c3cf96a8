import type { Config } from "../config";
import { recordAuthEvent } from "../audit";
import { TRANSACTION_LIMITS, type Database } from "../db";
import { fail } from "../errors";
import { rotateSessionToken, type CurrentSession, type CurrentUser } from "../sessions/sessions";
import type { RequestInfo } from "../request/types";
import { keyFingerprint, keysMatch } from "./keys";
import { reauthenticationLimitKeys, takeLoginAttempt } from "./rate-limit";

/**
 * Destructive admin actions (revoke a whole user, everyone; disable a user) need a credential proved
 * within DASHBOARD_FRESH_MINUTES — a stolen, long-lived cookie alone is not enough. What proves it
 * is the admin's OWN credential: static admins type the admin key again; SSO admins sign in again
 * at the identity provider (prompt=login, max_age=0). The shared user key never re-authenticates
 * anyone.
 */
export const isFreshSignIn = (config: Config, authenticatedAt: Date, now = new Date()) =>
  now.getTime() - authenticatedAt.getTime() <= config.freshMinutes * 60_000;

/** What this admin must do before a destructive action: nothing, type the admin key, or go to the identity provider. */
export type Reauthentication = "none" | "admin_key" | "identity_provider";

export function reauthenticationFor(config: Config, session: Pick<CurrentSession, "authMethod" | "authenticatedAt">, now = new Date()): Reauthentication {
  if (isFreshSignIn(config, session.authenticatedAt, now)) return "none";
  return session.authMethod === "oidc" ? "identity_provider" : "admin_key";
}

/**
 * The gate in front of every destructive admin action. Passes when the admin's credential is fresh;
 * otherwise accepts only the admin key from a static admin. A wrong key counts against the sign-in
 * limiter (per username and address, 429 once exhausted) and is audited. A right key replaces the
 * session's token (a new token after re-authentication, ASVS 5 7.2.4): the caller must set the
 * returned token as the new cookie.
 */
export async function confirmFreshSignIn(
  db: Database,
  config: Config,
  admin: { session: CurrentSession; user: CurrentUser },
  typedKey: string | undefined,
  request: RequestInfo,
  now = new Date(),
): Promise<{ token: string } | null> {
  const needed = reauthenticationFor(config, admin.session, now);
  if (needed === "none") return null;
  if (needed === "identity_provider") {
    // No key can stand in for the provider's sign-in, so none is even compared.
    throw fail("reauthentication_required", { freshMinutes: config.freshMinutes, via: "identity_provider" });
  }
  if (typedKey === undefined || typedKey === "") {
    throw fail("reauthentication_required", { freshMinutes: config.freshMinutes, via: "admin_key" });
  }
  const audit = {
    type: "reauth.failed" as const,
    username: admin.user.username,
    userId: admin.user.id,
    sessionId: admin.session.id,
    authMethod: admin.session.authMethod,
    actor: admin.user.username,
    ip: request.ip,
    userAgent: request.userAgent,
    at: now,
  };
  const limitKeys = reauthenticationLimitKeys(admin.session.id, request.ip);
  const attempt = await takeLoginAttempt(db, config, limitKeys, now);
  if (!attempt.allowed) {
    await recordAuthEvent(db, { ...audit, detail: "rate limited" });
    throw fail("rate_limited", { retryAfterSeconds: attempt.retryAfter });
  }
  if (!keysMatch(typedKey, config.adminKey)) {
    await recordAuthEvent(db, { ...audit, detail: "wrong admin key" });
    throw fail("wrong_key");
  }
  await db.prisma.$transaction(attempt.succeeded(db.prisma), TRANSACTION_LIMITS);
  return rotateSessionToken(db, admin, { keyFingerprint: keyFingerprint(config.secrets[0], config.adminKey), proof: "admin key" }, request, now);
}
