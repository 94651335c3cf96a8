import { currentFingerprints } from "../auth/keys";
import type { Config } from "../config";
import { Prisma, type Database, type LapsedRows } from "../db";
import { activeSessionWhere, type PendingForceLogout, pendingForceLogout } from "../sessions/active";

/**
 * Exact active-session figures without scanning every session.
 *
 * UserSessionCount holds, per user and sign-in credential, the sessions not yet revoked; triggers
 * on "Session" keep it in both backends, whoever writes (see the 20261202000000 migrations). A
 * session is active (activeSessionWhere) when it is not revoked, signed in through SSO or with a key
 * still configured, and within both expiries. The first two are exactly the count rows of a
 * credential still accepted; the third is not something a trigger can follow, as time moves on by
 * itself. So each figure is the counts minus the "lapsed" sessions: not revoked, credential
 * accepted, but expired — the rows cleanup will delete at its next run, few whenever it runs, and
 * found through the expiresAt index. expiresAt never exceeds absoluteExpiresAt (both are set that
 * way, and cleanup relies on it too), so "expiresAt <= now" is every expired session.
 *
 * While a force logout's rows are being marked (a minute or two; see ../sessions/force-logout), the
 * counts still hold the sessions it ended. Then the active sessions are those signed in after it
 * (and the one it kept), few: each figure is taken from those rows themselves (activeSinceForceLogout).
 */

const acceptedPrints = (config: Config) => {
  const prints = currentFingerprints(config);
  return [...prints.user, ...prints.admin];
};

/** Count rows of a credential still accepted: SSO, or a static key in the configuration. */
const countedWhere = (config: Config): Prisma.UserSessionCountWhereInput => ({
  OR: [{ authMethod: "oidc" }, { keyFingerprint: { in: acceptedPrints(config) } }],
});

const byUser = (rows: LapsedRows) => new Map(rows.map((row) => [row.userId, Number(row.sessions)]));

/** Sessions counted in UserSessionCount but no longer active at `now`, per user. */
async function lapsedPerUser(db: Database, config: Config, now: Date): Promise<Map<string, number>> {
  return byUser(await db.lapsedSessionsPerUser(now, acceptedPrints(config)));
}

/** Prisma binds each listed id as a parameter; SQLite allows 999 of them per statement. */
const IDS_PER_QUERY = 500;

/**
 * Counted sessions (still-accepted credentials) of the given users. Few of them (between two
 * cleanups): one lookup by primary key; more: one pass over the whole (small) count table beats
 * many batches of listed ids.
 */
async function countedPerUser(db: Database, config: Config, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const listed = userIds.length <= IDS_PER_QUERY;
  const groups = await db.prisma.userSessionCount.groupBy({
    by: ["userId"],
    where: listed ? { AND: [{ userId: { in: userIds } }, countedWhere(config)] } : countedWhere(config),
    _sum: { sessions: true },
  });
  return new Map(groups.map((group) => [group.userId, group._sum.sessions ?? 0]));
}

/** The active sessions while a force logout is pending: signed in after it, or the one it kept. */
function activeSinceForceLogout(db: Database, config: Config, now: Date, pending: PendingForceLogout) {
  return db.prisma.session.findMany({ where: activeSessionWhere(config, now, pending), select: { userId: true, authMethod: true, deviceType: true } });
}

/** Active sessions per user, from rows (activeSinceForceLogout). */
function perUser(rows: { userId: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.userId, (counts.get(row.userId) ?? 0) + 1);
  return counts;
}

/** Active sessions, and users with at least one, at `now`. */
export async function activeTotals(db: Database, config: Config, now: Date): Promise<{ activeSessions: number; activeUsers: number }> {
  const pending = await pendingForceLogout(db);
  if (pending) {
    const rows = await activeSinceForceLogout(db, config, now, pending);
    return { activeSessions: rows.length, activeUsers: perUser(rows).size };
  }
  const prints = acceptedPrints(config);
  const [sum, users, lapsed] = await Promise.all([
    db.prisma.userSessionCount.aggregate({ where: countedWhere(config), _sum: { sessions: true } }),
    // Prisma's count has no DISTINCT; the same SQL serves both backends.
    db.prisma.$queryRaw<{ users: number | bigint }[]>`
      SELECT COUNT(DISTINCT "userId") AS "users" FROM "UserSessionCount"
       WHERE "authMethod" = 'oidc' OR "keyFingerprint" IN (${Prisma.join(prints)})`,
    lapsedPerUser(db, config, now),
  ]);
  let lapsedSessions = 0;
  for (const count of lapsed.values()) lapsedSessions += count;
  // Users all of whose counted sessions have lapsed are no longer active users.
  const counted = await countedPerUser(db, config, [...lapsed.keys()]);
  let lapsedUsers = 0;
  for (const [userId, count] of lapsed) if ((counted.get(userId) ?? 0) - count <= 0) lapsedUsers++;
  return {
    activeSessions: (sum._sum.sessions ?? 0) - lapsedSessions,
    activeUsers: Number(users[0]?.users ?? 0) - lapsedUsers,
  };
}

