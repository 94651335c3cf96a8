import type { Span } from "@opentelemetry/api";
import { z } from "zod";
import { CLI_ACTOR, EMAIL_LINK_ACTOR, IDENTITY_PROVIDER_ACTOR, SYSTEM_ACTOR, type Actor } from "../actor";
import { authEventRow } from "../audit";
import { fail } from "../errors";
import { TRANSACTION_LIMITS, type Database, type Prisma } from "../db";
import type { RequestInfo } from "../request/types";
import { recordSessionsEnded } from "../metrics/metrics";
import { pendingForceLogout, revocableSessionWhere, type PendingForceLogout } from "./active";
import { endedColumns, type SessionEndCause } from "./end-reasons";
import { withSpan } from "../tracing";
import { enqueueWebhookEvents, sessionEndedEvent } from "../webhooks/events";

export type Revocation = {
  /** Who ends them; their username is stored as revokedBy and as the audit actor. */
  actor: Actor;
  /** What ended them, in the domain's words (counted in the metrics). */
  cause: SessionEndCause;
  /** Why, in a few words; stored on the row (revokeReason). */
  reason: string;
  /** Audit detail; defaults to the reason. */
  detail?: string;
};

/** Every revocation's answer: how many sessions it ended. */
export const revokedAnswerSchema = z.object({ revoked: z.number().int().min(0) });
export type RevokedAnswer = z.infer<typeof revokedAnswerSchema>;

/** The answer for an id that names no active session the caller may end (unknown, or not theirs: alike). */
export const sessionNotFound = () => fail("session_not_found");

/** The session making the request ends only by Log out, which also clears this browser's cookie. */
export const currentSessionConflict = () => fail("current_session");

/** Rows per statement: Prisma binds each id, and SQLite allows 999 bound parameters. */
const BATCH = 500;


/**
 * Ends every session matching `where` that still works (revocableSessionWhere), a batch per short
 * write (sign-ins keep going in between). One that has already ended keeps the end it had: an
 * expiry cleanup has not marked yet or a force logout still being marked is not turned into this
 * revocation in its history, audit trail or webhooks. One whose key was removed and that has not
 * been back since is ended by it: another replica may still hold that key. Rows are marked ended
 * (endedColumns), not deleted, so the device is told "Your session was revoked" at its very next
 * request and the owner sees it under "Recently ended"; cleanup deletes them SESSION_HISTORY_DAYS later. Audit: one event per session, written in the same
 * transaction as its batch. Returns how many were revoked. (Everyone at once: ./force-logout.)
 */
export function revokeSessions(
  db: Database,
  where: Prisma.SessionWhereInput,
  by: Revocation,
  request: RequestInfo,
  now = new Date(),
): Promise<number> {
  return withSpan("session.revoke", async (span) => {
    recordRevocation(span, by);
    const live = { AND: [where, revocableSessionWhere(now, await pendingForceLogout(db))] };
    const revoked = await revokeMatching(db, live, by, request, now);
    span?.setAttribute("session.revoked_count", revoked);
    return revoked;
  });
}

/**
 * A revocation on its span: its cause, the kind of actor and the public id of the session acting
 * (not the free-text reason an admin may type).
 */
export function recordRevocation(span: Span | undefined, { actor, cause }: Pick<Revocation, "actor" | "cause">) {
  if (!span) return;
  const kind = [SYSTEM_ACTOR, CLI_ACTOR, IDENTITY_PROVIDER_ACTOR, EMAIL_LINK_ACTOR].includes(actor) ? actor.username : "user";
  span.setAttribute("session.end_cause", cause);
  span.setAttribute("session.revoke.actor", kind);
  if (actor.sessionId) span.setAttribute("session.revoke.actor_session_id", actor.sessionId);
}

