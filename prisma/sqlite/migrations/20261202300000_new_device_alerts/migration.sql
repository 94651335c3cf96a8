-- New-device alerts: the devices each user signed in from (browser family, OS family, address
-- network; '' when unknown) with first and last seen, kept apart from sessions so that ended
-- sessions still count; and the alerts raised for sign-ins from a device not used in 90 days.

-- CreateTable
CREATE TABLE "KnownDevice" (
    "userId" TEXT NOT NULL,
    "browserFamily" TEXT NOT NULL,
    "osFamily" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,

    PRIMARY KEY ("userId", "browserFamily", "osFamily", "network"),
    CONSTRAINT "KnownDevice_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SessionAlert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "browserFamily" TEXT,
    "osFamily" TEXT,
    "ipAddress" TEXT,
    "country" TEXT,
    "city" TEXT,
    "createdAt" DATETIME NOT NULL,
    "dismissedAt" DATETIME,
    "reportedAt" DATETIME,
    "reportTokenHash" TEXT,
    "reportTokenExpiresAt" DATETIME,
    "reportTokenUsedAt" DATETIME,
    CONSTRAINT "SessionAlert_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
