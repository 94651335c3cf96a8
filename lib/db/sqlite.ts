import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/sqlite/client";
import { MigrationError, migrationsDir, newMigrationId, readMigrations } from "./migrations";
import { forwardQueries, QUERY_EVENTS, type OpenOptions } from "./query-log";
import { checkpointInBackground } from "./sqlite-checkpoints";
import { RETRY_WINDOW_MS, SESSION_EVENT_ID_PREFIX } from "../webhooks/events";
import { EXPIRY_CAUSE_SQL } from "../sessions/end-reasons";
import { ACTIVITY_ENTRIES_KEPT, withinLapsedBound, type Database, type ForceLogoutCutoffRow, type ListedSessionRow, type SessionWithUser } from "./types";
import { LISTED_TIMES, openAlertsStatement, toOpenAlert, userSessionsStatement, type AlertRowAsRead, type ListDialect, type ListedTime } from "./list-statements";
import { withTimes, type TimesAsText } from "./row-times";

type PrismaAdapter = ConstructorParameters<typeof PrismaClient>[0]["adapter"];

/** Prisma's SQLite DateTime text format ("2026-11-22T10:00:00.000+00:00"); it sorts as time does. */
export const toSqliteDate = (date: Date) => date.toISOString().replace("Z", "+00:00");

/** A marked expiry, as the marking statements return it. */
type MarkedRow = { endReason: string; expiresAt: string };

/** The latest of stored times (all written by toSqliteDate, so they sort as text), as a Date. */
const latest = (times: string[]): Date | null => (times.length ? new Date(times.reduce((a, b) => (b > a ? b : a))) : null);

/**
 * Opens the SQLite database (a file, or ":memory:"), applies pending migrations and returns the
 * backend. Prisma and the backend's own writes share one connection (one writer, no waits for the
 * lock within this process); the reads that answer requests have a second one (see `reader`).
 */
