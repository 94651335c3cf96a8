import { authEventRow } from "../audit";
import type { Database } from "../db";
import type { Prisma } from "../db/generated/sqlite/client";
import type { RequestInfo } from "./sessions";

export type Revocation = {
  /** Who ends them: a username, or "system" / "cli". Stored as revokedBy and as the audit actor. */
  actor: string;
  /** Why, in a few words; stored on the row (revokeReason). */
  reason: string;
  /** Audit detail; defaults to the reason. */
  detail?: string;
};

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
            at: now,
          }),
        ),
      }),
    ]);
    revoked += count;
    if (targets.length < BATCH) return revoked;
  }
}
