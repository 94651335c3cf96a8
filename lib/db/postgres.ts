import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { PostgresConfig } from "../config";
import type { DatabaseClient } from "./client";
import { PrismaClient as PostgresPrismaClient } from "./generated/postgres/client";
import { applyPostgresMigrations } from "./postgres-migrations";
import { forwardQueries, QUERY_EVENTS, type OpenOptions } from "./query-log";
import { RETRY_WINDOW_MS, SESSION_EVENT_ID_PREFIX } from "../webhooks/events";
import { EXPIRY_CAUSE_SQL } from "../sessions/end-reasons";
import { ACTIVITY_ENTRIES_KEPT, withinLapsedBound, type Database, type ExpiryMarking, type ForceLogoutCutoffRow, type ListedSessionRow, type SessionWithUser } from "./types";
import { createHash } from "node:crypto";
import { LISTED_TIMES, openAlertsStatement, toOpenAlert, splitReads, userSessionsStatement, type AlertRowAsRead, type ListDialect, type ListedTime } from "./list-statements";
import { withTimes, type TimesAsText } from "./row-times";

/** Any fixed 64-bit number other than the migration lock's; held by whichever replica cleans up. */
const LOCKS = { cleanup: 7_326_410_552 } as const;
/** How much longer than the statement timeout the client waits for any answer at all. */
const READ_TIMEOUT_MARGIN_MS = 2_000;

/**
 * Opens a pool on DATABASE_URL, applies pending migrations (once, under an advisory lock, however
 * many replicas start together) and returns the backend. Prisma and the hot-path statements share
 * the pool, so DASHBOARD_DB_POOL_SIZE bounds this process's connections.
 */
