import type { Config } from "../config";
import { clientBlock } from "../net/cidr";
import { TRANSACTION_LIMITS, type Database, type DatabaseClient, type Prisma } from "../db";

/**
 * Failed sign-ins (and wrong keys at the re-authentication prompt) are counted per IP and per
 * username in fixed windows of DASHBOARD_LOGIN_WINDOW_MINUTES. The counters live in the database,
 * so every replica sees them.
 */
export type LoginLimitKey = { kind: "ip" | "user" | "session"; value: string };

/** The keys a sign-in attempt counts against: its username and its client (an IPv4 address, an IPv6 /64). */
export function loginLimitKeys(username: string, ip: string | null): LoginLimitKey[] {
  return withClient({ kind: "user", value: username }, ip);
}

/**
 * The keys a wrong admin key at the re-authentication prompt counts against: the session typing it
 * and its client. Not the username: anyone can exhaust a name's sign-in limit, and an admin already
 * signed in must still be able to confirm an action during the incident that brought it on.
 */
export function reauthenticationLimitKeys(sessionId: string, ip: string | null): LoginLimitKey[] {
  return withClient({ kind: "session", value: sessionId }, ip);
}

const withClient = (key: LoginLimitKey, ip: string | null): LoginLimitKey[] => (ip ? [key, { kind: "ip", value: clientBlock(ip) }] : [key]);

const rowKey = (key: LoginLimitKey) => `${key.kind}:${key.value}`;
const limitFor = (config: Config, key: LoginLimitKey) =>
  key.kind === "ip" ? config.loginLimits.perIp : config.loginLimits.perUser;
const windowMs = (config: Config) => config.loginLimits.windowMinutes * 60_000;

/**
 * A taken attempt. `succeeded`: the writes that give it back once the key proved right, for the
 * caller to commit with what the success records (a sign-in's session), so that a sign-in is not
 * half recorded and costs one commit fewer (on PostgreSQL each waits for the log to reach the disk).
 */
export type LoginAttempt =
  | { allowed: true; succeeded: (client: CounterClient) => Prisma.PrismaPromise<unknown>[] }
  | { allowed: false; retryAfter: number };

type Taken = { key: LoginLimitKey; failures: number; windowStart: Date };

/** The database, or the transaction, a give-back is written in. */
type CounterClient = Pick<DatabaseClient, "loginAttempt">;

/**
 * Takes one attempt against every key BEFORE the key is checked: one statement per key increments
 * the counter and returns it, so N concurrent guesses on any number of replicas check at most the
 * limit (reading the count first and incrementing after let bursts of 100 check 20–70 keys against a
 * limit of 10). An attempt over a limit is refused and gives its increments back, so a refusal
 * costs nothing; an attempt whose key turns out right gives back its address's increment and clears
 * the username's counter.
 */
export async function takeLoginAttempt(db: Database, config: Config, keys: LoginLimitKey[], now = new Date()): Promise<LoginAttempt> {
  // Each key's increment commits on its own: holding one key's row while taking the next could
  // deadlock against cleanup's deletion of lapsed counters (PostgreSQL), which takes its rows in
  // whatever order it finds them. Once committed, this attempt's rows are in a current window, so
  // cleanup never holds them while the success's writes wait for them.
  const taken: Taken[] = [];
  let retryAfterMs = 0;
  for (const key of keys) {
    const [counted] = await incrementAttempts(db, config, key, now);
    const row = { key, failures: Number(counted.failures), windowStart: new Date(counted.windowStart) };
    taken.push(row);
    if (row.failures > limitFor(config, key)) {
      retryAfterMs = Math.max(retryAfterMs, row.windowStart.getTime() + windowMs(config) - now.getTime());
    }
  }
  if (retryAfterMs > 0) {
    await db.prisma.$transaction(taken.map((row) => giveBack(db.prisma, row)), TRANSACTION_LIMITS);
    return { allowed: false, retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
  }
  return {
    allowed: true,
    // Not the address's whole count: one valid account must not let a guesser reset its address.
    succeeded: (client) => taken.map((row) => (row.key.kind === "ip" ? giveBack(client, row) : client.loginAttempt.deleteMany({ where: { key: rowKey(row.key) } }))),
  };
}

/** One statement, so that concurrent attempts on several replicas are all counted; a window that has run out starts again at 1. */
function incrementAttempts(db: Database, config: Config, key: LoginLimitKey, now: Date) {
  const cutoff = new Date(now.getTime() - windowMs(config));
  return db.prisma.$queryRaw<[{ failures: number | bigint; windowStart: Date | string }]>`
    INSERT INTO "LoginAttempt" ("key", "failures", "windowStart") VALUES (${rowKey(key)}, 1, ${now})
    ON CONFLICT ("key") DO UPDATE SET
      "failures" = CASE WHEN "LoginAttempt"."windowStart" <= ${cutoff} THEN 1 ELSE "LoginAttempt"."failures" + 1 END,
      "windowStart" = CASE WHEN "LoginAttempt"."windowStart" <= ${cutoff} THEN ${now} ELSE "LoginAttempt"."windowStart" END
    RETURNING "failures", "windowStart"`;
}

/** Undoes one increment, unless its window has since been restarted (a write, for a transaction). */
function giveBack(client: CounterClient, row: Taken) {
  return client.loginAttempt.updateMany({
    where: { key: rowKey(row.key), windowStart: row.windowStart, failures: { gt: 0 } },
    data: { failures: { decrement: 1 } },
  });
}