export async function openSqliteDatabase(file: string | ":memory:", options: OpenOptions = {}): Promise<Database> {
  const { onQuery } = options;
  const webhookUrls = [...(options.webhookUrls ?? [])];
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });

  let connection: BetterSqlite3.Database | undefined;
  const inner = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  // The adapter opens the connection itself; keep a handle on it for migrations and the hot path.
  const adapter: PrismaAdapter = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      const driver = await inner.connect();
      const client = (driver as unknown as { client?: unknown }).client;
      if (!(client instanceof BetterSqlite3)) {
        throw new Error("@prisma/adapter-better-sqlite3 no longer exposes its connection; pin its version");
      }
      connection = client;
      return driver;
    },
  };
  let prisma: PrismaClient;
  if (onQuery) {
    const client = new PrismaClient({ adapter, log: [...QUERY_EVENTS] });
    forwardQueries(client, onQuery);
    prisma = client;
  } else {
    prisma = new PrismaClient({ adapter });
  }
  await prisma.$connect();
  if (!connection) throw new Error("SQLite connection was not opened");
  const db = connection;

  if (file !== ":memory:") db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  applySqliteMigrations(db);
  // Not in the requests' way: see ./sqlite-checkpoints.ts. (":memory:" has no log.)
  const checkpoints = file === ":memory:" ? null : checkpointInBackground(db, file);

  // The reads that answer requests — the session check, the force logout in progress, one's own
  // lists — go through a connection of their own. Prisma's interactive transactions run on the shared
  // one, and a read there sees their writes before they commit: a check would find a session revoked,
  // or an account disabled, by a change that then rolls back, and sign that browser out. In WAL mode
  // this one reads the last commit and never waits for the writer. (":memory:" is the one connection's
  // own database, so it reads there.)
  const reader = file === ":memory:" ? db : openReader(file);

  // The session with its user and the force logout in progress (see Database.findSessionByTokenHash).
  const findSession = reader
    .prepare(
      `SELECT s.id, s.userId, s.tokenHash, s.tokenHint, s.authMethod, s.ipAddress, s.country, s.city, s.userAgent, s.rememberMe,
              s.keyFingerprint, s.createdAt, s.authenticatedAt, s.lastActiveAt, s.expiresAt, s.absoluteExpiresAt,
              s.revokedAt, s.revokedBy, s.revokeReason, s.endReason, s.lastIpAddress, s.lastUserAgent,
              u.username, u.displayName, u.email, u.role, u.disabledAt, u.oidcIssuer, u.oidcSubject,
              f.at AS forceLogoutAt, f.keepSessionId AS forceLogoutKeepSessionId, f.revokedBy AS forceLogoutRevokedBy,
              f.revokeReason AS forceLogoutRevokeReason, f.endReason AS forceLogoutEndReason
         FROM "Session" s JOIN "User" u ON u.id = s.userId
         LEFT JOIN "ForceLogoutCutoff" f ON f.id = 1 AND NOT f.marked
        WHERE s.tokenHash = ?`,
    )
    .safeIntegers(false);
  const touch = db.prepare(
    `UPDATE "Session" SET lastActiveAt = @at, expiresAt = @expiresAt,
            lastIpAddress = @ip, lastUserAgent = @userAgent, lastCountry = @country, lastCity = @city
      WHERE id = @id`,
  );
  const seen = db.prepare(
    `INSERT INTO "SessionActivity" (sessionId, ipAddress, userAgent, country, city, firstSeenAt, lastSeenAt)
     VALUES (@id, COALESCE(@ip, ''), COALESCE(@userAgent, ''), @country, @city, @at, @at)
     ON CONFLICT (sessionId, ipAddress, userAgent)
     DO UPDATE SET lastSeenAt = excluded.lastSeenAt, country = excluded.country, city = excluded.city`,
  );
  // At most one entry is added per write, so this deletes at most one: the least recently seen.
  const trimActivity = db.prepare(
    `DELETE FROM "SessionActivity" WHERE sessionId = @id AND rowid NOT IN (
       SELECT rowid FROM "SessionActivity" WHERE sessionId = @id ORDER BY lastSeenAt DESC LIMIT ${ACTIVITY_ENTRIES_KEPT})`,
  );
  const touchWithActivity = db.transaction((params: Record<string, string | null>) => {
    // A session deleted meanwhile gets no entry (its foreign key would refuse one anyway).
    if (touch.run(params).changes === 0) return;
    seen.run(params);
    trimActivity.run({ id: params.id });
  });
  // Marking walks the expiresAt index from `from` (at or after the expiry floor), ended rows there
  // skipped; deleting walks the revokedAt index. INDEXED BY: with the statistics of a table full of
  // ended rows, SQLite would otherwise take the not-ended rows (revokedAt IS NULL) and sort them.
  const endExpired = db
    .prepare(
      `UPDATE "Session" SET revokedAt = expiresAt, revokedBy = @endedBy, endReason = ${EXPIRY_CAUSE_SQL}
        WHERE id IN (SELECT id FROM "Session" INDEXED BY "Session_expiresAt_idx"
                      WHERE revokedAt IS NULL AND expiresAt >= @from AND expiresAt <= @now ORDER BY expiresAt LIMIT @limit)
       RETURNING endReason, expiresAt`,
    );
  const deleteEnded = db
    .prepare(
      `DELETE FROM "Session" WHERE id IN (SELECT id FROM "Session" WHERE revokedAt >= ? AND revokedAt <= ? ORDER BY revokedAt LIMIT ?)
       RETURNING revokedAt`,
    )
    .pluck();
  // Force logout, one keyset batch, in rowid order: the table's own storage order, so a batch
  // rewrites neighbouring rows on few pages. In the order of the (random) ids every revoked row
  // dirtied a page of its own, each written to the WAL: measured 35 µs a row against 4 µs. The same
  // holds for the indexes a revocation changes: revokedAt alone (a batch's rows leave its null range
  // in rowid order and enter it at one time, in rowid order), never a composite that would move each
  // row to a random place (see the 20261203100000 migration).
  // Everything the batch revokes is returned (one writer at a time: what it picked is what it revoked).
  const revokeBatch = db
    .prepare(
      `UPDATE "Session" SET revokedAt = @now, revokedBy = @revokedBy, revokeReason = @reason, endReason = @cause
        WHERE rowid IN (SELECT rowid FROM "Session"
                         WHERE rowid > @after AND revokedAt IS NULL AND createdAt <= @now AND expiresAt > @now AND absoluteExpiresAt > @now
                           AND id IS NOT @keep
                         ORDER BY rowid LIMIT @limit)
       RETURNING rowid`,
    )
    .pluck()
    .safeIntegers(true);
  // From the expiry floor: between two cleanups, only what expired since the last one. INDEXED BY:
  // with the statistics of a table full of expired rows, SQLite would otherwise walk the whole
  // [userId, createdAt] index to group without sorting.
  // The last parameter bounds the rows read: -1, none.
  const lapsed = db.prepare(
    `SELECT userId, COUNT(*) AS sessions FROM (
       SELECT userId FROM "Session" INDEXED BY "Session_expiresAt_idx"
        WHERE revokedAt IS NULL AND expiresAt >= (SELECT floor FROM "SessionExpiryFloor" WHERE id = 1) AND expiresAt <= ?
          AND (authMethod = 'oidc' OR keyFingerprint IN (SELECT value FROM json_each(?)))
        LIMIT ?)
      GROUP BY userId`,
  );
  const readCutoff = reader.prepare(`SELECT at, keepSessionId, revokedBy, revokeReason, endReason FROM "ForceLogoutCutoff" WHERE id = 1 AND NOT marked`);
  const readFloor = db.prepare(`SELECT floor, version FROM "SessionExpiryFloor" WHERE id = 1`);
  // Never lowers it: a run that read an older floor and finished after a later one leaves the later.
  const raiseFloor = db.prepare(`UPDATE "SessionExpiryFloor" SET floor = @to WHERE id = 1 AND version = @version AND floor < @to`);
  // With webhooks on, the batches above also write a session.ended event per ended row and URL, as
  // sessionEndedEvent (lib/webhooks/events.ts) does: same id, fields and order. SQLite cannot feed a
  // RETURNING into an INSERT, so each batch runs as a transaction of three statements instead.
  const endedEvents = db.prepare(
    `INSERT INTO "WebhookDelivery" (eventId, type, payload, sessionId, url, createdAt, nextAttemptAt, giveUpAt)
     SELECT '${SESSION_EVENT_ID_PREFIX.ended}' || s.id, 'session.ended',
            json_object('type', 'session.ended', 'timestamp', @iso, 'data', json_object(
              'sessionId', s.id, 'userId', s.userId, 'username', u.username, 'authMethod', s.authMethod,
              'endReason', COALESCE(@reason, ${EXPIRY_CAUSE_SQL}),
              'endedBy', @endedBy, 'endedAt', @iso)),
            s.id, url.value, @at, @at, @giveUp
       FROM "Session" s JOIN "User" u ON u.id = s.userId, json_each(@urls) AS url
      WHERE s.rowid IN (SELECT value FROM json_each(@rowids)) AND (@reason IS NOT NULL OR s.revokedAt IS NULL)
      ORDER BY s.id, url.value`,
  );
  const pickExpired = db
    .prepare(
      `SELECT rowid FROM "Session" INDEXED BY "Session_expiresAt_idx" WHERE revokedAt IS NULL AND expiresAt >= ? AND expiresAt <= ? ORDER BY expiresAt LIMIT ?`,
    )
    .pluck()
    .safeIntegers(false);
  const endListed = db.prepare(
    `UPDATE "Session" SET revokedAt = expiresAt, revokedBy = @endedBy, endReason = ${EXPIRY_CAUSE_SQL} WHERE rowid IN (SELECT value FROM json_each(@rowids)) RETURNING endReason, expiresAt`,
  );
  const eventParams = (now: Date, rowids: (number | bigint)[], reason: string | null, endedBy: string) => ({
    iso: now.toISOString(),
    at: toSqliteDate(now),
    giveUp: toSqliteDate(new Date(now.getTime() + RETRY_WINDOW_MS)),
    urls: JSON.stringify(webhookUrls),
    rowids: JSON.stringify(rowids.map(Number)),
    reason,
    endedBy,
  });
  const endExpiredWithEvents = db.transaction((now: Date, limit: number, endedBy: string, from: string) => {
    const rowids = pickExpired.all(from, toSqliteDate(now), limit) as number[];
    // Before the marking, while revokedAt is null (reason null: the expiry's own cause).
    endedEvents.run(eventParams(now, rowids, null, endedBy));
    return endListed.all({ endedBy, rowids: JSON.stringify(rowids) }) as MarkedRow[];
  });
  const revokeBatchWithEvents = db.transaction((params: Record<string, unknown>, now: Date, cause: string, endedBy: string) => {
    const rowids = revokeBatch.all(params) as bigint[];
    endedEvents.run(eventParams(now, rowids, cause, endedBy));
    return rowids;
  });
  const ping = db.prepare("SELECT 1");
  // A few shapes of list, each with the row counts lists read (the API's limit: up to 100). Kept to
  // LIST_STATEMENTS_KEPT, the oldest dropped first, so a client walking every limit cannot grow it.
  const listStatements = new Map<string, BetterSqlite3.Statement>();
  /** A statement of ./list-statements, prepared the first time its shape is asked for. */
  const runListStatement = (key: string, text: string, params: [string, unknown][]) => {
    let statement = listStatements.get(key);
    if (!statement) {
      if (listStatements.size >= LIST_STATEMENTS_KEPT) listStatements.delete(listStatements.keys().next().value as string);
      listStatements.set(key, (statement = reader.prepare(text).safeIntegers(false)));
    }
    const values = Object.fromEntries(params);
    sent(statement, [values]);
    return statement.all(values);
  };
  const sent = (statement: BetterSqlite3.Statement, params: unknown[]) => onQuery?.(statement.source, params);

  return {
    backend: file === ":memory:" ? "memory" : "sqlite",
    prisma,
    webhookUrls,
    async findSessionByTokenHash(tokenHash) {
      sent(findSession, [tokenHash]);
      const row = findSession.get(tokenHash) as SqliteSessionRow | undefined;
      return row ? toSessionWithUser(row) : null;
    },
    async forceLogoutCutoff() {
      sent(readCutoff, []);
      const row = readCutoff.get() as (Omit<ForceLogoutCutoffRow, "at"> & { at: string }) | undefined;
      return row ? { ...row, at: new Date(row.at) } : null;
    },
    async touchSession(id, { lastActiveAt, expiresAt, seen: from }) {
      const params = {
        id,
        at: toSqliteDate(lastActiveAt),
        expiresAt: toSqliteDate(expiresAt),
        ip: from.ipAddress,
        userAgent: from.userAgent,
        country: from.country,
        city: from.city,
      };
      for (const statement of [touch, seen, trimActivity]) sent(statement, [params]);
      touchWithActivity(params);
    },
    async endExpiredSessions(now, limit, endedBy, from) {
      const params = { now: toSqliteDate(now), limit, endedBy, from: toSqliteDate(from) };
      let marked: MarkedRow[];
      if (webhookUrls.length) {
        for (const statement of [pickExpired, endedEvents, endListed]) sent(statement, [params]);
        marked = endExpiredWithEvents(now, limit, endedBy, params.from);
      } else {
        sent(endExpired, [params]);
        marked = endExpired.all(params) as MarkedRow[];
      }
      const absolute = marked.filter((row) => row.endReason === "expired_absolute").length;
      return { marked: marked.length, idle: marked.length - absolute, absolute, last: latest(marked.map((row) => row.expiresAt)) };
    },
    async expiryFloor() {
      sent(readFloor, []);
      const row = readFloor.get() as { floor: string; version: number };
      return { floor: new Date(row.floor), version: Number(row.version) };
    },
    async raiseExpiryFloor(read, to) {
      const params = { to: toSqliteDate(to), version: read.version };
      sent(raiseFloor, [params]);
      return raiseFloor.run(params).changes === 1;
    },
    async deleteEndedSessions(before, limit, from) {
      const params = [toSqliteDate(from), toSqliteDate(before), limit];
      sent(deleteEnded, params);
      const ends = deleteEnded.all(...params) as string[];
      return { deleted: ends.length, last: latest(ends) };
    },
    async revokeActiveSessionsBatch(batch) {
      const params = {
        now: toSqliteDate(batch.now),
        revokedBy: batch.revokedBy,
        reason: batch.reason,
        cause: batch.cause,
        after: BigInt(batch.after ?? 0),
        keep: batch.keep,
        limit: batch.limit,
      };
      sent(revokeBatch, [params]);
      let rowids: bigint[];
      if (webhookUrls.length) {
        sent(endedEvents, [params]);
        rowids = revokeBatchWithEvents(params, batch.now, batch.cause, batch.revokedBy);
      } else {
        rowids = revokeBatch.all(params) as bigint[];
      }
      const last = rowids.reduce<bigint | null>((max, rowid) => (max === null || rowid > max ? rowid : max), null);
      return { picked: rowids.length, revoked: rowids.length, last: last === null ? null : String(last) };
    },
    async lapsedSessionsPerUser(now, keyFingerprints) {
      const params = [toSqliteDate(now), JSON.stringify(keyFingerprints), -1];
      sent(lapsed, params);
      return lapsed.all(...params) as { userId: string; sessions: number }[];
    },
    async lapsedSessionsPerUserUpTo(now, keyFingerprints, atMost) {
      const params = [toSqliteDate(now), JSON.stringify(keyFingerprints), atMost + 1];
      sent(lapsed, params);
      return withinLapsedBound(lapsed.all(...params) as { userId: string; sessions: number }[], atMost);
    },
    async openAlerts(userId, since, active, take) {
      const { key, text, params } = openAlertsStatement(SQLITE_LIST, userId, since, active, take);
      return (runListStatement(`alerts-${key}`, text, params) as AlertRowAsRead[]).map(toOpenAlert);
    },
    async userSessions(userId, reads) {
      // A statement each: no round trip to save here, and measured, three reads joined into one took
      // ≈ 130 µs against ≈ 90 µs apart (the union's sort and co-routines).
      return reads.map((read) => {
        const { key, text, params } = userSessionsStatement(SQLITE_LIST, userId, [read]);
        return (runListStatement(`sessions-${key}`, text, params) as SqliteListedRow[]).map(toListedSession);
      });
    },
    async roomForBulkWrite() {
      await checkpoints?.roomForBulkWrite();
    },
    async vacuumSessions() {
      // Nothing to do: SQLite updates its indexes in place, and the statements whose plan
      // depended on statistics name their index.
    },
    async runExclusive(_job, work) {
      // One host: processes sharing the file serialise on SQLite's write lock, and deleting what
      // another process already deleted is a no-op.
      return { ran: true, result: await work() };
    },
    async ping() {
      ping.get();
    },
    async close() {
      await checkpoints?.stop();
      if (reader !== db) reader.close();
      await prisma.$disconnect();
      checkpoints?.release();
    },
  };
}