export async function openPostgresDatabase(config: PostgresConfig, options: OpenOptions = {}): Promise<Database> {
  const { onQuery } = options;
  const webhookUrls = [...(options.webhookUrls ?? [])];
  const connection: pg.PoolConfig = {
    connectionString: config.url,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    // Notice a silently dead idle connection within a minute or so, not the OS's two hours.
    keepAliveInitialDelayMillis: 10_000,
    application_name: "sessionboard",
    statement_timeout: config.statementTimeoutMs,
    // Prisma's adapter sends DateTime parameters as UTC wall-clock text without a zone; a session in
    // UTC reads them as the instants they are, whatever the server's default TimeZone.
    options: "-c TimeZone=UTC",
  };

  // Migrations get their own connection without the read timeout below: they may wait for another
  // replica's migrations, or run long.
  const migrations = new pg.Pool({ ...connection, max: 1 });
  migrations.on("error", ignoreConnectionError);
  try {
    await applyPostgresMigrations(migrations);
  } finally {
    await migrations.end().catch(() => undefined);
  }

  const pool = new pg.Pool({
    ...connection,
    max: config.poolSize,
    // The server cancels a slow statement itself (statement_timeout). No answer at all by this
    // long after means it cannot be reached (e.g. packets dropped), which the client must notice
    // itself: the request gets a 503 and the outage begins, rather than hanging.
    query_timeout: config.statementTimeoutMs + READ_TIMEOUT_MARGIN_MS,
  });
  // An idle connection dropped by the server, a pooler or a firewall must not crash the process. It
  // is no outage either: the pool discards it and the next query opens a fresh one (a query that
  // then fails reports the outage itself).
  pool.on("error", ignoreConnectionError);
  // A connection whose query got no answer within the read timeout is in an unknown state: the
  // statement may still run when the network comes back, while pg drops the ROLLBACK queued behind
  // it (it timed out too) and Prisma returns the connection to the pool. Reused, it hands the next
  // request a transaction left open: its writes invisible to others, or committed later with the
  // failed transaction's. So it is closed at once; the pool never hands out a closed connection.
  pool.on("connect", (client) => closeOnReadTimeout(client));

  const adapter = new PrismaPg(pool, { onConnectionError: ignoreConnectionError });
  /**
   * One connection checked out for `work` (a transaction, a session-level lock). The pool listens
   * for errors only on idle clients, so this one gets its own listener; if anything fails the
   * connection is discarded rather than reused.
   */
  async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    client.on("error", ignoreConnectionError);
    let discard: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      discard = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.off("error", ignoreConnectionError);
      client.release(discard);
    }
  }
  // Same models and API as the SQLite client, whose type stands for both (see ./client).
  let prisma: DatabaseClient;
  if (onQuery) {
    const client = new PostgresPrismaClient({ adapter, log: [...QUERY_EVENTS] });
    forwardQueries(client, onQuery);
    prisma = client as unknown as DatabaseClient;
  } else {
    prisma = new PostgresPrismaClient({ adapter }) as unknown as DatabaseClient;
  }
  /** The pool's own statements, reported like Prisma's. */
  const query = <R extends pg.QueryResultRow>(statement: { name: string; text: string; values: unknown[] }) => {
    onQuery?.(statement.text, statement.values);
    return pool.query<R>(statement);
  };
  /**
   * The lapsed rows per user, at most `limit` of them read (null: all). PostgreSQL has no index
   * hints. Statistics taken while half the table had expired (say, before the first cleanup) make it
   * scan every row; turning sequential scans off for this one transaction leaves the partial index
   * of the rows not ended, by expiry, as the way in.
   */
  const lapsed = (now: Date, keyFingerprints: string[], limit: number | null) =>
    withClient(async (client) => {
      await client.query(`BEGIN; ${LAPSED_PLAN}`);
      const statement = limit === null
        ? { name: "sb_lapsed", text: LAPSED, values: [now, keyFingerprints] }
        : { name: "sb_lapsed_up_to", text: LAPSED_UP_TO, values: [now, keyFingerprints, limit] };
      // Reported together, so a listener sees the setting right before the statement it applies to.
      onQuery?.(LAPSED_PLAN, []);
      onQuery?.(statement.text, statement.values);
      const { rows } = await client.query<{ userId: string; sessions: number }>(statement);
      await client.query("COMMIT");
      return rows;
    });

  return {
    backend: "postgres",
    prisma,
    webhookUrls,
    async findSessionByTokenHash(tokenHash) {
      // Named, so each connection parses and plans it once.
      const { rows } = await query<{ session: TimesAsText<PostgresSessionRow, SessionTime> }>({ name: "sb_find_session", text: FIND_SESSION, values: [tokenHash] });
      return rows[0] ? toSessionWithUser(withTimes(rows[0].session, SESSION_TIMES)) : null;
    },
    async forceLogoutCutoff() {
      const { rows } = await query<ForceLogoutCutoffRow>({ name: "sb_force_logout_cutoff", text: READ_CUTOFF, values: [] });
      return rows[0] ?? null;
    },
    async touchSession(id, { lastActiveAt, expiresAt, seen }) {
      await query({
        name: "sb_touch_session",
        text: TOUCH_SESSION,
        values: [lastActiveAt, expiresAt, id, seen.ipAddress, seen.userAgent, seen.country, seen.city],
      });
    },
    async endExpiredSessions(now, limit, endedBy, from) {
      const { rows } = webhookUrls.length
        ? await query<ExpiryMarking>({
            name: "sb_end_expired_events",
            text: endExpired(true),
            values: [now, limit, endedBy, from, webhookUrls, now.toISOString(), new Date(now.getTime() + RETRY_WINDOW_MS)],
          })
        : await query<ExpiryMarking>({ name: "sb_end_expired", text: endExpired(false), values: [now, limit, endedBy, from] });
      return rows[0];
    },
    async expiryFloor() {
      // None kept: the partial index of the rows not ended, by expiry, holds exactly the rows to mark.
      return { floor: new Date(0), version: 0 };
    },
    async raiseExpiryFloor() {
      return false;
    },
    async deleteEndedSessions(before, limit, from) {
      const { rows } = await query<{ deleted: number; last: Date | null }>({ name: "sb_delete_ended", text: DELETE_ENDED, values: [before, limit, from] });
      return { deleted: rows[0]?.deleted ?? 0, last: rows[0]?.last ?? null };
    },
    async revokeActiveSessionsBatch(batch) {
      const values = [afterPosition(batch.after), batch.now, batch.keep, batch.limit, batch.revokedBy, batch.reason, batch.cause];
      const { rows } = await query<{ picked: number; revoked: number; last: [string, string] | null }>(
        webhookUrls.length
          ? {
              name: "sb_revoke_batch_events",
              text: revokeBatch(true),
              values: [...values, webhookUrls, batch.now.toISOString(), new Date(batch.now.getTime() + RETRY_WINDOW_MS)],
            }
          : { name: "sb_revoke_batch", text: revokeBatch(false), values },
      );
      const row = rows[0];
      return { picked: row?.picked ?? 0, revoked: row?.revoked ?? 0, last: row?.last ? JSON.stringify(row.last) : null };
    },
    async openAlerts(userId, since, active, take) {
      const { key, text, params } = openAlertsStatement(POSTGRES_LIST, userId, since, active, take);
      const { rows } = await query<{ row: AlertRowAsRead }>({ name: statementName("sb_open_alerts", key), text, values: params.map(([, value]) => value) });
      return rows.map(({ row }) => toOpenAlert(row));
    },
    async userSessions(userId, reads) {
      const { key, text, params } = userSessionsStatement(POSTGRES_LIST, userId, reads);
      const { rows } = await query<{ row: TimesAsText<ListedSessionRow, ListedTime> }>({ name: statementName("sb_user_sessions", key), text, values: params.map(([, value]) => value) });
      return splitReads(rows.map(({ row }) => withTimes(row, LISTED_TIMES)), reads.length);
    },
    async lapsedSessionsPerUser(now, keyFingerprints) {
      return lapsed(now, keyFingerprints, null);
    },
    async lapsedSessionsPerUserUpTo(now, keyFingerprints, atMost) {
      return withinLapsedBound(await lapsed(now, keyFingerprints, atMost + 1), atMost);
    },
    async roomForBulkWrite() {
      // The server checkpoints on its own.
    },
    async vacuumSessions() {
      // A vacuum of millions of rows runs far longer than any statement may: no statement timeout,
      // and a read timeout of its own. It cannot run in a transaction, so the setting is undone after.
      return withClient(async (client) => {
        await client.query("SET statement_timeout = 0");
        onQuery?.(VACUUM_SESSIONS, []);
        // pg reads query_timeout per query too; its types only know it on the pool.
        await client.query({ text: VACUUM_SESSIONS, query_timeout: VACUUM_READ_TIMEOUT_MS } as pg.QueryConfig);
        await client.query("RESET statement_timeout");
      });
    },
    async runExclusive(job, work) {
      // A session-level advisory lock lives on one connection: hold that connection for the job
      // (a failure discards the connection, which also frees the lock).
      return withClient(async (client) => {
        const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [LOCKS[job]]);
        if (!rows[0]?.locked) return { ran: false };
        try {
          return { ran: true, result: await work() };
        } finally {
          await client.query("SELECT pg_advisory_unlock($1)", [LOCKS[job]]);
        }
      });
    },
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** Wraps the client's query so that a read timeout (pg's "Query read timeout") closes the connection. */
function closeOnReadTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const close = (error: unknown) => {
    if (error instanceof Error && error.message === "Query read timeout") client.end().catch(() => undefined);
  };
  client.query = ((...args: unknown[]) => {
    const answer = query(...args);
    if (answer instanceof Promise) answer.catch(close);
    return answer;
  }) as typeof client.query;
}

