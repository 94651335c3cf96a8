import type { Config } from "../config";
import type { Database } from "../db";

/**
 * Failed sign-ins are counted per IP and per username in fixed windows of
 * DASHBOARD_LOGIN_WINDOW_MINUTES. The counters live in the database, so every replica sees them.
 */
export type LoginLimitKey = { kind: "ip" | "user"; value: string };

const rowKey = (key: LoginLimitKey) => `${key.kind}:${key.value}`;
const limitFor = (config: Config, key: LoginLimitKey) =>
  key.kind === "ip" ? config.loginLimits.perIp : config.loginLimits.perUser;
const windowMs = (config: Config) => config.loginLimits.windowMinutes * 60_000;

/** Seconds until the first exhausted counter's window ends, or null when sign-in may proceed. */
export async function loginRetryAfter(db: Database, config: Config, keys: LoginLimitKey[], now = new Date()) {
  const rows = await db.prisma.loginAttempt.findMany({ where: { key: { in: keys.map(rowKey) } } });
  let retryAfterMs = 0;
  for (const key of keys) {
    const row = rows.find((r) => r.key === rowKey(key));
    if (!row) continue;
    const windowEnd = row.windowStart.getTime() + windowMs(config);
    if (windowEnd > now.getTime() && row.failures >= limitFor(config, key)) {
      retryAfterMs = Math.max(retryAfterMs, windowEnd - now.getTime());
    }
  }
  return retryAfterMs > 0 ? Math.ceil(retryAfterMs / 1000) : null;
}

/** Counts one failure against each key; a window that has run out starts again at 1. */
export async function recordLoginFailure(db: Database, config: Config, keys: LoginLimitKey[], now = new Date()) {
  const cutoff = new Date(now.getTime() - windowMs(config));
  for (const key of keys) {
    // One statement so that concurrent failures on several replicas are all counted.
    await db.prisma.$executeRaw`
      INSERT INTO "LoginAttempt" ("key", "failures", "windowStart") VALUES (${rowKey(key)}, 1, ${now})
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = CASE WHEN "LoginAttempt"."windowStart" <= ${cutoff} THEN 1 ELSE "LoginAttempt"."failures" + 1 END,
        "windowStart" = CASE WHEN "LoginAttempt"."windowStart" <= ${cutoff} THEN ${now} ELSE "LoginAttempt"."windowStart" END`;
  }
}

/** A successful sign-in clears the username's counter (not the IP's: one valid account must not
 * let a guesser reset its address's count). */
export async function clearLoginFailures(db: Database, key: LoginLimitKey) {
  await db.prisma.loginAttempt.deleteMany({ where: { key: rowKey(key) } });
}