const LIST_STATEMENTS_KEPT = 200;

/** A second connection to the file, for reads only (see openSqliteDatabase). */
function openReader(file: string): BetterSqlite3.Database {
  const reader = new BetterSqlite3(file);
  reader.pragma("busy_timeout = 5000");
  reader.pragma("query_only = ON");
  return reader;
}

const SQLITE_LIST: ListDialect = {
  placeholder: (name) => `@${name}`,
  // Not IS NULL: see activeSessionWhere (SQLite would take the revokedAt index and sort).
  notEnded: (alias) => `NOT (${alias}."revokedAt" IS NOT NULL)`,
  oneOf: (column, list) => `${column} IN (SELECT value FROM json_each(${list}))`,
  date: toSqliteDate,
  list: (values) => JSON.stringify(values),
  literalLimit: true,
  jsonRows: false,
};

type SqliteListedRow = Omit<TimesAsText<ListedSessionRow, ListedTime>, "rememberMe"> & { rememberMe: number };

function toListedSession({ rememberMe, ...row }: SqliteListedRow): ListedSessionRow {
  return { ...withTimes<Omit<ListedSessionRow, "rememberMe">, ListedTime>(row, LISTED_TIMES), rememberMe: rememberMe === 1 };
}

type SqliteSessionRow = {
  id: string;
  userId: string;
  tokenHash: string;
  tokenHint: string;
  authMethod: string;
  ipAddress: string | null;
  country: string | null;
  city: string | null;
  userAgent: string | null;
  rememberMe: number;
  keyFingerprint: string | null;
  createdAt: string;
  authenticatedAt: string;
  lastActiveAt: string;
  expiresAt: string;
  absoluteExpiresAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  endReason: string | null;
  lastIpAddress: string | null;
  lastUserAgent: string | null;
  username: string;
  displayName: string | null;
  email: string | null;
  role: string;
  disabledAt: string | null;
  oidcIssuer: string | null;
  oidcSubject: string | null;
  forceLogoutAt: string | number | null;
  forceLogoutKeepSessionId: string | null;
  forceLogoutRevokedBy: string | null;
  forceLogoutRevokeReason: string | null;
  forceLogoutEndReason: string | null;
};

