import type { Config } from "../config";
import { currentFingerprints } from "../auth/keys";
import type { Prisma } from "../db";

/**
 * The rows that still work at `now`: not revoked, within both expiries, and — for static-key
 * sessions — signed in with a key that is still configured. Listings and revocations use this, so
 * a session that would end at its next request is neither shown nor counted.
 */
export function activeSessionWhere(config: Config, now: Date): Prisma.SessionWhereInput {
  const prints = currentFingerprints(config);
  return {
    revokedAt: null,
    expiresAt: { gt: now },
    absoluteExpiresAt: { gt: now },
    OR: [{ authMethod: "oidc" }, { keyFingerprint: { in: [...prints.user, ...prints.admin] } }],
  };
}
