-- New-device alerts: the devices each user signed in from (browser family, OS family, address
-- network; '' when unknown) with first and last seen, kept apart from sessions so that ended
-- sessions still count; and the alerts raised for sign-ins from a device not used in 90 days.

-- CreateTable
CREATE TABLE "KnownDevice" (
    "userId" TEXT NOT NULL,
    "browserFamily" TEXT NOT NULL,
    "osFamily" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "KnownDevice_pkey" PRIMARY KEY ("userId", "browserFamily", "osFamily", "network")
);

-- CreateTable
CREATE TABLE "SessionAlert" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "browserFamily" TEXT,
    "osFamily" TEXT,
    "ipAddress" TEXT,
    "country" TEXT,
    "city" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "dismissedAt" TIMESTAMPTZ(3),
    "reportedAt" TIMESTAMPTZ(3),
    "reportTokenHash" TEXT,
    "reportTokenExpiresAt" TIMESTAMPTZ(3),
    "reportTokenUsedAt" TIMESTAMPTZ(3),

    CONSTRAINT "SessionAlert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "KnownDevice_lastSeenAt_idx" ON "KnownDevice"("lastSeenAt");

-- CreateIndex
CREATE UNIQUE INDEX "SessionAlert_reportTokenHash_key" ON "SessionAlert"("reportTokenHash");

-- CreateIndex
CREATE INDEX "SessionAlert_userId_createdAt_idx" ON "SessionAlert"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "SessionAlert_sessionId_idx" ON "SessionAlert"("sessionId");

-- CreateIndex
CREATE INDEX "SessionAlert_createdAt_idx" ON "SessionAlert"("createdAt");

-- AddForeignKey
ALTER TABLE "KnownDevice" ADD CONSTRAINT "KnownDevice_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SessionAlert" ADD CONSTRAINT "SessionAlert_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
