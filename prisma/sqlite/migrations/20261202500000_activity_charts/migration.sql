-- The Admin Panel's overview: activity over time and active sessions by device type, read from two
-- small tables kept by triggers instead of aggregating every event or session on each page view.
--
-- AuthEventHour: per event type and UTC hour, how many rows the events stand for (an event's count,
-- 1 when it has none: a bulk revocation of N sessions counts N). It mirrors "AuthEvent" exactly:
-- inserts add, deletes (any retention, an operator's plain SQL) subtract, updates move the
-- difference (a repeated failed sign-in grows its row's count). "day" is the hour's UTC day, so a
-- month reads back as 30 rows per type. "shard" spreads concurrent writers of one hour over several
-- rows on PostgreSQL; SQLite has a single writer and always writes 0.
--
-- Session.deviceType: desktop, mobile, tablet or other, from the user agent at sign-in (NULL:
-- unknown, as for sessions from before). UserDeviceCount holds, per user, device type and sign-in
-- credential, the sessions not yet revoked: the same rule as UserSessionCount, with the device type
-- in the key. A later migration that redefines "Session" must create these triggers again.

-- AlterTable
ALTER TABLE "Session" ADD COLUMN "deviceType" TEXT;

-- CreateTable
CREATE TABLE "AuthEventHour" (
    "type" TEXT NOT NULL,
    "hour" DATETIME NOT NULL,
    "day" DATETIME NOT NULL,
    "shard" INTEGER NOT NULL,
    "events" INTEGER NOT NULL,

    PRIMARY KEY ("type", "hour", "shard")
);

-- CreateTable
CREATE TABLE "UserDeviceCount" (
    "userId" TEXT NOT NULL,
    "deviceType" TEXT NOT NULL,
    "authMethod" TEXT NOT NULL,
    "keyFingerprint" TEXT NOT NULL,
    "sessions" INTEGER NOT NULL,

    PRIMARY KEY ("userId", "deviceType", "authMethod", "keyFingerprint")
);

-- Times are stored as ISO text ("2026-12-02T15:32:23.000+00:00"); strftime reads any offset and
-- writes UTC. A time written as Unix milliseconds (an operator's plain SQL) is read as such.
CREATE TRIGGER "AuthEvent_hour_insert" AFTER INSERT ON "AuthEvent"
BEGIN
    INSERT INTO "AuthEventHour" ("type", "hour", "day", "shard", "events")
    VALUES (NEW."type",
            CASE WHEN typeof(NEW."at") IN ('integer', 'real') THEN strftime('%Y-%m-%dT%H:00:00.000+00:00', NEW."at" / 1000, 'unixepoch')
                 ELSE strftime('%Y-%m-%dT%H:00:00.000+00:00', NEW."at") END,
            CASE WHEN typeof(NEW."at") IN ('integer', 'real') THEN strftime('%Y-%m-%dT00:00:00.000+00:00', NEW."at" / 1000, 'unixepoch')
                 ELSE strftime('%Y-%m-%dT00:00:00.000+00:00', NEW."at") END,
            0, COALESCE(NEW."count", 1))
    ON CONFLICT ("type", "hour", "shard") DO UPDATE SET "events" = "events" + excluded."events";
END;

CREATE TRIGGER "AuthEvent_hour_delete" AFTER DELETE ON "AuthEvent"
BEGIN
    UPDATE "AuthEventHour" SET "events" = "events" - COALESCE(OLD."count", 1)
     WHERE "type" = OLD."type" AND "shard" = 0
       AND "hour" = CASE WHEN typeof(OLD."at") IN ('integer', 'real') THEN strftime('%Y-%m-%dT%H:00:00.000+00:00', OLD."at" / 1000, 'unixepoch')
                         ELSE strftime('%Y-%m-%dT%H:00:00.000+00:00', OLD."at") END;
    DELETE FROM "AuthEventHour"
     WHERE "type" = OLD."type" AND "shard" = 0 AND "events" <= 0
       AND "hour" = CASE WHEN typeof(OLD."at") IN ('integer', 'real') THEN strftime('%Y-%m-%dT%H:00:00.000+00:00', OLD."at" / 1000, 'unixepoch')
                         ELSE strftime('%Y-%m-%dT%H:00:00.000+00:00', OLD."at") END;
END;

CREATE TRIGGER "AuthEvent_hour_update" AFTER UPDATE OF "type", "at", "count" ON "AuthEvent"
BEGIN
    UPDATE "AuthEventHour" SET "events" = "events" - COALESCE(OLD."count", 1)
     WHERE "type" = OLD."type" AND "shard" = 0
       AND "hour" = CASE WHEN typeof(OLD."at") IN ('integer', 'real') THEN strftime('%Y-%m-%dT%H:00:00.000+00:00', OLD."at" / 1000, 'unixepoch')
                         ELSE strftime('%Y-%m-%dT%H:00:00.000+00:00', OLD."at") END;
    INSERT INTO "AuthEventHour" ("type", "hour", "day", "shard", "events")
    VALUES (NEW."type",
            CASE WHEN typeof(NEW."at") IN ('integer', 'real') THEN strftime('%Y-%m-%dT%H:00:00.000+00:00', NEW."at" / 1000, 'unixepoch')
                 ELSE strftime('%Y-%m-%dT%H:00:00.000+00:00', NEW."at") END,
            CASE WHEN typeof(NEW."at") IN ('integer', 'real') THEN strftime('%Y-%m-%dT00:00:00.000+00:00', NEW."at" / 1000, 'unixepoch')
                 ELSE strftime('%Y-%m-%dT00:00:00.000+00:00', NEW."at") END,
            0, COALESCE(NEW."count", 1))
    ON CONFLICT ("type", "hour", "shard") DO UPDATE SET "events" = "events" + excluded."events";
    DELETE FROM "AuthEventHour" WHERE "type" = OLD."type" AND "shard" = 0 AND "events" <= 0;
END;

-- The same conditions as the UserSessionCount triggers (20261202000000), with the device type in the key.
CREATE TRIGGER "Session_device_count_insert" AFTER INSERT ON "Session"
WHEN NEW."revokedAt" IS NULL
BEGIN
    INSERT INTO "UserDeviceCount" ("userId", "deviceType", "authMethod", "keyFingerprint", "sessions")
    VALUES (NEW."userId", COALESCE(NEW."deviceType", 'unknown'), NEW."authMethod", COALESCE(NEW."keyFingerprint", ''), 1)
    ON CONFLICT ("userId", "deviceType", "authMethod", "keyFingerprint") DO UPDATE SET "sessions" = "sessions" + 1;
END;

CREATE TRIGGER "Session_device_count_delete" AFTER DELETE ON "Session"
WHEN OLD."revokedAt" IS NULL
BEGIN
    UPDATE "UserDeviceCount" SET "sessions" = "sessions" - 1
     WHERE "userId" = OLD."userId" AND "deviceType" = COALESCE(OLD."deviceType", 'unknown')
       AND "authMethod" = OLD."authMethod" AND "keyFingerprint" = COALESCE(OLD."keyFingerprint", '');
    DELETE FROM "UserDeviceCount"
     WHERE "userId" = OLD."userId" AND "deviceType" = COALESCE(OLD."deviceType", 'unknown')
       AND "authMethod" = OLD."authMethod" AND "keyFingerprint" = COALESCE(OLD."keyFingerprint", '')
       AND "sessions" <= 0;
END;

CREATE TRIGGER "Session_device_count_update" AFTER UPDATE OF "revokedAt", "userId", "deviceType", "authMethod", "keyFingerprint" ON "Session"
WHEN NOT (
    (OLD."revokedAt" IS NULL) = (NEW."revokedAt" IS NULL)
    AND (OLD."revokedAt" IS NOT NULL
         OR (OLD."userId" = NEW."userId" AND OLD."authMethod" = NEW."authMethod"
             AND COALESCE(OLD."deviceType", 'unknown') = COALESCE(NEW."deviceType", 'unknown')
             AND COALESCE(OLD."keyFingerprint", '') = COALESCE(NEW."keyFingerprint", '')))
)
BEGIN
    UPDATE "UserDeviceCount" SET "sessions" = "sessions" - 1
     WHERE OLD."revokedAt" IS NULL
       AND "userId" = OLD."userId" AND "deviceType" = COALESCE(OLD."deviceType", 'unknown')
       AND "authMethod" = OLD."authMethod" AND "keyFingerprint" = COALESCE(OLD."keyFingerprint", '');
    DELETE FROM "UserDeviceCount"
     WHERE OLD."revokedAt" IS NULL
       AND "userId" = OLD."userId" AND "deviceType" = COALESCE(OLD."deviceType", 'unknown')
       AND "authMethod" = OLD."authMethod" AND "keyFingerprint" = COALESCE(OLD."keyFingerprint", '')
       AND "sessions" <= 0;
    INSERT INTO "UserDeviceCount" ("userId", "deviceType", "authMethod", "keyFingerprint", "sessions")
    SELECT NEW."userId", COALESCE(NEW."deviceType", 'unknown'), NEW."authMethod", COALESCE(NEW."keyFingerprint", ''), 1 WHERE NEW."revokedAt" IS NULL
    ON CONFLICT ("userId", "deviceType", "authMethod", "keyFingerprint") DO UPDATE SET "sessions" = "sessions" + 1;
END;

-- Backfill: the events and sessions that exist now.
INSERT INTO "AuthEventHour" ("type", "hour", "day", "shard", "events")
SELECT "type", "hour", MIN("day"), 0, SUM("events")
  FROM (SELECT "type",
               CASE WHEN typeof("at") IN ('integer', 'real') THEN strftime('%Y-%m-%dT%H:00:00.000+00:00', "at" / 1000, 'unixepoch')
                    ELSE strftime('%Y-%m-%dT%H:00:00.000+00:00', "at") END AS "hour",
               CASE WHEN typeof("at") IN ('integer', 'real') THEN strftime('%Y-%m-%dT00:00:00.000+00:00', "at" / 1000, 'unixepoch')
                    ELSE strftime('%Y-%m-%dT00:00:00.000+00:00', "at") END AS "day",
               COALESCE("count", 1) AS "events"
          FROM "AuthEvent")
 GROUP BY "type", "hour";

INSERT INTO "UserDeviceCount" ("userId", "deviceType", "authMethod", "keyFingerprint", "sessions")
SELECT "userId", 'unknown', "authMethod", COALESCE("keyFingerprint", ''), COUNT(*)
  FROM "Session"
 WHERE "revokedAt" IS NULL
 GROUP BY "userId", "authMethod", COALESCE("keyFingerprint", '');
