import { isIP } from "node:net";
import { z } from "zod";
import type { Config } from "../config";
import type { Database, Prisma } from "../db";
import { fail } from "../errors";
import { normalizeIp } from "../request/request-info";
import { cursorAfter, encodeCursor, keysetPage, type Cursor } from "../pagination/cursor";
import { activeSessionWhere, prismaPartQuery, readListParts, sessionListParts, pendingForceLogout } from "../sessions/active";
import { activityField, listSessionActivity } from "../sessions/activity";
import { presentSession, sessionJsonSchema } from "../sessions/present";
import { actorInWords, CLI_ACTOR, type Actor } from "../actor";
import { currentSessionConflict, revokeListedSessions, revokeSessions, sessionNotFound } from "../sessions/revoke";
import { asMarked, startForceLogout, type StartedForceLogout } from "../sessions/force-logout";
import type { RequestInfo } from "../request/types";
import { hasFilter, type AdminSessionFilter, type AdminSessionsQuery } from "../validation/admin";
import { cidrContains, cidrTextPrefix, parseCidr, type Cidr } from "../net/cidr";
import { describeFilter } from "./filter-words";
import { activeSessionsOf, activeTotals, ownerRestriction } from "./active-counts";
import { prefixRange } from "./prefix-range";

export { ownersWithMoreThan } from "./active-counts";

/** Owners with more active sessions than this are flagged in listings. */
export const MANY_SESSIONS = 5;

/** A session as admin listings show it: the session object plus its owner. */
export const adminSessionJsonSchema = sessionJsonSchema.extend({
  user: z.object({ id: z.string(), username: z.string(), disabled: z.boolean() }),
  ownerActiveSessions: z.number().int().min(0).describe("The owner's number of active sessions"),
  flagged: z.boolean().describe(`Whether the owner has more than ${MANY_SESSIONS} active sessions`),
});
export type AdminSessionJson = z.infer<typeof adminSessionJsonSchema>;

export const adminSessionPageSchema = z.object({ sessions: z.array(adminSessionJsonSchema), nextCursor: z.string().nullable() });
export type AdminSessionPage = z.infer<typeof adminSessionPageSchema>;

/**
 * One page of every session in `query.state` (active by default, ended, or all), with its owner. Keyset pagination on (sort time, id) — never
 * OFFSET — so a deep page costs what the first does; the [lastActiveAt, id] / [createdAt, id]
 * indexes (or [userId, …] for one user) serve the order. Ended sessions: most recently ended first,
 * in two parts (sessionListParts), each read in order from an index, merged.
 */
export async function listAdminSessions(
  db: Database,
  config: Config,
  currentSessionId: string | null,
  query: AdminSessionsQuery,
  now = new Date(),
): Promise<AdminSessionPage> {
  const [filter, pending] = await Promise.all([filterWhere(db, config, query, now), pendingForceLogout(db)]);
  if (filter === null) return { sessions: [], nextCursor: null };
  const parts = await sessionListParts(db, config, query.state, now, pending, query.sort === "created" ? "createdAt" : "lastActiveAt");
  const batchOf = (owners: Prisma.SessionWhereInput, after: Cursor | undefined, take: number) =>
    readListParts(parts, take, (part, index) => {
      const query = prismaPartQuery(part, after, index, take);
      return db.prisma.session.findMany({
        ...query,
        where: { AND: [query.where, filter.where, owners] },
        include: { user: { select: { id: true, username: true, disabledAt: true } } },
      });
    });
  let rows: Awaited<ReturnType<typeof batchOf>>;
  const owners = filter.ownerIds && filter.ownerIds.length > OWNER_LIST_LIMIT ? new Set(filter.ownerIds) : null;
  if (!owners && !filter.cidr) {
    rows = await batchOf(filter.ownerIds ? { userId: { in: filter.ownerIds } } : {}, query.cursor, query.limit + 1);
  } else {
    // A check the database cannot make: too many owners to list in one query (and too many other
    // users to leave out by listing them, see ownerRestriction), or a CIDR block (addresses are
    // stored as text). Walk the ordered index and keep the rows that pass; the where clause has
    // narrowed them as far as is safe.
    const listed = !owners && filter.ownerIds ? { userId: { in: filter.ownerIds } } : {};
    rows = [];
    let after = query.cursor;
    for (;;) {
      const batch = await batchOf(listed, after, SCAN_BATCH);
      rows.push(...batch.filter(({ row }) => passes(filter, owners, row)));
      const last = batch.at(-1);
      if (rows.length > query.limit || batch.length < SCAN_BATCH || !last) break;
      after = cursorAfter(last);
    }
    rows = rows.slice(0, query.limit + 1);
  }
  const shown = keysetPage(rows, query.limit, (last) => encodeCursor(cursorAfter(last)));
  const counts = await activeSessionsOf(db, config, [...new Set(shown.rows.map(({ row }) => row.userId))], now, pending);
  return { sessions: shown.rows.map(({ row }) => presentAdminSession(asMarked(pending, row), counts, currentSessionId, now)), nextCursor: shown.nextCursor };
}

