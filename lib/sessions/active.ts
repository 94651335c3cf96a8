import type { Config } from "../config";
import { currentFingerprints } from "../auth/keys";
import type { Database, Prisma, SessionListPart } from "../db";
import type { ForceLogoutCutoffRow } from "../db/types";
import { mergeParts, partRowsAfter, type Cursor, type PartRow } from "../pagination/cursor";
import type { SessionState } from "../validation/sessions";
import { isSessionEndCause, type SessionEndCause } from "./end-reasons";

/** A force logout whose rows are still being marked (see ./force-logout), as its cutoff row holds it. */
export type PendingForceLogout = { at: Date; keepSessionId: string | null; revokedBy: string; revokeReason: string; endReason: SessionEndCause };

/** The force logout whose rows are being marked, if any: one read by primary key. */
export async function pendingForceLogout(db: Database): Promise<PendingForceLogout | null> {
  return asForceLogout(await db.forceLogoutCutoff());
}

/**
 * A cutoff row as the force logout it stands for, its marking pending or done (the caller's read
 * decides which); a cause this version does not know reads as revoked_all.
 */
export function asForceLogout(held: ForceLogoutCutoffRow | null): PendingForceLogout | null {
  return held && { ...held, endReason: isSessionEndCause(held.endReason) ? held.endReason : "revoked_all" };
}

/**
 * The rows that still work at `now`: not revoked, within both expiries, for static-key sessions
 * signed in with a key that is still configured, and not ended by a force logout whose rows are
 * still being marked (`pending`, see ./force-logout; null when none). Listings and counts use this,
 * so a session that would end at its next request is neither shown nor counted (revocations:
 * revocableSessionWhere).
 */
export function activeSessionWhere(config: Config, now: Date, pending: PendingForceLogout | null): Prisma.SessionWhereInput {
  return activeWhere(activePart(config, now, pending));
}

/** The active rows as a list part: the description both activeSessionWhere and the backends' list statements read. */
export function activePart(config: Config, now: Date, pending: PendingForceLogout | null, order: "lastActiveAt" | "createdAt" = "lastActiveAt"): SessionListPart & { rows: "active" } {
  const prints = currentFingerprints(config);
  return {
    rows: "active",
    order,
    now,
    keyFingerprints: [...prints.user, ...prints.admin],
    pending: pending && { at: pending.at, keepSessionId: pending.keepSessionId },
  };
}

/**
 * The rows a revocation ends: activeSessionWhere without its key condition. Another replica, or the
 * operator's shell running the CLI, may hold another key set (a rotation under way, a stale
 * environment) and still accept a session this process counts as ended by its key; ending one whose
 * key is gone is harmless, leaving one another process accepts is not.
 */
export function revocableSessionWhere(now: Date, pending: PendingForceLogout | null): Prisma.SessionWhereInput {
  return activeWhere({ now, keyFingerprints: null, pending });
}

function activeWhere({ now, keyFingerprints, pending }: Pick<SessionListPart & { rows: "active" }, "now" | "pending"> & { keyFingerprints: string[] | null }): Prisma.SessionWhereInput {
  const active: Prisma.SessionWhereInput = {
    // Written NOT (revokedAt IS NOT NULL): SQLite (no statistics) takes a plain IS NULL for a selective
    // equality on the revokedAt index and then sorts half the table; this way listings
    // walk their ordered index. PostgreSQL reads it as IS NULL.
    NOT: { revokedAt: { not: null } },
    expiresAt: { gt: now },
    absoluteExpiresAt: { gt: now },
    ...(keyFingerprints ? { OR: [{ authMethod: "oidc" }, { keyFingerprint: { in: keyFingerprints } }] } : {}),
  };
  if (!pending) return active;
  const kept = pending.keepSessionId ? [{ id: pending.keepSessionId }] : [];
  return { AND: [active, { OR: [{ createdAt: { gt: pending.at } }, ...kept] }] };
}

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
function endedSessionParts(until: Date, floor: Date): SessionListPart[] {
  return [
    { rows: "ended_marked", order: "revokedAt" },
    { rows: "expired_unmarked", order: "expiresAt", floor, until },
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
): Promise<SessionListPart[]> {
  if (state === "ended") return endedSessionParts(pending && pending.at < now ? pending.at : now, (await db.expiryFloor()).floor);
  return [state === "active" ? activePart(config, now, pending, order) : { rows: "all", order }];
}

/** A list part as a Prisma where clause (the backends' own statement: ../db/list-statements). */
export function partWhere(part: SessionListPart): Prisma.SessionWhereInput {
  switch (part.rows) {
    case "active":
      return activeWhere(part);
    case "ended_marked":
      return { revokedAt: { not: null } };
    case "expired_unmarked":
      return { NOT: { revokedAt: { not: null } }, expiresAt: { gte: part.floor, lte: part.until } };
    case "all":
      return {};
  }
}

/** A part read through Prisma: its rows (partWhere) after `cursor` (partRowsAfter), in its order, the first `take`. */
export function prismaPartQuery(part: SessionListPart, cursor: Cursor | undefined, index: number, take: number) {
  const orderBy: Prisma.SessionOrderByWithRelationInput[] = [{ [part.order]: "desc" }, { id: "desc" }];
  return { where: { AND: [partWhere(part), partRowsAfter(part.order, cursor, index)] }, orderBy, take };
}

/** A session row as far as a list in parts orders it. */
type ListedSession = { id: string; lastActiveAt: Date; createdAt: Date; expiresAt: Date; revokedAt: Date | null };

/**
 * The first `take` rows of a list read in `parts`: `read` gives the first `take` rows of each part
 * (its index in `parts` says where the cursor leaves it: partBound, or prismaPartQuery for Prisma),
 * adding what the caller narrows by; the rows are merged newest first (mergeParts).
 */
export async function readListParts<T extends ListedSession>(
  parts: SessionListPart[],
  take: number,
  read: (part: SessionListPart, index: number) => Promise<T[]>,
): Promise<PartRow<T>[]> {
  return mergeListParts(parts, take, await Promise.all(parts.map((part, index) => read(part, index))));
}

/** The first `take` rows of a list from the first `take` rows of each of its `parts` (`pages`, in order), newest first. */
export function mergeListParts<T extends ListedSession>(parts: SessionListPart[], take: number, pages: T[][]): PartRow<T>[] {
  // Never null in its part (revokedAt: the rows marked ended).
  return mergeParts(pages, (row, part) => row[parts[part].order] ?? row.lastActiveAt, take);
}