/** A connection's own error event; the query it breaks rejects (and is reported) on its own. */
const ignoreConnectionError = () => undefined;

/**
 * A prepared statement's name for a shape `key`: the server cuts names at 63 bytes, and two shapes
 * cut to one name would collide, so a long key goes in as its hash.
 */
function statementName(prefix: string, key: string): string {
  const name = `${prefix}_${key}`;
  return name.length <= 63 ? name : `${prefix}_${createHash("sha256").update(key).digest("base64url").slice(0, 24)}`;
}

const READ_CUTOFF = `SELECT "at", "keepSessionId", "revokedBy", "revokeReason", "endReason" FROM "ForceLogoutCutoff" WHERE "id" = 1 AND NOT "marked"`;

const POSTGRES_LIST: ListDialect = {
  placeholder: (_name, index) => `$${index + 1}`,
  // The form the partial indexes of the rows not ended are declared with.
  notEnded: (alias) => `${alias}."revokedAt" IS NULL`,
  oneOf: (column, list) => `${column} = ANY(${list}::text[])`,
  date: (value) => value,
  list: (values) => values,
  literalLimit: false,
  jsonRows: true,
};

/**
 * The session with its user and the force logout in progress (see Database.findSessionByTokenHash),
 * as one JSON column. As 32 columns, pg set up a parser and an object slot per column for every
 * answer and parsed each of the eight times in JavaScript: measured, the JSON row (JSON.parse and
 * Date are native) answered GET /api/auth/session 1.10 times as often on PostgreSQL.
 */