type AdminSessionRow = Parameters<typeof presentSession>[0] & { userId: string; user: { id: string; username: string; disabledAt: Date | null } };

function presentAdminSession(row: AdminSessionRow, counts: Map<string, number>, currentSessionId: string | null, now: Date): AdminSessionJson {
  const ownerActiveSessions = counts.get(row.userId) ?? 0;
  return {
    ...presentSession(row, currentSessionId, now),
    user: { id: row.user.id, username: row.user.username, disabled: row.user.disabledAt !== null },
    ownerActiveSessions,
    flagged: ownerActiveSessions > MANY_SESSIONS,
  };
}

export const adminSessionDetailJsonSchema = adminSessionJsonSchema.extend(activityField);
export type AdminSessionDetailJson = z.infer<typeof adminSessionDetailJsonSchema>;

/** GET /api/admin/sessions/{id}. */
export const adminSessionAnswerSchema = z.object({ session: adminSessionDetailJsonSchema });
export type AdminSessionAnswer = z.infer<typeof adminSessionAnswerSchema>;

/** Any one session, active or ended (while its history is kept), as the Admin Panel lists it, with where it has been used from; null if none. */
export async function getAdminSessionDetail(
  db: Database,
  config: Config,
  currentSessionId: string | null,
  id: string,
  now = new Date(),
): Promise<AdminSessionDetailJson | null> {
  const row = await db.prisma.session.findFirst({
    where: { id },
    include: { user: { select: { id: true, username: true, disabledAt: true } } },
  });
  if (!row) return null;
  const pending = await pendingForceLogout(db);
  const [counts, activity] = await Promise.all([activeSessionsOf(db, config, [row.userId], now, pending), listSessionActivity(db, row.id)]);
  return { ...presentAdminSession(asMarked(pending, row), counts, currentSessionId, now), activity };
}

/** Prisma binds each listed id as a parameter; SQLite allows 999 of them per statement. */
const OWNER_LIST_LIMIT = 500;
const SCAN_BATCH = 1000;

/**
 * The filters as a where clause plus what only code can check: for "more than N sessions", the
 * owners' ids when they are what must be listed (most users qualifying, the few others are left
 * out in the where clause instead), and a CIDR block (the where clause narrows to the text prefix
 * every address of the block starts with, when there is one); null when the filters cannot match
 * anything (e.g. no such user).
 */
type ResolvedFilter = { where: Prisma.SessionWhereInput; ownerIds: string[] | null; cidr: Cidr | null };

async function filterWhere(db: Database, config: Config, query: AdminSessionFilter, now: Date): Promise<ResolvedFilter | null> {
  const parts: Prisma.SessionWhereInput[] = [];
  let cidr: Cidr | null = null;
  if (query.user && query.match === "exact") {
    // Resolve the name first so the [userId, …] index serves the page.
    const user = await db.prisma.user.findUnique({ where: { username: query.user }, select: { id: true } });
    if (!user) return null;
    parts.push({ userId: user.id });
  } else if (query.user) {
    parts.push({ user: { username: prefixRange(query.user) } });
  }
  if (query.method) parts.push({ authMethod: query.method });
  if (query.ip?.includes("/")) {
    const block = parseCidr(query.ip);
    // The schema let only valid blocks through.
    if (typeof block === "string") return null;
    const text = cidrTextPrefix(block);
    if ("exact" in text) parts.push({ ipAddress: text.exact });
    else {
      cidr = block;
      parts.push(text.prefix ? { ipAddress: prefixRange(text.prefix) } : { ipAddress: { not: null } });
    }
  } else if (query.ip) {
    const exact = isIP(query.ip) ? normalizeIp(query.ip) : null;
    parts.push(exact ? { ipAddress: exact } : { ipAddress: prefixRange(query.ip) });
  }
  if (query.country) parts.push({ country: query.country });
  if (query.browser) parts.push({ browserFamily: query.browser });
  if (query.signedInAfter) parts.push({ createdAt: { gte: query.signedInAfter } });
  if (query.signedInBefore) parts.push({ createdAt: { lt: query.signedInBefore } });
  if (query.moreThan !== undefined) {
    const restriction = await ownerRestriction(db, config, query.moreThan, now, OWNER_LIST_LIMIT);
    if ("allBut" in restriction) return { where: { AND: [...parts, { userId: { notIn: restriction.allBut } }] }, ownerIds: null, cidr };
    if (restriction.owners.length === 0) return null;
    return { where: { AND: parts }, ownerIds: restriction.owners, cidr };
  }
  return { where: { AND: parts }, ownerIds: null, cidr };
}

