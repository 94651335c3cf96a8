-- UserSessionCount: how many not-yet-revoked sessions each user holds, per sign-in credential
-- (authMethod, and the key fingerprint of a static session; '' when there is none). The Admin
-- Panel's counters and its "more than N sessions" filter read this small table instead of
-- scanning every session, then subtract the few expired rows cleanup has not deleted yet.
-- It is derived data: the triggers below keep it, whoever writes "Session" (the app, the CLI, an
-- operator's plain SQL, the cascade from deleting a user). No foreign key: the Session triggers
-- alone decide its rows, so a user's rows go when their sessions do.
-- A later migration that redefines "Session" (SQLite drops a table's triggers with it) must
-- create these triggers again.

-- CreateTable
CREATE TABLE "UserSessionCount" (
    "userId" TEXT NOT NULL,
    "authMethod" TEXT NOT NULL,
    "keyFingerprint" TEXT NOT NULL,
    "sessions" INTEGER NOT NULL,

    PRIMARY KEY ("userId", "authMethod", "keyFingerprint")
);

-- A session counts from its insertion until it is revoked or deleted.
CREATE TRIGGER "Session_count_insert" AFTER INSERT ON "Session"
WHEN NEW."revokedAt" IS NULL
BEGIN
    INSERT INTO "UserSessionCount" ("userId", "authMethod", "keyFingerprint", "sessions")
    VALUES (NEW."userId", NEW."authMethod", COALESCE(NEW."keyFingerprint", ''), 1)
    ON CONFLICT ("userId", "authMethod", "keyFingerprint") DO UPDATE SET "sessions" = "sessions" + 1;
END;

CREATE TRIGGER "Session_count_delete" AFTER DELETE ON "Session"
WHEN OLD."revokedAt" IS NULL
BEGIN
    UPDATE "UserSessionCount" SET "sessions" = "sessions" - 1
     WHERE "userId" = OLD."userId" AND "authMethod" = OLD."authMethod" AND "keyFingerprint" = COALESCE(OLD."keyFingerprint", '');
    DELETE FROM "UserSessionCount"
     WHERE "userId" = OLD."userId" AND "authMethod" = OLD."authMethod" AND "keyFingerprint" = COALESCE(OLD."keyFingerprint", '')
       AND "sessions" <= 0;
END;

-- Only updates that touch these columns can move a session in or out of a count: the activity
-- writes on the hot path (lastActiveAt, expiresAt) do not fire it.
CREATE TRIGGER "Session_count_update" AFTER UPDATE OF "revokedAt", "userId", "authMethod", "keyFingerprint" ON "Session"
WHEN NOT (
    (OLD."revokedAt" IS NULL) = (NEW."revokedAt" IS NULL)
    AND (OLD."revokedAt" IS NOT NULL
         OR (OLD."userId" = NEW."userId" AND OLD."authMethod" = NEW."authMethod"
             AND COALESCE(OLD."keyFingerprint", '') = COALESCE(NEW."keyFingerprint", '')))
)
BEGIN
    UPDATE "UserSessionCount" SET "sessions" = "sessions" - 1
     WHERE OLD."revokedAt" IS NULL
       AND "userId" = OLD."userId" AND "authMethod" = OLD."authMethod" AND "keyFingerprint" = COALESCE(OLD."keyFingerprint", '');
    DELETE FROM "UserSessionCount"
     WHERE OLD."revokedAt" IS NULL
       AND "userId" = OLD."userId" AND "authMethod" = OLD."authMethod" AND "keyFingerprint" = COALESCE(OLD."keyFingerprint", '')
       AND "sessions" <= 0;
    INSERT INTO "UserSessionCount" ("userId", "authMethod", "keyFingerprint", "sessions")
    SELECT NEW."userId", NEW."authMethod", COALESCE(NEW."keyFingerprint", ''), 1 WHERE NEW."revokedAt" IS NULL
    ON CONFLICT ("userId", "authMethod", "keyFingerprint") DO UPDATE SET "sessions" = "sessions" + 1;
END;

-- Backfill: the sessions that exist now.
INSERT INTO "UserSessionCount" ("userId", "authMethod", "keyFingerprint", "sessions")
SELECT "userId", "authMethod", COALESCE("keyFingerprint", ''), COUNT(*)
  FROM "Session"
 WHERE "revokedAt" IS NULL
 GROUP BY "userId", "authMethod", COALESCE("keyFingerprint", '');