const FIND_SESSION = `
  SELECT row_to_json(t) AS "session" FROM (
  SELECT s."id", s."userId", s."tokenHash", s."tokenHint", s."authMethod", s."ipAddress", s."country", s."city", s."userAgent",
         s."rememberMe", s."keyFingerprint", s."createdAt", s."authenticatedAt", s."lastActiveAt", s."expiresAt",
         s."absoluteExpiresAt", s."revokedAt", s."revokedBy", s."revokeReason", s."endReason",
         s."lastIpAddress", s."lastUserAgent",
         u."username", u."displayName", u."email", u."role", u."disabledAt", u."oidcIssuer", u."oidcSubject",
         f."at" AS "forceLogoutAt", f."keepSessionId" AS "forceLogoutKeepSessionId", f."revokedBy" AS "forceLogoutRevokedBy",
         f."revokeReason" AS "forceLogoutRevokeReason", f."endReason" AS "forceLogoutEndReason"
    FROM "Session" s JOIN "User" u ON u."id" = s."userId"
    LEFT JOIN "ForceLogoutCutoff" f ON f."id" = 1 AND NOT f."marked"
   WHERE s."tokenHash" = $1) t`;

/**
 * The activity write in one statement (one round trip, its own transaction): the session's columns,
 * its SessionActivity entry upserted, and — only when that added an entry (xmax 0: inserted, not
 * updated) — the entries beyond the newest ACTIVITY_ENTRIES_KEPT deleted. The DELETE sees the
 * entries as they were before this statement, so it keeps the newest KEPT - 1 of those.
 */
const TOUCH_SESSION = `
  WITH touched AS (
    UPDATE "Session" SET "lastActiveAt" = $1, "expiresAt" = $2,
           "lastIpAddress" = $4, "lastUserAgent" = $5, "lastCountry" = $6, "lastCity" = $7
     WHERE "id" = $3
    RETURNING "id"),
  seen AS (
    INSERT INTO "SessionActivity" ("sessionId", "ipAddress", "userAgent", "country", "city", "firstSeenAt", "lastSeenAt")
    SELECT "id", COALESCE($4, ''), COALESCE($5, ''), $6, $7, $1, $1 FROM touched
    ON CONFLICT ("sessionId", "ipAddress", "userAgent")
    DO UPDATE SET "lastSeenAt" = EXCLUDED."lastSeenAt", "country" = EXCLUDED."country", "city" = EXCLUDED."city"
    RETURNING (xmax = 0) AS "added")
  DELETE FROM "SessionActivity"
   WHERE "sessionId" = $3 AND EXISTS (SELECT 1 FROM seen WHERE "added")
     AND ("ipAddress", "userAgent") NOT IN (
       SELECT "ipAddress", "userAgent" FROM "SessionActivity" WHERE "sessionId" = $3
        ORDER BY "lastSeenAt" DESC LIMIT ${ACTIVITY_ENTRIES_KEPT - 1})`;

/**
 * Expiries nobody saw, marked ended (see Database.endExpiredSessions); rows being written are
 * skipped. The pick is a CTE, evaluated once: as `id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`
 * the planner could run the subquery again for the UPDATE, which then marked more than n rows and
 * not the earliest (a batch of 100 marked 170, spread over the range). `withEvents`: and a
 * session.ended webhook event for each, in the same statement.
 */
