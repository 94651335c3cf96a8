/*
 * "Force logout everyone", which holds at once however many sessions it ends. It first writes a
 * cutoff (ForceLogoutCutoff): every session created at or before its time, and active then, is
 * ended — but the one it keeps (the acting admin's). From that write on, on every replica, the
 * session check refuses those sessions (it reads the cutoff in its one statement, see
 * Database.findSessionByTokenHash) and the lists and counters leave them out (activeSessionWhere,
 * ../admin/active-counts), whether or not their rows are marked yet. Then the rows are marked, in
 * short batches, and the cutoff is set `marked`: no longer read by the check and the lists, but kept
 * for the sign-ins stamped before it and written after all that (endIfForceLoggedOut).
 */
import { deleteEndedSessionsTokens } from "../auth/sso-tokens";
import type { SignedIn } from "../actor";
import { TRANSACTION_LIMITS, type Database } from "../db";
import { recordSessionsEnded } from "../metrics/metrics";
import type { RequestInfo } from "../request/types";
import { logger } from "../log";
import { withSpan } from "../tracing";
import { asForceLogout, pendingForceLogout, type PendingForceLogout } from "./active";
import { inTimedBatches, vacuumAfterBulkWrite } from "./bulk-batches";
import { auditBulkRevocation, endListedSessions, recordRevocation, type Revocation } from "./revoke";

/**
 * A cutoff older than this belongs to a force logout whose process stopped before it was done:
 * cleanup finishes it. (A running one marks 500,000 rows within a minute or two.)
 */
export const INTERRUPTED_FORCE_LOGOUT_MS = 15 * 60_000;

/**
 * The force logout in progress for a signed-in request's lists: the one its session check read in
 * its own statement (the same for every list of the request), or — for a caller that built the
 * SignedIn itself — one read now.
 */
export async function pendingForceLogoutFor(db: Database, signedIn: SignedIn): Promise<PendingForceLogout | null> {
  return signedIn.forceLogout !== undefined ? signedIn.forceLogout : pendingForceLogout(db);
}

/** Whether the pending force logout ends this session (created up to its time, active then, not the one kept). */
function endedByPending(pending: PendingForceLogout | null, row: { id: string; createdAt: Date; revokedAt: Date | null; expiresAt: Date; absoluteExpiresAt: Date }): boolean {
  if (!pending || row.revokedAt || row.id === pending.keepSessionId) return false;
  const at = pending.at.getTime();
  return row.createdAt.getTime() <= at && row.expiresAt.getTime() > at && row.absoluteExpiresAt.getTime() > at;
}

/** A row as the pending force logout will mark it (presentations of one session, before its row is marked). */
export function asMarked<Row extends { id: string; createdAt: Date; revokedAt: Date | null; expiresAt: Date; absoluteExpiresAt: Date; revokedBy: string | null; revokeReason: string | null; endReason: string | null }>(
  pending: PendingForceLogout | null,
  row: Row,
): Row {
  if (!pending || !endedByPending(pending, row)) return row;
  return { ...row, revokedAt: pending.at, revokedBy: pending.revokedBy, revokeReason: pending.revokeReason, endReason: pending.endReason };
}

/**
 * A force logout once it holds: `marked` resolves when its rows are marked (and, after many, the
 * table vacuumed), with how many it revoked, or rejects if the marking stopped part-way (the
 * sessions stay refused; cleanup finishes it).
 */
export type StartedForceLogout = { marked: Promise<number> };

/**
 * Ends every session created at or before `now` and active then, except `keep`. Returns once it
 * holds (the cutoff is written); the rows are then marked revoked like revokeSessions does, in keyset
 * batches (see revokeActiveSessionsBatch), one statement each on the backend's own driver (no id
 * lists through Prisma), sized by the time each takes (inTimedBatches) — sign-ins and session checks
 * run in between. Sessions signed in after `now` (by the clock of the replica they signed in on) are
 * not ended. Audited when marked, as one event carrying the count, so a million sessions do not mean
 * a million audit rows. `batchSize` fixes the batch size (tests).
 */
export async function startForceLogout(
  db: Database,
  by: Revocation,
  keep: string | null,
  request: RequestInfo,
  now = new Date(),
  options: { batchSize?: number } = {},
): Promise<StartedForceLogout> {
  const cutoff: PendingForceLogout = { at: now, keepSessionId: keep, revokedBy: by.actor.username, revokeReason: by.reason, endReason: by.cause };
  await holdCutoff(db, cutoff);
  // Each batch is a child span (db revokeActiveSessionsBatch) with the rows it revoked.
  const marked = withSpan("session.revoke_all", async (span) => {
    recordRevocation(span, by);
    const revoked = await markCutoff(db, cutoff, options);
    await auditBulkRevocation(db, "sessions.revoked_all", by, revoked, request, now);
    span?.setAttribute("session.revoked_count", revoked);
    await vacuumAfterBulkWrite(db, revoked);
    return revoked;
  });
  return { marked };
}

