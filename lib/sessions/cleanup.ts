import { SYSTEM_ACTOR, type Actor } from "../actor";
import type { Config } from "../config";
import { recordAuthEvent } from "../audit";
import type { Database } from "../db";
import { pruneDevicesAndAlerts } from "../alerts/new-device";
import { failAbandonedDeliveries, pruneWebhookDeliveries } from "../webhooks/delivery";
import { deleteEndedSessionsTokens } from "../auth/sso-tokens";
import { recordCleanupDeleted, recordSessionsEnded } from "../metrics/metrics";
import { withSpan } from "../tracing";
import { logger } from "../log";
import { inTimedBatches, vacuumAfterBulkWrite } from "./bulk-batches";
import { finishInterruptedForceLogout } from "./force-logout";

/** expiredSessions: the ended sessions deleted (past the history kept); endedSessions: the unseen expiries marked ended. */
export type CleanupResult = { expiredSessions: number; endedSessions: number; loginAttempts: number };

/**
 * First finishes a force logout whose process stopped before its rows were all marked
 * (finishInterruptedForceLogout), then marks ended the sessions past their expiry that nobody saw expire (ended when they expired,
 * expired_idle or expired_absolute, counted in the metrics here, once), then deletes the sessions
 * ended more than SESSION_HISTORY_DAYS ago — each step in short writes (see cleanupBatches), so
 * sign-ins never wait long behind it, and each one range of an index (expiries from the expiry
 * floor, ends before the history kept). Until then an ended row is history (Recently ended) and
 * still tells its device why it ended. Also deletes
 * login-attempt counters whose window has passed, known devices and new-device alerts older than
 * 90 days, and finished webhook deliveries older than 30 days. The run is audited with its count
 * ("sessions.cleaned").
 */
export function cleanupSessions(
  db: Database,
  config: Config,
  options: { actor?: Actor; batchSize?: number; now?: Date } = {},
): Promise<CleanupResult> {
  // Each batch is a child span (db endExpiredSessions, db deleteEndedSessions) with the rows it changed.
  return withSpan("session.cleanup", async (span) => {
    const result = await deleteExpired(db, config, options);
    span?.setAttribute("session.cleanup.expired_sessions", result.expiredSessions);
    span?.setAttribute("session.cleanup.login_attempts", result.loginAttempts);
    return result;
  });
}

/**
 * Cleanup's batch sizes. SQLite (and the in-memory store): by time, from a small first batch — an
 * expired row there can cost 0.3 ms (its count triggers, its place in expiry order, random on the
 * page), and a batch holds the one writer and this process's event loop; fixed batches of 500 held
 * sign-ins up to 341 ms. PostgreSQL: fixed batches of 500. A batch there holds its rows' locks and
 * its users' count rows, not the whole database; sized by time (at 200,000 sessions, under sign-in
 * load) it ran at the same rate and held sign-ins as long (186 ms at most against 212), so the
 * simpler rule stays.
 */
function cleanupBatches(db: Database, fixed: number | undefined): { first: number } | { fixed: number } {
  if (fixed !== undefined) return { fixed };
  return db.backend === "postgres" ? { fixed: 500 } : { first: 100 };
}

