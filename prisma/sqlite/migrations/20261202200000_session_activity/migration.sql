-- Where each session is used from: the last address, place and user agent on "Session" (written
-- with the throttled activity update), and the distinct (address, user agent) pairs with first and
-- last seen in "SessionActivity" (at most 20 per session; "" stands for unknown, so the pair can be
-- the key). Existing sessions start with their sign-in as their one entry.

-- AlterTable
ALTER TABLE "Session" ADD COLUMN "lastIpAddress" TEXT;
ALTER TABLE "Session" ADD COLUMN "lastCountry" TEXT;
ALTER TABLE "Session" ADD COLUMN "lastCity" TEXT;
ALTER TABLE "Session" ADD COLUMN "lastUserAgent" TEXT;
UPDATE "Session" SET "lastIpAddress" = "ipAddress", "lastCountry" = "country", "lastCity" = "city", "lastUserAgent" = "userAgent";

-- CreateTable
CREATE TABLE "SessionActivity" (
    "sessionId" TEXT NOT NULL,
    "ipAddress" TEXT NOT NULL DEFAULT '',
    "userAgent" TEXT NOT NULL DEFAULT '',
    "country" TEXT,
    "city" TEXT,
    "firstSeenAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,

    PRIMARY KEY ("sessionId", "ipAddress", "userAgent"),
    CONSTRAINT "SessionActivity_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "SessionActivity_sessionId_lastSeenAt_idx" ON "SessionActivity"("sessionId", "lastSeenAt");

INSERT INTO "SessionActivity" ("sessionId", "ipAddress", "userAgent", "country", "city", "firstSeenAt", "lastSeenAt")
SELECT "id", COALESCE("ipAddress", ''), COALESCE("userAgent", ''), "country", "city", "createdAt", "lastActiveAt" FROM "Session";
