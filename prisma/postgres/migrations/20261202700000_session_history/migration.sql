-- Ended sessions kept as history: every end (log out, revocation, expiry, key change, disabling,
-- back-channel logout, per-user limit) marks the row (revokedAt = when it ended, revokedBy = who
-- ended it) with its cause in "endReason"; cleanup deletes it SESSION_HISTORY_DAYS later.
-- The index on (revokedAt, expiresAt) replaces the one on expiresAt: not-ended expired rows (what
-- cleanup marks, and what the Admin Panel's figures subtract) and ended rows past the retention
-- (what cleanup deletes) are each one range of it, while the history rows stay out of the first.

-- AlterTable
ALTER TABLE "Session" ADD COLUMN "endReason" TEXT;

-- Sessions revoked before this release: their cause, as far as the stored words tell it.
UPDATE "Session" SET "endReason" = CASE
    WHEN "revokeReason" IN ('revoked by its owner', 'reported by its owner: not them') THEN 'revoked_by_user'
    WHEN "revokeReason" = 'signed out from another session' THEN 'revoked_all'
    WHEN "revokeReason" = 'session limit reached' THEN 'per_user_limit'
    WHEN "revokeReason" = 'signed out at the identity provider' THEN 'idp_logout'
    ELSE 'revoked_by_admin' END
 WHERE "revokedAt" IS NOT NULL;

-- DropIndex
DROP INDEX "Session_expiresAt_idx";

-- CreateIndex
CREATE INDEX "Session_revokedAt_expiresAt_idx" ON "Session"("revokedAt", "expiresAt");
