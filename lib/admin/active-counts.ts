import { currentFingerprints } from "../auth/keys";
import type { Config } from "../config";
import { Prisma, type Database } from "../db";

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
 */

const acceptedPrints = (config: Config) => {
  const prints = currentFingerprints(config);
  return [...prints.user, ...prints.admin];
};

/** Count rows of a credential still accepted: SSO, or a static key in the configuration. */
const countedWhere = (config: Config): Prisma.UserSessionCountWhereInput => ({
  OR: [{ authMethod: "oidc" }, { keyFingerprint: { in: acceptedPrints(config) } }],
});

/** Sessions counted in UserSessionCount but no longer active at `now`, per user. */
async function lapsedPerUser(db: Database, config: Config, now: Date): Promise<Map<string, number>> {
  const groups = await db.prisma.session.groupBy({
    by: ["userId"],
    where: {
      revokedAt: null,
      expiresAt: { lte: now },
      OR: [{ authMethod: "oidc" }, { keyFingerprint: { in: acceptedPrints(config) } }],
    },
    _count: { _all: true },
  });
  return new Map(groups.map((group) => [group.userId, group._count._all]));
}

/** Prisma binds each listed id as a parameter; SQLite allows 999 of them per statement. */
const IDS_PER_QUERY = 500;

/** Counted sessions (still-accepted credentials) of the given users. */
async function countedPerUser(db: Database, config: Config, userIds: string[]): Promise<Map<string, number>> {
  const counted = new Map<string, number>();
  for (let i = 0; i < userIds.length; i += IDS_PER_QUERY) {
    const groups = await db.prisma.userSessionCount.groupBy({
      by: ["userId"],
      where: { AND: [{ userId: { in: userIds.slice(i, i + IDS_PER_QUERY) } }, countedWhere(config)] },
      _sum: { sessions: true },
    });
    for (const group of groups) counted.set(group.userId, group._sum.sessions ?? 0);
  }
  return counted;
}

/** Active sessions, and users with at least one, at `now`. */
export async function activeTotals(db: Database, config: Config, now: Date): Promise<{ activeSessions: number; activeUsers: number }> {
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

/** The users with more than `moreThan` active sessions at `now`. */
export async function ownersWithMoreThan(db: Database, config: Config, moreThan: number, now: Date): Promise<string[]> {
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