/** The code-side checks of a resolved filter (`owners`: the owner set when it is too long to list in SQL). */
const passes = (filter: ResolvedFilter, owners: Set<string> | null, row: { userId: string; ipAddress: string | null }) =>
  (!owners || owners.has(row.userId)) && (!filter.cidr || cidrContains(filter.cidr, row.ipAddress));

/**
 * The ids of the active sessions matching the filters at `now`, `exclude` (the acting admin's own
 * session) left out: a where clause when the database can answer alone, else a walk in id order.
 */
async function matchingSessions(
  db: Database,
  config: Config,
  filter: AdminSessionFilter,
  exclude: string | null,
  now: Date,
): Promise<{ count: () => Promise<number>; ids: () => Promise<string[]> }> {
  const [resolved, pending] = await Promise.all([filterWhere(db, config, filter, now), pendingForceLogout(db)]);
  if (!resolved) return { count: async () => 0, ids: async () => [] };
  const owners = resolved.ownerIds && resolved.ownerIds.length > OWNER_LIST_LIMIT ? new Set(resolved.ownerIds) : null;
  const where: Prisma.SessionWhereInput = {
    AND: [
      activeSessionWhere(config, now, pending),
      resolved.where,
      !owners && resolved.ownerIds ? { userId: { in: resolved.ownerIds } } : {},
      exclude ? { id: { not: exclude } } : {},
    ],
  };
  const walk = async () => {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const batch: { id: string; userId: string; ipAddress: string | null }[] = await db.prisma.session.findMany({
        where: after ? { AND: [where, { id: { gt: after } }] } : where,
        orderBy: { id: "asc" },
        select: { id: true, userId: true, ipAddress: true },
        take: SCAN_BATCH,
      });
      for (const row of batch) if (passes(resolved, owners, row)) ids.push(row.id);
      if (batch.length < SCAN_BATCH) return ids;
      after = batch[batch.length - 1].id;
    }
  };
  const exact = !owners && !resolved.cidr;
  return {
    count: async () => (exact ? db.prisma.session.count({ where }) : (await walk()).length),
    ids: walk,
  };
}

/**
 * GET /api/admin/sessions/count and the bulk revoke's confirmation: how many active sessions the
 * filters match, every page, the caller's own session not included (a bulk revoke never ends it).
 */
export async function countAdminSessions(
  db: Database,
  config: Config,
  currentSessionId: string | null,
  filter: AdminSessionFilter,
  now = new Date(),
): Promise<number> {
  return (await matchingSessions(db, config, filter, currentSessionId, now)).count();
}

/** A bulk revoke by filter must say why: the reason, trimmed, or reason_required. */
export function requiredReason(reason: string | undefined): string {
  const why = reason?.trim();
  if (!why) throw fail("reason_required");
  return why;
}

/**
 * Revoke the sessions the filters match, the set the admin was shown: counted again at the request
 * and refused (count_changed, nothing revoked) unless that count is `confirm`; then exactly those
 * sessions end, in batches, audited as one event with the filters in words and the count. The
 * acting admin's own session is never included. A reason is required.
 */
export async function revokeFilteredSessionsAsAdmin(
  db: Database,
  config: Config,
  actor: Actor,
  filter: AdminSessionFilter,
  confirm: number,
  reason: string | undefined,
  request: RequestInfo,
  now = new Date(),
): Promise<number> {
  // No filter would match everyone: that is a force logout, with its own confirmation (the page's form reaches here too).
  if (!hasFilter(filter)) throw fail("invalid_input");
  const why = requiredReason(reason);
  const ids = await (await matchingSessions(db, config, filter, actor.sessionId, now)).ids();
  if (ids.length !== confirm) throw fail("count_changed", { count: ids.length, confirmed: confirm });
  return revokeListedSessions(
    db,
    ids,
    { actor, cause: "revoked_by_admin", reason: why, detail: `filter: ${describeFilter(filter)}; count: ${ids.length}; reason: ${why}` },
    "sessions.bulk_revoked",
    request,
    now,
  );
}

const count = z.number().int().min(0);
export const adminCountersSchema = z.object({
  activeSessions: count,
  activeUsers: count,
  createdLast24h: count,
  revokedLast24h: count,
  expiredLast24h: count,
});
export type AdminCounters = z.infer<typeof adminCountersSchema>;