async function revokeMatching(db: Database, where: Prisma.SessionWhereInput, by: Revocation, request: RequestInfo, now: Date): Promise<number> {
  let revoked = 0;
  for (;;) {
    const targets = await db.prisma.session.findMany({ where, select: TARGET, take: BATCH });
    if (targets.length === 0) break;
    const count = await db.prisma.$transaction((tx) => endTargets(tx, db.webhookUrls, targets, by, request, now), TRANSACTION_LIMITS);
    revoked += count;
    recordSessionsEnded(by.cause, count);
    if (targets.length < BATCH) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return revoked;
}

/**
 * Ends every session matching `where` that still works, inside the caller's transaction: for a
 * revocation that must stand or fall with another write (a reported alert's claim), so that a
 * failure between them leaves neither. Meant for a few rows (one device's): one statement, no
 * batches. Returns how many; the caller counts them in the metrics once committed
 * (recordSessionsEnded), as a rolled-back revocation ended nothing.
 */
export async function revokeInTransaction(
  tx: Prisma.TransactionClient,
  db: Database,
  where: Prisma.SessionWhereInput,
  by: Revocation,
  request: RequestInfo,
  now: Date,
  pending: PendingForceLogout | null,
): Promise<number> {
  const targets = await tx.session.findMany({ where: { AND: [where, revocableSessionWhere(now, pending)] }, select: TARGET });
  return targets.length === 0 ? 0 : endTargets(tx, db.webhookUrls, targets, by, request, now);
}

/** What ending a session needs to know of it: its owner and how it signed in (audit, webhooks). */
const TARGET = { id: true, userId: true, authMethod: true, user: { select: { username: true } } } as const;
type Target = Prisma.SessionGetPayload<{ select: typeof TARGET }>;

/**
 * Marks `targets` ended in `tx`, with their webhooks, one audit event each and their identity
 * provider tokens gone. Only the rows this statement ended count: another revocation (another
 * replica, say) may have taken some since they were read. Returns how many it ended.
 */
async function endTargets(tx: Prisma.TransactionClient, webhookUrls: readonly string[], targets: Target[], by: Revocation, request: RequestInfo, now: Date): Promise<number> {
  const data = endedColumns({ cause: by.cause, by: by.actor.username, at: now, reason: by.reason });
  const batch = { id: { in: targets.map((t) => t.id) }, revokedAt: null };
  const done = new Set((await tx.session.updateManyAndReturn({ where: batch, data, select: { id: true } })).map((row) => row.id));
  const ended = targets.filter((target) => done.has(target.id));
  await enqueueWebhookEvents(
    tx,
    webhookUrls,
    ended.map((target) =>
      sessionEndedEvent({ sessionId: target.id, userId: target.userId, username: target.user.username, authMethod: target.authMethod }, by.cause, by.actor.username, now),
    ),
  );
  // An ended session's identity provider tokens go with it (the row itself stays a while).
  await tx.ssoTokens.deleteMany({ where: { sessionId: { in: [...done] } } });
  const event = { ip: request.ip, userAgent: request.userAgent, actor: by.actor.username, detail: by.detail ?? by.reason, at: now };
  await tx.authEvent.createMany({
    data: ended.map((target) =>
      authEventRow({
        ...event,
        type: "session.revoked",
        username: target.user.username,
        userId: target.userId,
        sessionId: target.id,
        authMethod: target.authMethod === "oidc" ? "oidc" : "static",
        count: 1,
      }),
    ),
  });
  return done.size;
}

/**
 * Ends the listed sessions (those not revoked meanwhile), a short write per batch, audited as ONE
 * event of `eventType` carrying the count — a bulk revocation the admin confirmed by its count, not
 * a session-by-session one. Returns how many were revoked.
 */
export function revokeListedSessions(
  db: Database,
  ids: string[],
  by: Revocation,
  eventType: "sessions.bulk_revoked",
  request: RequestInfo,
  now = new Date(),
): Promise<number> {
  return withSpan("session.revoke_bulk", async (span) => {
    recordRevocation(span, by);
    const revoked = await endListedSessions(db, ids, by, now);
    await auditBulkRevocation(db, eventType, by, revoked, request, now);
    span?.setAttribute("session.revoked_count", revoked);
    return revoked;
  });
}

/** Ends the listed sessions not ended yet, a short write per batch, with their webhook events; no audit. */
export async function endListedSessions(db: Database, ids: string[], by: Revocation, now: Date): Promise<number> {
  let revoked = 0;
  for (let start = 0; start < ids.length; start += BATCH) {
    const slice = ids.slice(start, start + BATCH);
    const where = { id: { in: slice }, revokedAt: null };
    const data = endedColumns({ cause: by.cause, by: by.actor.username, at: now, reason: by.reason });
    const count = db.webhookUrls.length
      ? await db.prisma.$transaction(async (tx) => {
          const ended = await tx.session.updateManyAndReturn({ where, data, select: { id: true, userId: true, authMethod: true, user: { select: { username: true } } } });
          await enqueueWebhookEvents(
            tx,
            db.webhookUrls,
            ended.map((row) => sessionEndedEvent({ sessionId: row.id, userId: row.userId, username: row.user.username, authMethod: row.authMethod }, by.cause, by.actor.username, now)),
          );
          return ended.length;
        }, TRANSACTION_LIMITS)
      : (await db.prisma.session.updateMany({ where, data })).count;
    await db.prisma.ssoTokens.deleteMany({ where: { sessionId: { in: slice }, session: { revokedAt: { not: null } } } });
    revoked += count;
    recordSessionsEnded(by.cause, count);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return revoked;
}

/** One audit event for a bulk revocation, carrying its count: a million sessions are not a million rows. */
export async function auditBulkRevocation(
  db: Database,
  type: "sessions.revoked_all" | "sessions.bulk_revoked",
  by: Revocation,
  count: number,
  request: RequestInfo,
  now: Date,
): Promise<void> {
  await db.prisma.authEvent.create({
    data: authEventRow({ type, ip: request.ip, userAgent: request.userAgent, actor: by.actor.username, detail: by.detail ?? by.reason, count, at: now }),
  });
}

