-- The ended sessions' lists (the Admin Panel's state=ended, Settings > Sessions' Recently ended),
-- most recently ended first. The Admin Panel read them through the (lastActiveAt, id) index of every
-- session, walking past all the active ones (the most recently active) to the first ended one:
-- 1.1-1.3 s at 1,000,000 sessions. Now a list of ended sessions is read in two parts, each in order
-- from an index (lib/sessions/active.ts, endedSessionParts): the expiries cleanup has not marked yet
-- by expiresAt (the expiresAt index from the expiry floor), and the rows marked ended by when they
-- ended, here. The id is the tie-breaker the lists page by: a force logout ends its 500,000 sessions
-- at one moment, and through the revokedAt index alone every page at that moment would sort all of
-- them. Partial: a session enters it when it is marked ended, so a sign-in writes nothing here, and
-- cleanup adds its entries in order (it marks in expiry order, each ending at its expiry); a force
-- logout's entries go in id order, not in the row order it walks, which costs its marking about
-- half as much time again (measured at 200,000 sessions: 1.5 s, 2.5 s with this index).

-- CreateIndex
CREATE INDEX "Session_ended_revokedAt_id_idx" ON "Session"("revokedAt", "id") WHERE "revokedAt" IS NOT NULL;
