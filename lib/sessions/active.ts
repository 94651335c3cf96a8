import type { Config } from "../config";
import { currentFingerprints } from "../auth/keys";
import type { Prisma } from "../db";
import type { SessionState } from "../validation/sessions";
import type { SessionEndCause } from "./end-reasons";

/** A force logout whose rows are still being marked (see ./force-logout), as its cutoff row holds it. */
export type PendingForceLogout = { at: Date; keepSessionId: string | null; revokedBy: string; revokeReason: string; endReason: SessionEndCause };

/**
 * The rows that still work at `now`: not revoked, within both expiries, for static-key sessions
 * signed in with a key that is still configured, and not ended by a force logout whose rows are
 * still being marked (`pending`, see ./force-logout; null when none). Listings and revocations use
 * this, so a session that would end at its next request is neither shown nor counted.
 */
export function activeSessionWhere(config: Config, now: Date, pending: PendingForceLogout | null): Prisma.SessionWhereInput {
  const prints = currentFingerprints(config);
  const active: Prisma.SessionWhereInput = {
    // Written NOT (revokedAt IS NOT NULL): SQLite (no statistics) takes a plain IS NULL for a selective
    // equality on the revokedAt index and then sorts half the table; this way listings
    // walk their ordered index. PostgreSQL reads it as IS NULL.
    NOT: { revokedAt: { not: null } },
    expiresAt: { gt: now },
    absoluteExpiresAt: { gt: now },
    OR: [{ authMethod: "oidc" }, { keyFingerprint: { in: [...prints.user, ...prints.admin] } }],
  };
  if (!pending) return active;
  const kept = pending.keepSessionId ? [{ id: pending.keepSessionId }] : [];
  return { AND: [active, { OR: [{ createdAt: { gt: pending.at } }, ...kept] }] };
}

/**
 * The rows that have ended: marked ended (revokedAt), or past an expiry that cleanup has not marked
 * yet. (A static session whose key changed is in neither this nor activeSessionWhere until its next
 * request marks it.)
 */
export function endedSessionWhere(now: Date): Prisma.SessionWhereInput {
  return { OR: [{ revokedAt: { not: null } }, { expiresAt: { lte: now } }, { absoluteExpiresAt: { lte: now } }] };
}

/**
 * A list's ?state=: active (activeSessionWhere), ended (endedSessionWhere) or all. The sessions a
 * pending force logout ends are in "ended" once their rows are marked, within a minute or two.
 */
export function sessionStateWhere(config: Config, state: SessionState, now: Date, pending: PendingForceLogout | null): Prisma.SessionWhereInput {
  if (state === "active") return activeSessionWhere(config, now, pending);
  if (state === "ended") return endedSessionWhere(now);
  return {};
}
