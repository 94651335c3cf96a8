-- UserSessionCount: how many not-yet-revoked sessions each user holds, per sign-in credential
-- (authMethod, and the key fingerprint of a static session; '' when there is none). The Admin
-- Panel's counters and its "more than N sessions" filter read this small table instead of
-- scanning every session, then subtract the few expired rows cleanup has not deleted yet.
-- It is derived data: the triggers below keep it, whoever writes "Session" (the app, the CLI, an
-- operator's plain SQL, the cascade from deleting a user). No foreign key: the Session triggers
-- alone decide its rows, so a user's rows go when their sessions do.

-- CreateTable
CREATE TABLE "UserSessionCount" (
    "userId" TEXT NOT NULL,
    "authMethod" TEXT NOT NULL,
    "keyFingerprint" TEXT NOT NULL,
    "sessions" INTEGER NOT NULL,

    CONSTRAINT "UserSessionCount_pkey" PRIMARY KEY ("userId","authMethod","keyFingerprint")
);

-- Statement-level triggers with transition tables: a statement that inserts, revokes or deletes
-- thousands of sessions (force logout, cleanup, a user's deletion) costs one grouped write per
-- affected count row, not one per session. Count rows are written in key order, so two such
-- statements running at once queue on each other instead of deadlocking.
CREATE FUNCTION "UserSessionCount_apply"("keys_userId" TEXT[], "keys_authMethod" TEXT[], "keys_keyFingerprint" TEXT[], "deltas" INTEGER[])
RETURNS void LANGUAGE sql AS $$
    INSERT INTO "UserSessionCount" AS c ("userId", "authMethod", "keyFingerprint", "sessions")
    SELECT * FROM unnest("keys_userId", "keys_authMethod", "keys_keyFingerprint", "deltas") ORDER BY 1, 2, 3
    ON CONFLICT ("userId", "authMethod", "keyFingerprint") DO UPDATE SET "sessions" = c."sessions" + EXCLUDED."sessions";
    DELETE FROM "UserSessionCount" c
     USING unnest("keys_userId", "keys_authMethod", "keys_keyFingerprint", "deltas") AS d("userId", "authMethod", "keyFingerprint", "delta")
     WHERE d."delta" < 0 AND c."sessions" <= 0
       AND c."userId" = d."userId" AND c."authMethod" = d."authMethod" AND c."keyFingerprint" = d."keyFingerprint";
$$;

CREATE FUNCTION "Session_count_sessions"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    "u" TEXT[];
    "m" TEXT[];
    "f" TEXT[];
    "n" INTEGER[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg("userId"), array_agg("authMethod"), array_agg("fp"), array_agg("delta") INTO "u", "m", "f", "n"
          FROM (SELECT "userId", "authMethod", COALESCE("keyFingerprint", '') AS "fp", COUNT(*)::int AS "delta"
                  FROM "new_sessions" WHERE "revokedAt" IS NULL GROUP BY 1, 2, 3) AS d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg("userId"), array_agg("authMethod"), array_agg("fp"), array_agg("delta") INTO "u", "m", "f", "n"
          FROM (SELECT "userId", "authMethod", COALESCE("keyFingerprint", '') AS "fp", -COUNT(*)::int AS "delta"
                  FROM "old_sessions" WHERE "revokedAt" IS NULL GROUP BY 1, 2, 3) AS d;
    ELSE
        -- Most updates (activity, token rotation) move nothing: the deltas cancel out and no count row is touched.
        SELECT array_agg("userId"), array_agg("authMethod"), array_agg("fp"), array_agg("delta") INTO "u", "m", "f", "n"
          FROM (SELECT "userId", "authMethod", "fp", SUM("one")::int AS "delta"
                  FROM (SELECT "userId", "authMethod", COALESCE("keyFingerprint", '') AS "fp", 1 AS "one"
                          FROM "new_sessions" WHERE "revokedAt" IS NULL
                        UNION ALL
                        SELECT "userId", "authMethod", COALESCE("keyFingerprint", '') AS "fp", -1 AS "one"
                          FROM "old_sessions" WHERE "revokedAt" IS NULL) AS changes
                 GROUP BY 1, 2, 3
                HAVING SUM("one") <> 0) AS d;
    END IF;
    IF "u" IS NOT NULL THEN
        PERFORM "UserSessionCount_apply"("u", "m", "f", "n");
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "Session_count_insert" AFTER INSERT ON "Session"
    REFERENCING NEW TABLE AS "new_sessions"
    FOR EACH STATEMENT EXECUTE FUNCTION "Session_count_sessions"();

CREATE TRIGGER "Session_count_update" AFTER UPDATE ON "Session"
    REFERENCING OLD TABLE AS "old_sessions" NEW TABLE AS "new_sessions"
    FOR EACH STATEMENT EXECUTE FUNCTION "Session_count_sessions"();

CREATE TRIGGER "Session_count_delete" AFTER DELETE ON "Session"
    REFERENCING OLD TABLE AS "old_sessions"
    FOR EACH STATEMENT EXECUTE FUNCTION "Session_count_sessions"();

-- TRUNCATE fires no delete triggers: an emptied "Session" table means no counts.
CREATE FUNCTION "Session_count_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "UserSessionCount";
    RETURN NULL;
END;
$$;

CREATE TRIGGER "Session_count_truncate" AFTER TRUNCATE ON "Session"
    FOR EACH STATEMENT EXECUTE FUNCTION "Session_count_truncate"();

-- Backfill, in the migration's transaction: CREATE TRIGGER took a lock that holds writers to
-- "Session" back until the migration commits, so no session is missed or counted twice.
INSERT INTO "UserSessionCount" ("userId", "authMethod", "keyFingerprint", "sessions")
SELECT "userId", "authMethod", COALESCE("keyFingerprint", ''), COUNT(*)::int
  FROM "Session"
 WHERE "revokedAt" IS NULL
 GROUP BY 1, 2, 3;