async function deleteExpired(db: Database, config: Config, options: { actor?: Actor; batchSize?: number; now?: Date }): Promise<CleanupResult> {
  const now = options.now ?? new Date();
  // A force logout whose process stopped part-way holds (its cutoff) but is finished here.
  const finished = await finishInterruptedForceLogout(db, now);
  // From the expiry floor, each batch starting where the last one stopped (see Database.endExpiredSessions).
  let endedSessions = 0;
  const floor = await db.expiryFloor();
  let expiredFrom = floor.floor;
  await inTimedBatches(db, "cleanup_mark", async (limit) => {
    const { marked, idle, absolute, last } = await db.endExpiredSessions(now, limit, (options.actor ?? SYSTEM_ACTOR).username, expiredFrom);
    expiredFrom = last ?? expiredFrom;
    if (idle > 0) recordSessionsEnded("expired_idle", idle);
    if (absolute > 0) recordSessionsEnded("expired_absolute", absolute);
    endedSessions += marked;
    return marked;
  }, cleanupBatches(db, options.batchSize));
  // Every expiry up to now is marked: the next run (and the Admin Panel's figures) start from here.
  await db.raiseExpiryFloor(floor, now);
  const keptFrom = new Date(now.getTime() - config.historyDays * 86_400_000);
  let expiredSessions = 0;
  let endedFrom = new Date(0);
  await inTimedBatches(db, "cleanup_delete", async (limit) => {
    const { deleted, last } = await db.deleteEndedSessions(keptFrom, limit, endedFrom);
    endedFrom = last ?? endedFrom;
    recordCleanupDeleted(deleted);
    expiredSessions += deleted;
    return deleted;
  }, cleanupBatches(db, options.batchSize));
  await vacuumAfterBulkWrite(db, finished + endedSessions + expiredSessions);
  // Ended sessions keep no identity provider tokens, even while their rows stay (revoked ones do until expiry).
  await deleteEndedSessionsTokens(db, now);
  const windowStart = new Date(now.getTime() - config.loginLimits.windowMinutes * 60_000);
  const { count: loginAttempts } = await db.prisma.loginAttempt.deleteMany({ where: { windowStart: { lt: windowStart } } });
  // Devices unused for 90 days are new again, and alerts that old are done with.
  await pruneDevicesAndAlerts(db, now);
  await failAbandonedDeliveries(db, config.webhooks?.urls ?? [], now);
  await pruneWebhookDeliveries(db, now);
  if (expiredSessions > 0) {
    await recordAuthEvent(db, {
      type: "sessions.cleaned",
      actor: (options.actor ?? SYSTEM_ACTOR).username,
      detail: `deleted ${expiredSessions} ended session${expiredSessions === 1 ? "" : "s"} (kept ${config.historyDays} days)`,
      count: expiredSessions,
      at: now,
    });
  }
  return { expiredSessions, endedSessions, loginAttempts };
}

const timers = globalThis as unknown as { sessionboardCleanup?: NodeJS.Timeout; sessionboardFirstCleanup?: NodeJS.Timeout };

/** The periodic in-process cleanup (DASHBOARD_CLEANUP_INTERVAL_MINUTES; 0 = off). */
export function startCleanupTimer(config: Config, getDb: () => Promise<Database>): void {
  if (config.cleanupIntervalMinutes === 0 || timers.sessionboardCleanup) return;
  const run = async () => {
    try {
      const db = await getDb();
      // With several replicas on one PostgreSQL database, one of them cleans up; the rest skip this round.
      const outcome = await db.runExclusive("cleanup", () => cleanupSessions(db, config));
      if (outcome.ran && outcome.result.expiredSessions > 0) {
        logger().info({ expiredSessions: outcome.result.expiredSessions }, `Cleanup deleted ${outcome.result.expiredSessions} ended sessions`);
      }
    } catch (error) {
      logger().error({ err: error }, "Session cleanup failed; it will run again at the next interval");
    }
  };
  timers.sessionboardCleanup = setInterval(run, config.cleanupIntervalMinutes * 60_000);
  timers.sessionboardCleanup.unref();
  // A first run soon after start, so a server restarted often still cleans up.
  timers.sessionboardFirstCleanup = setTimeout(run, 10_000);
  timers.sessionboardFirstCleanup.unref();
}

/** Stops the periodic cleanup (shutdown). */
export function stopCleanupTimer(): void {
  clearInterval(timers.sessionboardCleanup);
  clearTimeout(timers.sessionboardFirstCleanup);
  timers.sessionboardCleanup = undefined;
  timers.sessionboardFirstCleanup = undefined;
}