function toSessionWithUser(row: SqliteSessionRow): SessionWithUser {
  return {
    id: row.id,
    userId: row.userId,
    tokenHash: row.tokenHash,
    tokenHint: row.tokenHint,
    authMethod: row.authMethod === "oidc" ? "oidc" : "static",
    ipAddress: row.ipAddress,
    country: row.country,
    city: row.city,
    userAgent: row.userAgent,
    rememberMe: row.rememberMe === 1,
    keyFingerprint: row.keyFingerprint,
    createdAt: new Date(row.createdAt),
    authenticatedAt: new Date(row.authenticatedAt),
    lastActiveAt: new Date(row.lastActiveAt),
    expiresAt: new Date(row.expiresAt),
    absoluteExpiresAt: new Date(row.absoluteExpiresAt),
    revokedAt: row.revokedAt === null ? null : new Date(row.revokedAt),
    revokedBy: row.revokedBy,
    revokeReason: row.revokeReason,
    endReason: row.endReason,
    lastIpAddress: row.lastIpAddress,
    lastUserAgent: row.lastUserAgent,
    user: {
      id: row.userId,
      username: row.username,
      displayName: row.displayName,
      email: row.email,
      role: row.role,
      disabledAt: row.disabledAt === null ? null : new Date(row.disabledAt),
      oidcIssuer: row.oidcIssuer,
      oidcSubject: row.oidcSubject,
    },
    forceLogout:
      row.forceLogoutAt === null
        ? null
        : {
            at: new Date(row.forceLogoutAt),
            keepSessionId: row.forceLogoutKeepSessionId,
            revokedBy: row.forceLogoutRevokedBy ?? "",
            revokeReason: row.forceLogoutRevokeReason ?? "",
            endReason: row.forceLogoutEndReason ?? "",
          },
  };
}

