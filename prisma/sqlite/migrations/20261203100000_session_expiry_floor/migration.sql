-- Force logout rewrote two random pages of the (revokedAt, expiresAt) index for every session it
-- ended: the row's entry left the not-ended range at its place in expiry order and entered the
-- ended range at another (measured at 1,000,000 sessions: 98 µs a row, 9.7 µs without that index).
-- Indexed apart, ending a batch of sessions (walked in rowid order, all with the same end) moves
-- neighbouring entries of the revokedAt index and leaves the expiresAt index alone.
--
-- What the composite index gave for free — the not-ended expired rows as one range, without the
-- ended history around them — comes from a kept bound instead: every session not ended expires at
-- or after "SessionExpiryFloor"."floor". Cleanup reads the expiries from the floor up to now, marks
-- them ended, then raises the floor to now (lib/sessions/cleanup.ts); the Admin Panel's lapsed-row
-- correction reads the same short range. The triggers below keep the bound true whoever writes
-- (the app, the CLI, an operator's plain SQL): a session written not ended and expiring before the
-- floor lowers it; and one written not ended and already expired also bumps "version", so that a
-- cleanup run that read the floor before that write, and whose walk may have passed the row, does
-- not raise the floor over it (its raise is a compare-and-set on "version"). Only the backend's own
-- statements read the table (lib/db/sqlite.ts), so it is not in the Prisma schema.

-- DropIndex
DROP INDEX "Session_revokedAt_expiresAt_idx";

-- CreateIndex
CREATE INDEX "Session_revokedAt_idx" ON "Session"("revokedAt");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- CreateTable
CREATE TABLE "SessionExpiryFloor" (
    "id" INTEGER NOT NULL PRIMARY KEY CHECK ("id" = 1),
    "floor" DATETIME NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0
);

-- The earliest expiry of a session not ended yet (the epoch when there is none).
INSERT INTO "SessionExpiryFloor" ("id", "floor")
SELECT 1, COALESCE(MIN("expiresAt"), '1970-01-01T00:00:00.000+00:00') FROM "Session" WHERE "revokedAt" IS NULL;

-- The current time in the stored format (toSqliteDate), so that text order is time order.
CREATE TRIGGER "Session_expiry_floor_insert" AFTER INSERT ON "Session"
WHEN NEW."revokedAt" IS NULL
 AND (NEW."expiresAt" < (SELECT "floor" FROM "SessionExpiryFloor" WHERE "id" = 1)
      OR NEW."expiresAt" <= strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))
BEGIN
    UPDATE "SessionExpiryFloor" SET "floor" = MIN("floor", NEW."expiresAt"), "version" = "version" + 1 WHERE "id" = 1;
END;

-- The same test and the same write on update (SQLite has no trigger for both). The activity write
-- (a new expiresAt in the future, at most once a minute per session) passes its test and writes nothing.
CREATE TRIGGER "Session_expiry_floor_update" AFTER UPDATE OF "expiresAt", "revokedAt" ON "Session"
WHEN NEW."revokedAt" IS NULL
 AND (NEW."expiresAt" < (SELECT "floor" FROM "SessionExpiryFloor" WHERE "id" = 1)
      OR NEW."expiresAt" <= strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))
BEGIN
    UPDATE "SessionExpiryFloor" SET "floor" = MIN("floor", NEW."expiresAt"), "version" = "version" + 1 WHERE "id" = 1;
END;