const endExpired = (withEvents: boolean) => `
  WITH picked AS (
    SELECT "id" FROM "Session" WHERE "revokedAt" IS NULL AND "expiresAt" >= $4 AND "expiresAt" <= $1
     ORDER BY "expiresAt" LIMIT $2 FOR UPDATE SKIP LOCKED),
  ended AS (
    UPDATE "Session" s SET "revokedAt" = s."expiresAt", "revokedBy" = $3, "endReason" = ${EXPIRY_CAUSE_SQL}
      FROM picked
     WHERE s."id" = picked."id" AND s."revokedAt" IS NULL
    RETURNING s."id", s."userId", s."authMethod", s."endReason", s."expiresAt")${withEvents ? `,
  events AS (${endedEvents("ended", { urls: "$5", at: "$1", iso: "$6", reason: 'e."endReason"', endedBy: "$3", giveUp: "$7" })}
    RETURNING 1)` : ""}
  SELECT count(*)::int AS "marked",
         (count(*) FILTER (WHERE "endReason" = 'expired_idle'))::int AS "idle",
         (count(*) FILTER (WHERE "endReason" = 'expired_absolute'))::int AS "absolute",
         max("expiresAt") AS "last"
    FROM ended`;

/** Ended sessions past the retention (see Database.deleteEndedSessions). */
const DELETE_ENDED = `
  WITH picked AS (
    SELECT "id" FROM "Session" WHERE "revokedAt" >= $3 AND "revokedAt" <= $1 ORDER BY "revokedAt" LIMIT $2 FOR UPDATE SKIP LOCKED),
  deleted AS (
    DELETE FROM "Session" s USING picked WHERE s."id" = picked."id"
    RETURNING s."revokedAt")
  SELECT count(*)::int AS "deleted", max("revokedAt") AS "last" FROM deleted`;

/**
 * A session.ended webhook event per row of `source` (id, userId, authMethod) and URL of `urls`, as
 * sessionEndedEvent (lib/webhooks/events.ts) writes it: the same id, fields and order.
 */
const endedEvents = (source: string, p: { urls: string; at: string; iso: string; reason: string; endedBy: string; giveUp: string }) => `
  INSERT INTO "WebhookDelivery" ("eventId", "type", "payload", "sessionId", "url", "createdAt", "nextAttemptAt", "giveUpAt")
  SELECT '${SESSION_EVENT_ID_PREFIX.ended}' || e."id", 'session.ended',
         json_build_object('type', 'session.ended', 'timestamp', ${p.iso}::text, 'data', json_build_object(
           'sessionId', e."id", 'userId', e."userId", 'username', u."username", 'authMethod', e."authMethod",
           'endReason', ${p.reason}, 'endedBy', ${p.endedBy}::text, 'endedAt', ${p.iso}::text))::text,
         e."id", url, ${p.at}, ${p.at}, ${p.giveUp}
    FROM ${source} e JOIN "User" u ON u."id" = e."userId" CROSS JOIN unnest(${p.urls}::text[]) AS url
   ORDER BY e."id", url`;

const LAPSED_PLAN = "SET LOCAL enable_seqscan = off";
const LAPSED_WHERE = `"revokedAt" IS NULL AND "expiresAt" <= $1 AND ("authMethod" = 'oidc' OR "keyFingerprint" = ANY($2::text[]))`;
const LAPSED = `SELECT "userId", COUNT(*)::int AS "sessions" FROM "Session" WHERE ${LAPSED_WHERE} GROUP BY "userId"`;
// In expiry order, so that the read stops after $3 index entries (a bitmap scan would read them all first).
const LAPSED_UP_TO = `
  SELECT "userId", COUNT(*)::int AS "sessions"
    FROM (SELECT "userId" FROM "Session" WHERE ${LAPSED_WHERE} ORDER BY "expiresAt" LIMIT $3) AS "lapsed"
   GROUP BY "userId"`;

// SKIP_LOCKED: when another vacuum (another replica's, autovacuum) has the table, this one is skipped, not queued.
const VACUUM_SESSIONS = `VACUUM (ANALYZE, SKIP_LOCKED) "Session"`;
const VACUUM_READ_TIMEOUT_MS = 30 * 60_000;

