import { authEventRow } from "../audit";
import { DomainError } from "../errors";
import type { Database } from "../db";
import type { Prisma } from "../db/generated/sqlite/client";
import type { RequestInfo } from "./sessions";

/** Who acts: a signed-in person (with the session they act from), or the operator CLI. */
export type Actor = { username: string; sessionId: string | null };

export const CLI_ACTOR: Actor = { username: "cli", sessionId: null };

export type Revocation = {
  /** Who ends them: a username, or "system" / "cli". Stored as revokedBy and as the audit actor. */
  actor: string;
  /** Why, in a few words; stored on the row (revokeReason). */
  reason: string;
  /** Audit detail; defaults to the reason. */
  detail?: string;
};

/** The answer for an id that names no active session the caller may end (unknown, or not theirs: alike). */
export const sessionNotFound = () => new DomainError("not_found", "session_not_found", "No active session with that id");

/** The session making the request ends only by Log out, which also clears this browser's cookie. */
export const currentSessionConflict = () =>
  new DomainError("conflict", "current_session", "This is the session you are using; use Log out to end it");

/** Rows per statement: Prisma binds each id, and SQLite allows 999 bound parameters. */
const BATCH = 500;

/**
 * Ends every not-yet-revoked session matching `where`. Rows are marked, not deleted, so the device
 * is told "Your session was revoked" at its very next request; cleanup deletes them later. Each
 * batch writes its audit events (one per session, naming the actor) in the same transaction as the
 * revocation. Returns how many sessions were revoked.
 */
export async function revokeSessions(
  db: Database,
  where: Prisma.SessionWhereInput,
  by: Revocation,
  request: RequestInfo,
  now = new Date(),
): Promise<number> {
  let revoked = 0;
  for (;;) {
    const targets = await db.prisma.session.findMany({
      where: { AND: [where, { revokedAt: null }] },
      select: { id: true, userId: true, authMethod: true, user: { select: { username: true } } },
      take: BATCH,
    });
    if (targets.length === 0) return revoked;
    const [{ count }] = await db.prisma.$transaction([
      db.prisma.session.updateMany({
        where: { id: { in: targets.map((t) => t.id) }, revokedAt: null },
        data: { revokedAt: now, revokedBy: by.actor, revokeReason: by.reason },
      }),
      db.prisma.authEvent.createMany({
        data: targets.map((target) =>
          authEventRow({
            type: "session.revoked",
            username: target.user.username,
            userId: target.userId,
            sessionId: target.id,
            authMethod: target.authMethod === "oidc" ? "oidc" : "static",
            ip: request.ip,
            userAgent: request.userAgent,
            actor: by.actor,
            detail: by.detail ?? by.reason,
            count: 1,
            at: now,
          }),
        ),
      }),
    ]);
    revoked += count;
    if (targets.length < BATCH) return revoked;
  }
}


/**
 * "Force logout all": like revokeSessions but for any number of rows, in batches (each a short
 * write, so sign-ins keep going in between) and audited as one event carrying the count.
 */
export async function revokeSessionsInBulk(
  db: Database,
  where: Prisma.SessionWhereInput,
  by: Revocation,
  request: RequestInfo,
  now = new Date(),
): Promise<number> {
  let revoked = 0;
  for (;;) {
    const ids = await db.prisma.session.findMany({ where: { AND: [where, { revokedAt: null }] }, select: { id: true }, take: BATCH });
    if (ids.length === 0) break;
    const { count } = await db.prisma.session.updateMany({
      where: { id: { in: ids.map((row) => row.id) }, revokedAt: null },
      data: { revokedAt: now, revokedBy: by.actor, revokeReason: by.reason },
    });
    revoked += count;
    if (ids.length < BATCH) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await db.prisma.authEvent.create({
    data: authEventRow({
      type: "sessions.revoked_all",
      ip: request.ip,
      userAgent: request.userAgent,
      actor: by.actor,
      detail: by.detail ?? by.reason,
      count: revoked,
      at: now,
    }),
  });
  return revoked;
}
