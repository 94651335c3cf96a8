-- The ended sessions' lists (the Admin Panel's state=ended, Settings > Sessions' Recently ended),
-- most recently ended first. The Admin Panel read them through the (lastActiveAt, id) index of every
-- session, walking past all the active ones (the most recently active) to the first ended one:
-- 1.1-1.3 s at 1,000,000 sessions. Now a list of ended sessions is read in two parts, each in order
-- from an index (lib/sessions/active.ts, endedSessionParts): the expiries cleanup has not marked yet
-- by expiresAt, and the rows marked ended by when they ended. The id is the tie-breaker the lists
-- page by: a force logout ends its 500,000 sessions at one moment, and without it every page at
-- that moment would sort all of them.
--
-- The two partial indexes below replace (revokedAt, expiresAt), so a write adds as many index
-- entries as before: a session written or touched not ended, one in the first (as it did in the
-- composite); a session marked ended, one in the second (its new version's composite entry). The
-- first serves all the composite's not-ended range did (the lapsed rows the counters subtract,
-- cleanup's marking in expiry order) and the expiries' part of the list in its order, which the
-- composite could not give: "revokedAt" IS NULL is no equality to the planner, so with statistics
-- that do not know the not-ended rows are the ones expiring later, the list's part read the whole
-- table (200,000 sessions: a parallel scan, 40 ms, for none). The second serves cleanup's deletion
-- of old ended rows, by end time, and the ended part of the list.

-- CreateIndex
CREATE INDEX "Session_notEnded_expiresAt_id_idx" ON "Session"("expiresAt", "id") WHERE "revokedAt" IS NULL;

-- CreateIndex
CREATE INDEX "Session_ended_revokedAt_id_idx" ON "Session"("revokedAt", "id") WHERE "revokedAt" IS NOT NULL;

-- DropIndex (last: it locks the table against readers too, until the migration commits)
DROP INDEX "Session_revokedAt_expiresAt_idx";
