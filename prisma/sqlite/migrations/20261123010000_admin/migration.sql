-- Disabled accounts: their sessions end and new sign-ins are refused until an admin enables them.
ALTER TABLE "User" ADD COLUMN "disabledAt" DATETIME;
ALTER TABLE "User" ADD COLUMN "disabledBy" TEXT;

-- How many rows an audit event stands for (cleanup runs, bulk revocations).
ALTER TABLE "AuthEvent" ADD COLUMN "count" INTEGER;

-- Admin listings: keyset pages over all sessions by last activity or by sign-in time, and IP filters.
CREATE INDEX "Session_lastActiveAt_id_idx" ON "Session"("lastActiveAt", "id");
CREATE INDEX "Session_createdAt_id_idx" ON "Session"("createdAt", "id");
CREATE INDEX "Session_ipAddress_idx" ON "Session"("ipAddress");
CREATE INDEX "Session_userId_createdAt_idx" ON "Session"("userId", "createdAt");