/**
 * Force logout, one keyset batch in (userId, id) order, in one statement (its own transaction). By
 * owner, so a batch ends whole users' sessions at once: the count triggers then touch one
 * UserSessionCount row per user, not one per session (in id order a batch of 5,000 rows moved about
 * as many count rows; their upserts were a quarter of the batch's time). $1 is the last row of the
 * previous batch as [userId, id], ['', ''] at the start (the empty string sorts before every id in any
 * collation). The rows are locked in that order (FOR UPDATE under the LIMIT, so a row another writer
 * revoked first is skipped without shortening the batch), so two of these running at once queue
 * rather than deadlock. `withEvents`: and a session.ended webhook event for each row it revoked, in
 * the same statement.
 */
const revokeBatch = (withEvents: boolean) => `
  WITH picked AS (
    SELECT "id", "userId" FROM "Session"
     WHERE ("userId", "id") > (($1::text[])[1], ($1::text[])[2])
       AND "revokedAt" IS NULL AND "createdAt" <= $2 AND "expiresAt" > $2 AND "absoluteExpiresAt" > $2
       AND "id" IS DISTINCT FROM $3::text
     ORDER BY "userId", "id" LIMIT $4
       FOR UPDATE),
  revoked AS (
    UPDATE "Session" s SET "revokedAt" = $2, "revokedBy" = $5, "revokeReason" = $6, "endReason" = $7
      FROM picked
     WHERE s."id" = picked."id" AND s."revokedAt" IS NULL
    RETURNING s."id", s."userId", s."authMethod")${withEvents ? `,
  events AS (${endedEvents("revoked", { urls: "$8", at: "$2", iso: "$9", reason: "$7::text", endedBy: "$5", giveUp: "$10" })}
    RETURNING 1)` : ""}
  SELECT (SELECT count(*) FROM picked)::int AS "picked", (SELECT count(*) FROM revoked)::int AS "revoked",
         (SELECT ARRAY["userId", "id"] FROM picked ORDER BY "userId" DESC, "id" DESC LIMIT 1) AS "last"`;

/** Where a force-logout batch starts: the previous batch's last [userId, id] (as it returned it), or the start. */
function afterPosition(after: string | null): [string, string] {
  if (after === null) return ["", ""];
  const position: unknown = JSON.parse(after);
  if (!Array.isArray(position) || position.length !== 2 || !position.every((part) => typeof part === "string")) {
    throw new Error(`not a force-logout position: ${after}`);
  }
  return [position[0], position[1]];
}

/** timestamptz columns arrive as Date and booleans as boolean. */
type PostgresSessionRow = Omit<SessionWithUser, "user" | "authMethod" | "forceLogout"> & { authMethod: string } & Omit<SessionWithUser["user"], "id"> & {
  forceLogoutAt: Date | null;
  forceLogoutKeepSessionId: string | null;
  forceLogoutRevokedBy: string | null;
  forceLogoutRevokeReason: string | null;
  forceLogoutEndReason: string | null;
};

const SESSION_TIMES = ["createdAt", "authenticatedAt", "lastActiveAt", "expiresAt", "absoluteExpiresAt", "revokedAt", "disabledAt", "forceLogoutAt"] as const satisfies readonly (keyof PostgresSessionRow)[];
type SessionTime = (typeof SESSION_TIMES)[number];

function toSessionWithUser(row: PostgresSessionRow): SessionWithUser {
  const { username, displayName, email, role, disabledAt, oidcIssuer, oidcSubject, forceLogoutAt, forceLogoutKeepSessionId, forceLogoutRevokedBy, forceLogoutRevokeReason, forceLogoutEndReason, ...session } = row;
  return {
    ...session,
    authMethod: row.authMethod === "oidc" ? "oidc" : "static",
    user: { id: row.userId, username, displayName, email, role, disabledAt, oidcIssuer, oidcSubject },
    forceLogout:
      forceLogoutAt === null
        ? null
        : { at: forceLogoutAt, keepSessionId: forceLogoutKeepSessionId, revokedBy: forceLogoutRevokedBy ?? "", revokeReason: forceLogoutRevokeReason ?? "", endReason: forceLogoutEndReason ?? "" },
  };
}
