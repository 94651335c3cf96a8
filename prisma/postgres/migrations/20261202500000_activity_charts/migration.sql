-- The Admin Panel's overview: activity over time and active sessions by device type, read from two
-- small tables kept by triggers instead of aggregating every event or session on each page view.
--
-- AuthEventHour: per event type and UTC hour, how many rows the events stand for (an event's count,
-- 1 when it has none: a bulk revocation of N sessions counts N). It mirrors "AuthEvent" exactly:
-- inserts add, deletes (any retention, an operator's plain SQL) subtract, updates move the
-- difference (a repeated failed sign-in grows its row's count). "day" is the hour's UTC day, so a
-- month reads back as 30 rows per type. "shard" (from the event's id) spreads the sign-ins of one
-- hour over 4 rows, so concurrent sign-in transactions rarely wait on each other's row lock.
--
-- Session.deviceType: desktop, mobile, tablet or other, from the user agent at sign-in (NULL:
-- unknown, as for sessions from before). UserDeviceCount holds, per user, device type and sign-in
-- credential, the sessions not yet revoked: the same rule as UserSessionCount, with the device type
-- in the key.

-- AlterTable
ALTER TABLE "Session" ADD COLUMN "deviceType" TEXT;

-- CreateTable
CREATE TABLE "AuthEventHour" (
    "type" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
    "shard" INTEGER NOT NULL,
    "events" INTEGER NOT NULL,

    CONSTRAINT "AuthEventHour_pkey" PRIMARY KEY ("type", "hour", "shard")
);

-- CreateTable
CREATE TABLE "UserDeviceCount" (
    "userId" TEXT NOT NULL,
    "deviceType" TEXT NOT NULL,
    "authMethod" TEXT NOT NULL,
    "keyFingerprint" TEXT NOT NULL,
    "sessions" INTEGER NOT NULL,

    CONSTRAINT "UserDeviceCount_pkey" PRIMARY KEY ("userId", "deviceType", "authMethod", "keyFingerprint")
);

-- Rewritten often, like UserSessionCount: room on each page keeps the updates HOT.
ALTER TABLE "AuthEventHour" SET (fillfactor = 50);
ALTER TABLE "UserDeviceCount" SET (fillfactor = 50);

-- Statement-level triggers with transition tables, as for UserSessionCount: one grouped write per
-- affected row of the rollup, in key order (no deadlock between two bulk statements).
CREATE FUNCTION "AuthEventHour_apply"("keys_type" TEXT[], "keys_hour" TIMESTAMPTZ[], "keys_shard" INTEGER[], "deltas" INTEGER[])
RETURNS void LANGUAGE sql AS $$
    INSERT INTO "AuthEventHour" AS h ("type", "hour", "day", "shard", "events")
    SELECT d."type", d."hour", date_trunc('day', d."hour", 'UTC'), d."shard", d."delta"
      FROM unnest("keys_type", "keys_hour", "keys_shard", "deltas") AS d("type", "hour", "shard", "delta") ORDER BY 1, 2, 4
    ON CONFLICT ("type", "hour", "shard") DO UPDATE SET "events" = h."events" + EXCLUDED."events";
    DELETE FROM "AuthEventHour" h
     USING unnest("keys_type", "keys_hour", "keys_shard", "deltas") AS d("type", "hour", "shard", "delta")
     WHERE d."delta" < 0 AND h."events" <= 0 AND h."type" = d."type" AND h."hour" = d."hour" AND h."shard" = d."shard";
$$;

CREATE FUNCTION "AuthEvent_hour_events"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    "t" TEXT[];
    "h" TIMESTAMPTZ[];
    "s" INTEGER[];
    "n" INTEGER[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg("type"), array_agg("hour"), array_agg("shard"), array_agg("delta") INTO "t", "h", "s", "n"
          FROM (SELECT "type", date_trunc('hour', "at", 'UTC') AS "hour", (hashtext("id") & 3) AS "shard", SUM(COALESCE("count", 1))::int AS "delta"
                  FROM "new_events" GROUP BY 1, 2, 3) AS d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg("type"), array_agg("hour"), array_agg("shard"), array_agg("delta") INTO "t", "h", "s", "n"
          FROM (SELECT "type", date_trunc('hour', "at", 'UTC') AS "hour", (hashtext("id") & 3) AS "shard", -SUM(COALESCE("count", 1))::int AS "delta"
                  FROM "old_events" GROUP BY 1, 2, 3) AS d;
    ELSE
        SELECT array_agg("type"), array_agg("hour"), array_agg("shard"), array_agg("delta") INTO "t", "h", "s", "n"
          FROM (SELECT "type", "hour", "shard", SUM("events")::int AS "delta"
                  FROM (SELECT "type", date_trunc('hour', "at", 'UTC') AS "hour", (hashtext("id") & 3) AS "shard", COALESCE("count", 1) AS "events"
                          FROM "new_events"
                        UNION ALL
                        SELECT "type", date_trunc('hour', "at", 'UTC'), (hashtext("id") & 3), -COALESCE("count", 1)
                          FROM "old_events") AS changes
                 GROUP BY 1, 2, 3
                HAVING SUM("events") <> 0) AS d;
    END IF;
    IF "t" IS NOT NULL THEN
        PERFORM "AuthEventHour_apply"("t", "h", "s", "n");
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "AuthEvent_hour_insert" AFTER INSERT ON "AuthEvent"
    REFERENCING NEW TABLE AS "new_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "AuthEvent_hour_events"();

CREATE TRIGGER "AuthEvent_hour_update" AFTER UPDATE ON "AuthEvent"
    REFERENCING OLD TABLE AS "old_events" NEW TABLE AS "new_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "AuthEvent_hour_events"();

CREATE TRIGGER "AuthEvent_hour_delete" AFTER DELETE ON "AuthEvent"
    REFERENCING OLD TABLE AS "old_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "AuthEvent_hour_events"();

CREATE FUNCTION "AuthEvent_hour_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "AuthEventHour";
    RETURN NULL;
END;
$$;

CREATE TRIGGER "AuthEvent_hour_truncate" AFTER TRUNCATE ON "AuthEvent"
    FOR EACH STATEMENT EXECUTE FUNCTION "AuthEvent_hour_truncate"();

-- The same conditions as the UserSessionCount triggers (20261202000000), with the device type in the key.
CREATE FUNCTION "UserDeviceCount_apply"("keys_userId" TEXT[], "keys_deviceType" TEXT[], "keys_authMethod" TEXT[], "keys_keyFingerprint" TEXT[], "deltas" INTEGER[])
RETURNS void LANGUAGE sql AS $$
    INSERT INTO "UserDeviceCount" AS c ("userId", "deviceType", "authMethod", "keyFingerprint", "sessions")
    SELECT * FROM unnest("keys_userId", "keys_deviceType", "keys_authMethod", "keys_keyFingerprint", "deltas") ORDER BY 1, 2, 3, 4
    ON CONFLICT ("userId", "deviceType", "authMethod", "keyFingerprint") DO UPDATE SET "sessions" = c."sessions" + EXCLUDED."sessions";
    DELETE FROM "UserDeviceCount" c
     USING unnest("keys_userId", "keys_deviceType", "keys_authMethod", "keys_keyFingerprint", "deltas") AS d("userId", "deviceType", "authMethod", "keyFingerprint", "delta")
     WHERE d."delta" < 0 AND c."sessions" <= 0 AND c."userId" = d."userId" AND c."deviceType" = d."deviceType"
       AND c."authMethod" = d."authMethod" AND c."keyFingerprint" = d."keyFingerprint";
$$;

CREATE FUNCTION "Session_device_count"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    "u" TEXT[];
    "d" TEXT[];
    "m" TEXT[];
    "f" TEXT[];
    "n" INTEGER[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg("userId"), array_agg("dt"), array_agg("authMethod"), array_agg("fp"), array_agg("delta") INTO "u", "d", "m", "f", "n"
          FROM (SELECT "userId", COALESCE("deviceType", 'unknown') AS "dt", "authMethod", COALESCE("keyFingerprint", '') AS "fp", COUNT(*)::int AS "delta"
                  FROM "new_sessions" WHERE "revokedAt" IS NULL GROUP BY 1, 2, 3, 4) AS x;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg("userId"), array_agg("dt"), array_agg("authMethod"), array_agg("fp"), array_agg("delta") INTO "u", "d", "m", "f", "n"
          FROM (SELECT "userId", COALESCE("deviceType", 'unknown') AS "dt", "authMethod", COALESCE("keyFingerprint", '') AS "fp", -COUNT(*)::int AS "delta"
                  FROM "old_sessions" WHERE "revokedAt" IS NULL GROUP BY 1, 2, 3, 4) AS x;
    ELSE
        -- Most updates (activity, token rotation) move nothing: the deltas cancel out and no count row is touched.
        SELECT array_agg("userId"), array_agg("dt"), array_agg("authMethod"), array_agg("fp"), array_agg("delta") INTO "u", "d", "m", "f", "n"
          FROM (SELECT "userId", "dt", "authMethod", "fp", SUM("one")::int AS "delta"
                  FROM (SELECT "userId", COALESCE("deviceType", 'unknown') AS "dt", "authMethod", COALESCE("keyFingerprint", '') AS "fp", 1 AS "one"
                          FROM "new_sessions" WHERE "revokedAt" IS NULL
                        UNION ALL
                        SELECT "userId", COALESCE("deviceType", 'unknown'), "authMethod", COALESCE("keyFingerprint", ''), -1
                          FROM "old_sessions" WHERE "revokedAt" IS NULL) AS changes
                 GROUP BY 1, 2, 3, 4
                HAVING SUM("one") <> 0) AS x;
    END IF;
    IF "u" IS NOT NULL THEN
        PERFORM "UserDeviceCount_apply"("u", "d", "m", "f", "n");
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "Session_device_count_insert" AFTER INSERT ON "Session"
    REFERENCING NEW TABLE AS "new_sessions"
    FOR EACH STATEMENT EXECUTE FUNCTION "Session_device_count"();

CREATE TRIGGER "Session_device_count_update" AFTER UPDATE ON "Session"
    REFERENCING OLD TABLE AS "old_sessions" NEW TABLE AS "new_sessions"
    FOR EACH STATEMENT EXECUTE FUNCTION "Session_device_count"();

CREATE TRIGGER "Session_device_count_delete" AFTER DELETE ON "Session"
    REFERENCING OLD TABLE AS "old_sessions"
    FOR EACH STATEMENT EXECUTE FUNCTION "Session_device_count"();

CREATE FUNCTION "Session_device_count_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "UserDeviceCount";
    RETURN NULL;
END;
$$;

CREATE TRIGGER "Session_device_count_truncate" AFTER TRUNCATE ON "Session"
    FOR EACH STATEMENT EXECUTE FUNCTION "Session_device_count_truncate"();

-- Backfill, in the migration's transaction: CREATE TRIGGER took locks that hold writers back until
-- the migration commits, so nothing is missed or counted twice.
INSERT INTO "AuthEventHour" ("type", "hour", "day", "shard", "events")
SELECT "type", date_trunc('hour', "at", 'UTC'), date_trunc('day', "at", 'UTC'), (hashtext("id") & 3), SUM(COALESCE("count", 1))::int
  FROM "AuthEvent"
 GROUP BY 1, 2, 3, 4;

INSERT INTO "UserDeviceCount" ("userId", "deviceType", "authMethod", "keyFingerprint", "sessions")
SELECT "userId", 'unknown', "authMethod", COALESCE("keyFingerprint", ''), COUNT(*)::int
  FROM "Session"
 WHERE "revokedAt" IS NULL
 GROUP BY 1, 3, 4;