/** startForceLogout, waiting until its rows are marked: how many it revoked (the CLI, which exits after). */
export async function revokeEveryActiveSession(...args: Parameters<typeof startForceLogout>): Promise<number> {
  return (await startForceLogout(...args)).marked;
}

/**
 * For a caller that answers before the marking is done: a failure of the marking is logged, never
 * an unhandled rejection. The sessions stay refused meanwhile; cleanup finishes the marking.
 */
export function logMarkingFailure(marked: Promise<number>): Promise<void> {
  return marked.then(
    () => undefined,
    (error: unknown) => {
      logger().error({ err: error }, "Force logout stopped before all its sessions were marked; they are refused already, and cleanup will finish marking them");
    },
  );
}

/** Writes the cutoff, unless a later force logout's (which ends everything this one does) is there already. */
async function holdCutoff(db: Database, cutoff: PendingForceLogout): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    const held = await tx.forceLogoutCutoff.findUnique({ where: { id: 1 } });
    if (held && held.at >= cutoff.at) return;
    await tx.forceLogoutCutoff.upsert({ where: { id: 1 }, create: { id: 1, ...cutoff }, update: { ...cutoff, marked: false } });
  }, TRANSACTION_LIMITS);
}

/**
 * Marks the cutoff's sessions revoked, then the cutoff marked; returns how many it revoked. A sign-in
 * stamped before the cutoff but written after the walk had passed its place is ended by the sign-in
 * itself (endIfForceLoggedOut).
 */
async function markCutoff(db: Database, cutoff: PendingForceLogout, options: { batchSize?: number }): Promise<number> {
  const { at: now, keepSessionId: keep } = cutoff;
  let after: string | null = null;
  let revoked = 0;
  await inTimedBatches(db, "force_logout", async (limit) => {
    const batch = await db.revokeActiveSessionsBatch({ after, limit, now, keep, revokedBy: cutoff.revokedBy, reason: cutoff.revokeReason, cause: cutoff.endReason });
    revoked += batch.revoked;
    recordSessionsEnded(cutoff.endReason, batch.revoked);
    after = batch.last;
    return batch.last === null ? 0 : batch.picked;
    // A revoked row costs about 16 µs (SQLite) to 90 µs (PostgreSQL): a first batch of 1,000 stays near the target.
  }, options.batchSize !== undefined ? { fixed: options.batchSize } : { first: 1_000 });
  // The batches run on the backends' own statements; the ended sessions' provider tokens go here.
  await deleteEndedSessionsTokens(db, now);
  // Only this force logout's cutoff: a later one's stays pending until its own marking is done.
  await db.prisma.forceLogoutCutoff.updateMany({ where: { id: 1, at: now }, data: { marked: true } });
  return revoked;
}

/**
 * A new session, once written: ended as the last force logout ended the others when its sign-in
 * began before that force logout's time (and it is not the session kept). A sign-in is stamped when
 * its request begins and written when its transaction commits, which under load can come after the
 * force logout has marked its rows and stopped being read by the check. Read after the commit, the
 * force logout is either seen here or wrote its cutoff after this session was committed, and then
 * its marking met the session. Returns whether it ended the session.
 */
export async function endIfForceLoggedOut(db: Database, session: { id: string; createdAt: Date }): Promise<boolean> {
  const last = asForceLogout(await db.prisma.forceLogoutCutoff.findUnique({ where: { id: 1 } }));
  if (!last || session.createdAt.getTime() > last.at.getTime() || session.id === last.keepSessionId) return false;
  const by: Revocation = {
    actor: { username: last.revokedBy, sessionId: last.keepSessionId },
    cause: last.endReason,
    reason: last.revokeReason,
    detail: `scope: a sign-in begun before the force logout and written after it (session ${session.id}); reason: ${last.revokeReason}`,
  };
  const ended = await endListedSessions(db, [session.id], by, last.at);
  // Audited as its own part of that force logout, whose answer counted the sessions there were then.
  if (ended > 0) await auditBulkRevocation(db, "sessions.revoked_all", by, ended, { ip: null, userAgent: null }, new Date());
  return ended > 0;
}

/**
 * Cleanup's part: a force logout whose process stopped before its rows were all marked (its cutoff
 * older than INTERRUPTED_FORCE_LOGOUT_MS) is finished — rows marked as it would have, the cutoff
 * taken away, one audit event with the count marked here. Returns that count (0: nothing to finish).
 */
export async function finishInterruptedForceLogout(db: Database, now: Date): Promise<number> {
  const pending = await pendingForceLogout(db);
  if (!pending || pending.at.getTime() > now.getTime() - INTERRUPTED_FORCE_LOGOUT_MS) return 0;
  const by: Revocation = {
    actor: { username: pending.revokedBy, sessionId: pending.keepSessionId },
    cause: pending.endReason,
    reason: pending.revokeReason,
    detail: `finished by cleanup after an interruption; reason: ${pending.revokeReason}`,
  };
  const revoked = await markCutoff(db, pending, {});
  await auditBulkRevocation(db, "sessions.revoked_all", by, revoked, { ip: null, userAgent: null }, now);
  return revoked;
}