/**
 * Past this many lapsed sessions (cleanup far behind, or turned off), activeSessionsOf counts the
 * owners' own rows instead: reading every lapsed row would cost more (at 500,000, 1.5 s on SQLite).
 */
export const LAPSED_READ_BOUND = 2_000;

/**
 * Active sessions of each of `userIds` at `now` (0 for none), as listings show them next to each
 * session: by the same rule as activeTotals, their counted sessions minus the lapsed ones, so a page
 * of owners with thousands of sessions each reads a few count rows, not those sessions (at 1,000,000
 * sessions, 20 ms of a page's 50). Counted from their rows instead while a force logout is pending
 * (few are active then) or when the lapsed rows are many.
 */
export async function activeSessionsOf(db: Database, config: Config, userIds: string[], now: Date, pending: PendingForceLogout | null): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  if (!pending) {
    const [counted, lapsed] = await Promise.all([countedPerUser(db, config, userIds), db.lapsedSessionsPerUserUpTo(now, acceptedPrints(config), LAPSED_READ_BOUND)]);
    if (lapsed) {
      const lapsedOf = byUser(lapsed);
      // Two reads: a cleanup batch committing between them can take a session off both.
      return new Map(userIds.map((userId) => [userId, Math.max(0, (counted.get(userId) ?? 0) - (lapsedOf.get(userId) ?? 0))]));
    }
  }
  const groups = await db.prisma.session.groupBy({
    by: ["userId"],
    where: { AND: [{ userId: { in: userIds } }, activeSessionWhere(config, now, pending)] },
    _count: { _all: true },
  });
  const active = new Map(groups.map((group) => [group.userId, group._count._all]));
  return new Map(userIds.map((userId) => [userId, active.get(userId) ?? 0]));
}

/** The users with more than `moreThan` active sessions at `now`. */
export async function ownersWithMoreThan(db: Database, config: Config, moreThan: number, now: Date): Promise<string[]> {
  return ownersAbove(db, config, moreThan, now, await pendingForceLogout(db));
}

/** ownersWithMoreThan, the pending force logout (if any) read already. */
async function ownersAbove(db: Database, config: Config, moreThan: number, now: Date, pending: PendingForceLogout | null): Promise<string[]> {
  if (pending) return [...perUser(await activeSinceForceLogout(db, config, now, pending))].filter(([, sessions]) => sessions > moreThan).map(([userId]) => userId);
  const [candidates, lapsed] = await Promise.all([
    // Counted sessions are a superset of the active ones: owners with more active sessions are among these.
    db.prisma.userSessionCount.groupBy({
      by: ["userId"],
      where: countedWhere(config),
      _sum: { sessions: true },
      having: { sessions: { _sum: { gt: moreThan } } },
    }),
    lapsedPerUser(db, config, now),
  ]);
  return candidates
    .filter((candidate) => (candidate._sum.sessions ?? 0) - (lapsed.get(candidate.userId) ?? 0) > moreThan)
    .map((candidate) => candidate.userId);
}

/** Whom the "more than N sessions" filter keeps: the owners listed, or every user but those listed. */
export type OwnerRestriction = { owners: string[] } | { allBut: string[] };

/**
 * The "more than `moreThan` active sessions" filter as a list of at most `listLimit` ids, whichever
 * side is shorter: the owners (few qualify), or the users with active sessions who do not (most
 * qualify; users without any have no active rows to leave out). Only when both sides are long is the
 * full owner list returned.
 */
