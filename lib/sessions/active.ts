import type { Config } from "../config";
import { currentFingerprints } from "../auth/keys";
import type { Prisma } from "../db";
import type { SessionState } from "../validation/sessions";

/**
 * The rows that still work at `now`: not revoked, within both expiries, and — for static-key
 * sessions — signed in with a key that is still configured. Listings and revocations use this, so
 * a session that would end at its next request is neither shown nor counted.
 */
export function activeSessionWhere(config: Config, now: Date): Prisma.SessionWhereInput {
  const prints = currentFingerprints(config);
  return {
    // Written NOT (revokedAt IS NOT NULL): SQLite (no statistics) takes a plain IS NULL for a selective
    // equality on the revokedAt index and then sorts half the table; this way listings
    // walk their ordered index. PostgreSQL reads it as IS NULL.
    NOT: { revokedAt: { not: null } },
    expiresAt: { gt: now },
    absoluteExpiresAt: { gt: now },
    OR: [{ authMethod: "oidc" }, { keyFingerprint: { in: [...prints.user, ...prints.admin] } }],
  };
}

/**
 * The rows that have ended: marked ended (revokedAt), or past an expiry that cleanup has not marked
 * yet. (A static session whose key changed is in neither this nor activeSessionWhere until its next
 * request marks it.)
 */
export function endedSessionWhere(now: Date): Prisma.SessionWhereInput {
  return { OR: [{ revokedAt: { not: null } }, { expiresAt: { lte: now } }, { absoluteExpiresAt: { lte: now } }] };
}

/** A list's ?state=: active (activeSessionWhere), ended (endedSessionWhere) or all. */
export function sessionStateWhere(config: Config, state: SessionState, now: Date): Prisma.SessionWhereInput {
  if (state === "active") return activeSessionWhere(config, now);
  if (state === "ended") return endedSessionWhere(now);
  return {};
}