/**
 * The counters on top of /admin/sessions, exact and computed on every call: active sessions and
 * users come from the maintained per-user counts (see ./active-counts), not a scan of every session.
 * Revocations come from the audit trail (one event may stand for many sessions); expiries from the
 * sessions themselves: ended ones kept as history (SESSION_HISTORY_DAYS; with 0, only those cleanup
 * has not deleted yet, by the partial (endReason, revokedAt) index) and those of the day not marked
 * yet (PostgreSQL: the partial index of the rows not ended, by expiry; SQLite: the expiresAt index).
 */
export async function adminCounters(db: Database, config: Config, now = new Date()): Promise<AdminCounters> {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const sumOf = async (types: string[]) =>
    (await db.prisma.authEvent.aggregate({ where: { type: { in: types }, at: { gte: since } }, _sum: { count: true } }))._sum.count ?? 0;
  const [{ activeSessions, activeUsers }, createdLast24h, revokedLast24h, expiredLast24h] = await Promise.all([
    activeTotals(db, config, now),
    db.prisma.session.count({ where: { createdAt: { gte: since } } }),
    sumOf(["session.revoked", "sessions.revoked_all", "sessions.bulk_revoked"]),
    db.prisma.session.count({
      where: {
        OR: [
          { revokedAt: { gte: since, lte: now }, endReason: { in: ["expired_idle", "expired_absolute"] } },
          { revokedAt: null, expiresAt: { gte: since, lte: now } },
        ],
      },
    }),
  ]);
  return { activeSessions, activeUsers, createdLast24h, revokedLast24h, expiredLast24h };
}

const reasonText = (actor: Actor, reason: string | undefined) => reason || `revoked by ${actor.username === CLI_ACTOR.username ? actorInWords(actor.username) : "an administrator"}`;

/** Revoke any one session by its public id. The admin's own current session ends only by Log out. */
export async function revokeSessionAsAdmin(
  db: Database,
  actor: Actor,
  sessionId: string,
  reason: string | undefined,
  request: RequestInfo,
  now = new Date(),
): Promise<number> {
  if (sessionId === actor.sessionId) {
    throw currentSessionConflict();
  }
  const why = reasonText(actor, reason);
  const count = await revokeSessions(
    db,
    { id: sessionId },
    { actor, cause: "revoked_by_admin", reason: why, detail: `scope: session; reason: ${why}` },
    request,
    now,
  );
  if (count === 0) throw sessionNotFound();
  return count;
}

/** Revoke every active session of one user (the acting admin's own current session survives). */
export async function revokeUserSessionsAsAdmin(
  db: Database,
  actor: Actor,
  username: string,
  reason: string | undefined,
  request: RequestInfo,
  now = new Date(),
): Promise<number> {
  const user = await db.prisma.user.findUnique({ where: { username }, select: { id: true } });
  if (!user) throw fail("user_not_found");
  const why = reasonText(actor, reason);
  return revokeSessions(
    db,
    { AND: [{ userId: user.id }, actor.sessionId ? { id: { not: actor.sessionId } } : {}] },
    { actor, cause: "revoked_all", reason: why, detail: `scope: user ${username}; reason: ${why}` },
    request,
    now,
  );
}

/**
 * "Force logout all": every active session, except the acting admin's own unless includeSelf (see
 * ../sessions/force-logout). Answers once it holds, with how many sessions it ends — those active at
 * its time, from the maintained counts — while their rows are being marked (`marked`, with how many
 * were revoked; one audit event with that count).
 */
export async function forceLogoutEveryone(
  db: Database,
  config: Config,
  actor: Actor,
  options: { includeSelf: boolean; reason?: string; batchSize?: number },
  request: RequestInfo,
  now = new Date(),
): Promise<{ revoked: number } & StartedForceLogout> {
  const why = reasonText(actor, options.reason);
  const keep = options.includeSelf ? null : actor.sessionId;
  // Counted before the cutoff: after it, the figures leave out what it ends.
  const { activeSessions } = await activeTotals(db, config, now);
  const started = await startForceLogout(
    db,
    {
      actor,
      cause: "revoked_all",
      reason: why,
      detail: `scope: all${options.includeSelf ? " (including the admin's own session)" : ""}; reason: ${why}`,
    },
    keep,
    request,
    now,
    { batchSize: options.batchSize },
  );
  // The session kept is the acting admin's, active: it is among those counted.
  return { revoked: Math.max(0, activeSessions - (keep ? 1 : 0)), marked: started.marked };
}

/** forceLogoutEveryone, waiting until its rows are marked: how many it revoked (the CLI, which exits after). */
export async function revokeAllSessions(...args: Parameters<typeof forceLogoutEveryone>): Promise<number> {
  return (await forceLogoutEveryone(...args)).marked;
}
