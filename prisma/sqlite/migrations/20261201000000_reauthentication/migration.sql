-- Session.authenticatedAt: when the person last proved a credential (sign-in or re-authentication).
-- Destructive admin actions check it; existing sessions take their sign-in time.
-- SQLite cannot add a NOT NULL column without a default, so the table is redefined as Prisma does.

-- RedefineTables
CREATE TABLE "new_Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tokenHash" TEXT NOT NULL,
    "tokenHint" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "authMethod" TEXT NOT NULL,
    "ipAddress" TEXT,
    "country" TEXT,
    "city" TEXT,
    "userAgent" TEXT,
    "rememberMe" BOOLEAN NOT NULL DEFAULT false,
    "keyFingerprint" TEXT,
    "oidcSid" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "authenticatedAt" DATETIME NOT NULL,
    "lastActiveAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "absoluteExpiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "revokedBy" TEXT,
    "revokeReason" TEXT,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Session" ("id", "tokenHash", "tokenHint", "userId", "authMethod", "ipAddress", "country", "city", "userAgent", "rememberMe", "keyFingerprint", "oidcSid", "createdAt", "authenticatedAt", "lastActiveAt", "expiresAt", "absoluteExpiresAt", "revokedAt", "revokedBy", "revokeReason")
SELECT "id", "tokenHash", "tokenHint", "userId", "authMethod", "ipAddress", "country", "city", "userAgent", "rememberMe", "keyFingerprint", "oidcSid", "createdAt", "createdAt", "lastActiveAt", "expiresAt", "absoluteExpiresAt", "revokedAt", "revokedBy", "revokeReason" FROM "Session";
DROP TABLE "Session";
ALTER TABLE "new_Session" RENAME TO "Session";
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");
CREATE INDEX "Session_userId_lastActiveAt_idx" ON "Session"("userId", "lastActiveAt");
CREATE INDEX "Session_userId_createdAt_idx" ON "Session"("userId", "createdAt");
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");
CREATE INDEX "Session_lastActiveAt_id_idx" ON "Session"("lastActiveAt", "id");
CREATE INDEX "Session_createdAt_id_idx" ON "Session"("createdAt", "id");
CREATE INDEX "Session_ipAddress_idx" ON "Session"("ipAddress");
CREATE INDEX "Session_oidcSid_idx" ON "Session"("oidcSid");