export async function ownerRestriction(db: Database, config: Config, moreThan: number, now: Date, listLimit: number): Promise<OwnerRestriction> {
  // While a force logout is pending, few sessions are active, and their owners are listed.
  const pending = await pendingForceLogout(db);
  if (pending) return { owners: await ownersAbove(db, config, moreThan, now, pending) };
  const usersWith = (sum: { gt: number } | { lte: number }) =>
    db.prisma.userSessionCount.groupBy({
      by: ["userId"],
      where: countedWhere(config),
      _sum: { sessions: true },
      having: { sessions: { _sum: sum } },
      orderBy: { userId: "asc" },
      take: listLimit + 1,
    });
  const [above, below, lapsed] = await Promise.all([usersWith({ gt: moreThan }), usersWith({ lte: moreThan }), lapsedPerUser(db, config, now)]);
  if (above.length <= listLimit) {
    return { owners: above.filter((user) => (user._sum.sessions ?? 0) - (lapsed.get(user.userId) ?? 0) > moreThan).map((user) => user.userId) };
  }
  if (below.length + lapsed.size <= listLimit) {
    // Counted sessions are a superset of the active ones: the lapsed rows can only push a user below.
    const counted = await countedPerUser(db, config, [...lapsed.keys()]);
    const dropped = [...lapsed].filter(([userId, count]) => (counted.get(userId) ?? 0) - count <= moreThan).map(([userId]) => userId);
    return { allBut: [...new Set([...below.map((user) => user.userId), ...dropped])] };
  }
  return { owners: await ownersAbove(db, config, moreThan, now, null) };
}

/**
 * Counted sessions per sign-in method, from the count table alone: not revoked, signed in through
 * SSO or with a key still configured, and — unlike activeTotals — expired ones that cleanup has not
 * deleted yet included. Cheap enough for every metrics scrape: it never reads "Session" (but while a
 * force logout's rows are being marked, when it counts the active sessions as activeTotals does).
 */
export async function countedSessionsPerMethod(db: Database, config: Config): Promise<{ method: string; sessions: number }[]> {
  const pending = await pendingForceLogout(db);
  if (pending) {
    const { byMethod } = await activeSessionsBreakdown(db, config, new Date());
    return Object.entries(byMethod).map(([method, sessions]) => ({ method, sessions }));
  }
  const groups = await db.prisma.userSessionCount.groupBy({ by: ["authMethod"], where: countedWhere(config), _sum: { sessions: true } });
  return groups.map((group) => ({ method: group.authMethod, sessions: group._sum.sessions ?? 0 }));
}

export type ActiveBreakdown = { byMethod: Record<string, number>; byDevice: Record<string, number> };

/**
 * Active sessions at `now` by sign-in method and by device type, exact, by the same rule as
 * activeTotals: the counts kept in UserDeviceCount (UserSessionCount with the device type in the
 * key, kept by the same trigger conditions) of credentials still accepted, minus the lapsed sessions
 * (expired, not yet deleted by cleanup; few, found through the expiresAt index).
 */
export async function activeSessionsBreakdown(db: Database, config: Config, now: Date): Promise<ActiveBreakdown> {
  const byMethod: Record<string, number> = {};
  const byDevice: Record<string, number> = {};
  const add = (deviceType: string, method: string, sessions: number) => {
    byMethod[method] = (byMethod[method] ?? 0) + sessions;
    byDevice[deviceType] = (byDevice[deviceType] ?? 0) + sessions;
  };
  const pending = await pendingForceLogout(db);
  if (pending) {
    for (const row of await activeSinceForceLogout(db, config, now, pending)) add(row.deviceType ?? "unknown", row.authMethod, 1);
    return { byMethod, byDevice };
  }
  const prints = acceptedPrints(config);
  const [counted, lapsed] = await Promise.all([
    db.prisma.userDeviceCount.groupBy({
      by: ["deviceType", "authMethod"],
      where: { OR: [{ authMethod: "oidc" }, { keyFingerprint: { in: prints } }] },
      _sum: { sessions: true },
    }),
    db.prisma.session.groupBy({
      by: ["deviceType", "authMethod"],
      where: { expiresAt: { lte: now }, revokedAt: null, OR: [{ authMethod: "oidc" }, { keyFingerprint: { in: prints } }] },
      _count: { _all: true },
    }),
  ]);
  for (const group of counted) add(group.deviceType, group.authMethod, group._sum.sessions ?? 0);
  for (const group of lapsed) add(group.deviceType ?? "unknown", group.authMethod, -group._count._all);
  return { byMethod, byDevice };
}
