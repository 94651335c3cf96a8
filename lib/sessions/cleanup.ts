import type { Config } from "../config";
import { recordAuthEvent } from "../audit";
import type { Database } from "../db";

export type CleanupResult = { expiredSessions: number; loginAttempts: number };

/**
 * Deletes sessions past their expiry, a bounded batch per short write so sign-ins never wait long
 * behind it, and login-attempt counters whose window has passed. expiresAt never exceeds
 * absoluteExpiresAt, so one indexed condition finds both kinds of expiry. Revoked rows stay until
 * they expire, so a revoked device is still told why at its next request. The run is audited with
 * its count ("sessions.cleaned").
 */
export async function cleanupSessions(
  db: Database,
  config: Config,
  options: { actor?: string; batchSize?: number; now?: Date } = {},
): Promise<CleanupResult> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 1000;
  let expiredSessions = 0;
  for (;;) {
    const batch = await db.prisma.session.findMany({ where: { expiresAt: { lte: now } }, select: { id: true }, take: batchSize });
    if (batch.length === 0) break;
    const { count } = await db.prisma.session.deleteMany({ where: { id: { in: batch.map((row) => row.id) }, expiresAt: { lte: now } } });
    expiredSessions += count;
    if (batch.length < batchSize) break;
    // Let queued requests (sign-ins, session checks) run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const windowStart = new Date(now.getTime() - config.loginLimits.windowMinutes * 60_000);
  const { count: loginAttempts } = await db.prisma.loginAttempt.deleteMany({ where: { windowStart: { lt: windowStart } } });
  if (expiredSessions > 0) {
    await recordAuthEvent(db, {
      type: "sessions.cleaned",
      actor: options.actor ?? "system",
      detail: `deleted ${expiredSessions} expired session${expiredSessions === 1 ? "" : "s"}`,
      count: expiredSessions,
      at: now,
    });
  }
  return { expiredSessions, loginAttempts };
}

const timers = globalThis as unknown as { sessionboardCleanup?: NodeJS.Timeout };

/** The periodic in-process cleanup (DASHBOARD_CLEANUP_INTERVAL_MINUTES; 0 = off). */
export function startCleanupTimer(config: Config, getDb: () => Promise<Database>): void {
  if (config.cleanupIntervalMinutes === 0 || timers.sessionboardCleanup) return;
  const run = async () => {
    try {
      const result = await cleanupSessions(await getDb(), config);
      if (result.expiredSessions > 0) console.log(`Sessionboard: cleanup deleted ${result.expiredSessions} expired sessions`);
    } catch (error) {
      console.error("Sessionboard: session cleanup failed; it will run again at the next interval", error);
    }
  };
  timers.sessionboardCleanup = setInterval(run, config.cleanupIntervalMinutes * 60_000);
  timers.sessionboardCleanup.unref();
  setTimeout(run, 10_000).unref();
}
