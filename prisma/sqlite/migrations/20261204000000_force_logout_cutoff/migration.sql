-- A force logout of everyone holds at once: the session check reads this row (while there is one)
-- and refuses every session created at or before "at" but the one kept, before its row is marked.
CREATE TABLE "ForceLogoutCutoff" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL,
    "keepSessionId" TEXT,
    "revokedBy" TEXT NOT NULL,
    "revokeReason" TEXT NOT NULL,
    "endReason" TEXT NOT NULL
);
