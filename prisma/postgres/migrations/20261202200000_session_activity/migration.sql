-- Where each session is used from: the last address, place and user agent on "Session" (written
-- with the throttled activity update), and the distinct (address, user agent) pairs with first and
-- last seen in "SessionActivity" (at most 20 per session; '' stands for unknown, so the pair can be
-- the key). Existing sessions start with their sign-in as their one entry.

-- AlterTable
ALTER TABLE "Session" ADD COLUMN "lastIpAddress" TEXT,
                      ADD COLUMN "lastCountry" TEXT,
                      ADD COLUMN "lastCity" TEXT,
                      ADD COLUMN "lastUserAgent" TEXT;
UPDATE "Session" SET "lastIpAddress" = "ipAddress", "lastCountry" = "country", "lastCity" = "city", "lastUserAgent" = "userAgent";

-- CreateTable
CREATE TABLE "SessionActivity" (
    "sessionId" TEXT NOT NULL,
    "ipAddress" TEXT NOT NULL DEFAULT '',
    "userAgent" TEXT NOT NULL DEFAULT '',
    "country" TEXT,
    "city" TEXT,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SessionActivity_pkey" PRIMARY KEY ("sessionId", "ipAddress", "userAgent")
);

-- CreateIndex
CREATE INDEX "SessionActivity_sessionId_lastSeenAt_idx" ON "SessionActivity"("sessionId", "lastSeenAt");

-- AddForeignKey
ALTER TABLE "SessionActivity" ADD CONSTRAINT "SessionActivity_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "SessionActivity" ("sessionId", "ipAddress", "userAgent", "country", "city", "firstSeenAt", "lastSeenAt")
SELECT "id", COALESCE("ipAddress", ''), COALESCE("userAgent", ''), "country", "city", "createdAt", "lastActiveAt" FROM "Session";