/**
 * Applies pending migrations in one transaction each and records them in `_prisma_migrations`
 * exactly as Prisma does, so `prisma migrate status/deploy` agree on a machine with its engines.
 * BEGIN IMMEDIATE serialises processes that start together on the same file.
 */
export function applySqliteMigrations(db: BetterSqlite3.Database): string[] {
  // Read first: with nothing pending (every start but the first after an upgrade) no write lock is
  // taken, so a start never waits for another process's write (the CLI's, a server's, sqlite3's).
  const pending = pendingSqliteMigrations(db);
  if (pending.length === 0) return [];
  db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`);
  const applied: string[] = [];
  for (const migration of pending) {
    // Checked again under the lock: another process starting at the same time may have applied it.
    db.exec("BEGIN IMMEDIATE");
    try {
      const done = db
        .prepare(
          `SELECT checksum FROM "_prisma_migrations"
            WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        )
        .get(migration.name) as { checksum: string } | undefined;
      if (done) {
        if (done.checksum !== migration.checksum) throw changedAfterApplied(migration.name);
        db.exec("COMMIT");
        continue;
      }
      const startedAt = new Date().toISOString();
      db.exec(migration.sql);
      db.prepare(
        `INSERT INTO "_prisma_migrations"
           (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
      ).run(newMigrationId(), migration.checksum, new Date().toISOString(), migration.name, startedAt);
      db.exec("COMMIT");
      applied.push(migration.name);
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
  }
  return applied;
}

const changedAfterApplied = (name: string) => new MigrationError(`Migration ${name} was changed after it was applied (checksum mismatch)`);

/** The shipped migrations not yet recorded as applied; one applied and changed since is an error. */
function pendingSqliteMigrations(db: BetterSqlite3.Database) {
  const migrations = readMigrations(migrationsDir("sqlite"));
  const recorded = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
  if (!recorded) return migrations;
  const done = new Map(
    (db.prepare(`SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`).all() as { migration_name: string; checksum: string }[]).map(
      (row) => [row.migration_name, row.checksum],
    ),
  );
  for (const migration of migrations) {
    const checksum = done.get(migration.name);
    if (checksum !== undefined && checksum !== migration.checksum) throw changedAfterApplied(migration.name);
  }
  return migrations.filter((migration) => !done.has(migration.name));
}
