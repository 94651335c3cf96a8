import type { Config } from "../config";
import { currentFingerprints } from "../auth/keys";
import type { Database, Prisma } from "../db";
import { mergeParts, partRowsAfter, type Cursor, type PartRow } from "../pagination/cursor";
import type { SessionState } from "../validation/sessions";
import type { SessionEndCause } from "./end-reasons";

/** A force logout whose rows are still being marked (see ./force-logout), as its cutoff row holds it. */
export type PendingForceLogout = { at: Date; keepSessionId: string | null; revokedBy: string; revokeReason: string; endReason: SessionEndCause };

/**
 * The rows that still work at `now`: not revoked, within both expiries, for static-key sessions
 * signed in with a key that is still configured, and not ended by a force logout whose rows are
 * still being marked (`pending`, see ./force-logout; null when none). Listings and revocations use
 * this, so a session that would end at its next request is neither shown nor counted.
 */
export function activeSessionWhere(config: Config, now: Date, pending: PendingForceLogout | null): Prisma.SessionWhereInput {
  const prints = currentFingerprints(config);
  const active: Prisma.SessionWhereInput = {
    // Written NOT (revokedAt IS NOT NULL): SQLite (no statistics) takes a plain IS NULL for a selective
    // equality on the revokedAt index and then sorts half the table; this way listings
    // walk their ordered index. PostgreSQL reads it as IS NULL.
    NOT: { revokedAt: { not: null } },
    expiresAt: { gt: now },
    absoluteExpiresAt: { gt: now },
    OR: [{ authMethod: "oidc" }, { keyFingerprint: { in: [...prints.user, ...prints.admin] } }],
  };
  if (!pending) return active;
  const kept = pending.keepSessionId ? [{ id: pending.keepSessionId }] : [];
  return { AND: [active, { OR: [{ createdAt: { gt: pending.at } }, ...kept] }] };
}

/** One part of a list read in parts (see partRowsAfter in ../pagination/cursor): its rows, and the column they are ordered by. */
export type ListPart = { where: Prisma.SessionWhereInput; field: "lastActiveAt" | "createdAt" | "revokedAt" | "expiresAt" };

/**
 * The rows that have ended, in the two disjoint parts a list reads each from an index that holds it
 * in order (see the 20261205000000 migration), each by when its rows ended: those marked ended (a
 * static session whose key changed is marked at its next request; until then it is in no list), by
 * revokedAt; and the expiries cleanup has not marked yet — few between two cleanups — by expiresAt,
 * from `floor` (Database.expiryFloor: every session not ended expires at or after it) to `until`
 * (now, or the cutoff of a force logout whose rows are being marked: it ended those expiring later
 * first, and they join the list when marked).
 * expiresAt never exceeds absoluteExpiresAt (./expiry), so the absolute cap needs no test of its
 * own. Written NOT (revokedAt IS NOT NULL) as in activeSessionWhere, so that SQLite takes the
 * expiresAt range, not the revokedAt index.
 */
function endedSessionParts(until: Date, floor: Date): ListPart[] {
  return [
    { where: { revokedAt: { not: null } }, field: "revokedAt" },
    { where: { NOT: { revokedAt: { not: null } }, expiresAt: { gte: floor, lte: until } }, field: "expiresAt" },
  ];
}

/**
 * A list's ?state= as the parts it is read in: active (activeSessionWhere) or all, one part ordered
 * by `order`; ended, most recently ended first, whatever `order` says (endedSessionParts). The
 * sessions a pending force logout ends are in "ended" once their rows are marked, within a minute or two.
 */
export async function sessionListParts(
  db: Database,
  config: Config,
  state: SessionState,
  now: Date,
  pending: PendingForceLogout | null,
  order: "lastActiveAt" | "createdAt",
): Promise<ListPart[]> {
  if (state === "ended") return endedSessionParts(pending && pending.at < now ? pending.at : now, (await db.expiryFloor()).floor);
  return [{ where: state === "active" ? activeSessionWhere(config, now, pending) : {}, field: order }];
}

/** A session row as far as a list in parts orders it. */
type ListedSession = { id: string; lastActiveAt: Date; createdAt: Date; expiresAt: Date; revokedAt: Date | null };

/**
 * The first `take` rows after `cursor` of a list read in `parts`: `read` runs the query for each
 * part (its where clause with the cursor's bound, its order, `take`), adding what the caller
 * narrows by; the rows are merged newest first (mergeParts).
 */
export async function readListParts<T extends ListedSession>(
  parts: ListPart[],
  cursor: Cursor | undefined,
  take: number,
  read: (query: { where: Prisma.SessionWhereInput; orderBy: Prisma.SessionOrderByWithRelationInput[]; take: number }) => Promise<T[]>,
): Promise<PartRow<T>[]> {
  const pages = await Promise.all(
    parts.map(({ where, field }, i) => read({ where: { AND: [where, partRowsAfter(field, cursor, i)] }, orderBy: [{ [field]: "desc" }, { id: "desc" }], take })),
  );
  // Never null in its part (revokedAt: the rows marked ended).
  return mergeParts(pages, (row, part) => row[parts[part].field] ?? row.lastActiveAt, take);
}
