-- The identity provider's refresh and ID tokens of each SSO session, sealed (AES-256-GCM, key from
-- DASHBOARD_SECRET) by the app before they are written: kept to re-check access and to sign out at
-- the provider. Deleted with the session.

-- CreateTable
CREATE TABLE "SsoTokens" (
    "sessionId" TEXT NOT NULL,
    "refreshToken" TEXT,
    "idToken" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "checkedAt" TIMESTAMPTZ(3) NOT NULL,
    "failingSince" TIMESTAMPTZ(3),
    "refreshingUntil" TIMESTAMPTZ(3),

    CONSTRAINT "SsoTokens_pkey" PRIMARY KEY ("sessionId")
);

-- CreateIndex
CREATE INDEX "SsoTokens_checkedAt_idx" ON "SsoTokens"("checkedAt");

-- AddForeignKey
ALTER TABLE "SsoTokens" ADD CONSTRAINT "SsoTokens_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
