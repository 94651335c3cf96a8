/**
 * npm run bench:admin — the Admin Panel at scale, on SQLite and PostgreSQL.
 *
 * Per backend, seeds a temporary database with 1,000,000 sessions over 50,000 users (half of them
 * already expired), checks that the maintained per-user session counts agree with a COUNT(*), then
 * times through the same lib/ functions the pages and API use: the first page, filtered pages, a
 * deep cursor page, the counters, revoking one user's sessions, a cleanup of the expired half (then
 * the counters and the "more than 5" filter again) and "force logout everyone" over the rest, the
 * bulk work while sign-ins run alongside (their latency says whether it blocks them). Prints median, p95 and the first (cold) run per
 * operation, and the query plan of each statement as the backend sent it (SQLite: EXPLAIN QUERY
 * PLAN; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS), plain EXPLAIN for writes).
 *
 * Env: BENCH_BACKENDS (default "sqlite,postgres"), BENCH_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres; skipped when it does not answer), BENCH_SESSIONS
 * (default 1000000), BENCH_USERS (default 50000), BENCH_RUNS (default 25).
 */
import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import { adminCounters, forceLogoutEveryone, listAdminSessions, revokeUserSessionsAsAdmin } from "../lib/admin/sessions";
import { keyFingerprint } from "../lib/auth/keys";
import { signInWithKey } from "../lib/auth/static-login";
import { generateId, hashSessionToken } from "../lib/sessions/token";
import { parseConfig, type Config } from "../lib/config";
import { openDatabase, type Database } from "../lib/db";
import { toSqliteDate } from "../lib/db/sqlite";
import { metrics, type BulkOperation } from "../lib/metrics/metrics";
import { encodeCursor } from "../lib/pagination/cursor";
import { cleanupSessions } from "../lib/sessions/cleanup";
import { encodeSessionCookie } from "../lib/sessions/cookie";
import { validateSessionCookie } from "../lib/sessions/sessions";
import { adminSessionsQuerySchema } from "../lib/validation/admin";
import {
  applySql,
  createTempPostgres,
  DAY_MS,
  dropTempPostgres,
  insertRows,
  machineInfo,
  makeTempDir,
  positiveNumber,
  removeTempDir,
  runBench,
  runnableBackends,
  withPostgres,
  type Backend,
  type Column,
  type Row,
  type SeedTarget,
} from "./bench-support";

const SESSIONS = positiveNumber("BENCH_SESSIONS", 1_000_000, { integer: true });
const USERS = positiveNumber("BENCH_USERS", 50_000, { integer: true });
const RUNS = positiveNumber("BENCH_RUNS", 25, { integer: true });
/** Sessions signed in before the force logout whose devices keep checking while it runs. */
const PROBES = 50;
/** Sessions per seeding statement batch: bounded memory whatever BENCH_SESSIONS is. */
const SEED_CHUNK = 50_000;

type Stats = { label: string; median: number; p95: number; first: number; runs: number; note?: string };

const header = () =>
  `${"operation".padEnd(46)} ${"median ms".padStart(10)} ${"p95 ms".padStart(10)} ${"1st ms".padStart(9)} ${"runs".padStart(5)}  note`;
const line = (r: Stats) =>
  `${r.label.padEnd(46)} ${r.median.toFixed(1).padStart(10)} ${r.p95.toFixed(1).padStart(10)} ${r.first.toFixed(1).padStart(9)} ${String(r.runs).padStart(5)}  ${r.note ?? ""}`;

/** Median, p95 and first (cold) sample; printed as soon as measured. */
function stats(label: string, samples: number[], note?: string): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const result = { label, median: pick(0.5), p95: pick(0.95), first: samples[0], runs: samples.length, note };
  console.log(line(result));
  return result;
}

async function time(runs: number, fn: (run: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await fn(run);
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Plain SQL beside the app's connection, for seeding checks, cursors and EXPLAIN. `$n` placeholders. */
type Raw = {
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * The query plan's lines; `analyze` runs the statement (reads only). `settings`: the SET LOCAL
   * statements the backend sent just before it, in the same transaction (PostgreSQL).
   */
  plan(sql: string, params: unknown[], analyze: boolean, settings: string[]): Promise<string[]>;
};

function sqliteRaw(file: string): Raw & { close(): void } {
  const db = new BetterSqlite3(file);
  // The bench's own SQL uses each $n once, in order; dates are stored as Prisma's text.
  const prepare = (sql: string) => db.prepare(sql.replace(/\$\d+/g, "?"));
  const values = (params: unknown[]) => params.map((v) => (v instanceof Date ? toSqliteDate(v) : typeof v === "boolean" ? Number(v) : v));
  return {
    async rows<T>(sql: string, params: unknown[] = []) {
      return prepare(sql).all(...values(params)) as T[];
    },
    async plan(sql, params) {
      const rows = prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values(params)) as { detail: string }[];
      return rows.map((row) => row.detail);
    },
    close: () => db.close(),
  };
}

function postgresRaw(client: pg.Client): Raw {
  return {
    async rows<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async plan(sql, params, analyze, settings) {
      await client.query("BEGIN");
      try {
        for (const setting of settings) await client.query(setting);
        const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${analyze ? "(ANALYZE, BUFFERS) " : ""}${sql}`, params);
        return rows.map((row) => row["QUERY PLAN"]);
      } finally {
        await client.query("ROLLBACK");
      }
    },
  };
}

/**
 * PostgreSQL's write-ahead log counters (cluster-wide, so nothing else should write meanwhile): what
 * a bulk write cost in log bytes, in full-page images (the first change to a page after a checkpoint
 * logs the whole 8 kB page) and in checkpoints. Null on SQLite.
 */
async function walCounters(backend: Backend, raw: Raw): Promise<{ bytes: number; fpi: number; checkpoints: number } | null> {
  if (backend !== "postgres") return null;
  const [row] = await raw.rows<{ bytes: string; fpi: string; checkpoints: string }>(
    `SELECT w.wal_bytes::text AS bytes, w.wal_fpi::text AS fpi, (b.checkpoints_timed + b.checkpoints_req)::text AS checkpoints
       FROM pg_stat_wal w, pg_stat_bgwriter b`,
  );
  return { bytes: Number(row.bytes), fpi: Number(row.fpi), checkpoints: Number(row.checkpoints) };
}

/** ", WAL 1.2 GB (…)" for a note, from counters taken before and after; "" on SQLite. */
async function walSince(backend: Backend, raw: Raw, before: Awaited<ReturnType<typeof walCounters>>): Promise<string> {
  const after = await walCounters(backend, raw);
  if (!before || !after) return "";
  const gb = (after.bytes - before.bytes) / 1e9;
  return `; WAL ${gb.toFixed(2)} GB, ${(after.fpi - before.fpi).toLocaleString("en")} full-page images, ${after.checkpoints - before.checkpoints} checkpoints`;
}

/** The batches of `operations` so far, and how many took longer than 100 ms (from the metrics' histogram). */
async function batchCounts(operations: BulkOperation[]): Promise<{ batches: number; over100: number }> {
  const { values } = await metrics().bulkBatchDuration.get();
  let batches = 0;
  let within100 = 0;
  for (const value of values) {
    // Bucket samples also carry "le"; prom-client's type lists only the metric's own labels.
    const labels = value.labels as Record<string, string | number | undefined>;
    if (!operations.includes(labels.operation as BulkOperation)) continue;
    if (labels.le === "+Inf") batches += value.value;
    if (labels.le === 0.1) within100 += value.value; // a bucket bound of the histogram (lib/metrics/metrics.ts)
  }
  return { batches, over100: batches - within100 };
}

/** "; 1,234 batches, 2 over 100 ms" for a note, since `before`. */
async function batchesSince(operations: BulkOperation[], before: { batches: number; over100: number }): Promise<string> {
  const after = await batchCounts(operations);
  return `; ${(after.batches - before.batches).toLocaleString("en")} batches, ${after.over100 - before.over100} over 100 ms`;
}

/** Users, then sessions in chunks (half expired), through the shared raw-SQL seeding. */
async function seed(target: SeedTarget, secret: string, key: string): Promise<void> {
  const now = Date.now();
  const fingerprint = keyFingerprint(secret, key);
  const text = (...names: string[]): Column[] => names.map((name) => ({ name, pgType: "text" }));
  const date = (...names: string[]): Column[] => names.map((name) => ({ name, pgType: "timestamptz" }));
  const userIds = Array.from({ length: USERS }, () => generateId());
  const joined = new Date(now - 60 * DAY_MS);
  await insertRows(
    target,
    [
      {
        table: "User",
        columns: [...text("id", "username", "authSource", "role"), ...date("createdAt", "updatedAt")],
        rows: userIds.map((id, u) => [id, `bench-user-${u}`, "static", "user", joined, joined]),
      },
    ],
    toSqliteDate,
  );
  const columns: Column[] = [
    ...text("id", "tokenHash", "tokenHint", "userId", "authMethod", "ipAddress", "userAgent"),
    { name: "rememberMe", pgType: "bool" },
    ...text("keyFingerprint"),
    ...date("createdAt", "authenticatedAt", "lastActiveAt", "expiresAt", "absoluteExpiresAt"),
  ];
  for (let start = 0; start < SESSIONS; start += SEED_CHUNK) {
    const rows: Row[] = [];
    for (let s = start; s < Math.min(SESSIONS, start + SEED_CHUNK); s++) {
      const expired = s % 2 === 1;
      const createdAt = now - Math.floor(Math.random() * 30 * DAY_MS) - (expired ? 40 * DAY_MS : 0);
      const lastActiveAt = createdAt + Math.floor(Math.random() * Math.max(1, (expired ? createdAt + 5 * DAY_MS : now) - createdAt));
      // Expired up to 60 days ago: cleanup marks them all ended and deletes those past the 30 days of history.
      const expiresAt = expired ? now - 1000 - Math.floor(Math.random() * 60 * DAY_MS) : now + 7 * DAY_MS + Math.floor(Math.random() * 20 * DAY_MS);
      rows.push([
        generateId(),
        hashSessionToken(`${s}-${Math.random()}`),
        "00000000",
        userIds[(s * 7919) % USERS],
        s % 10 === 0 ? "oidc" : "static",
        `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`,
        "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0",
        s % 3 === 0,
        s % 10 === 0 ? null : fingerprint,
        new Date(createdAt),
        new Date(createdAt), // authenticatedAt: signed in once, never re-authenticated
        new Date(lastActiveAt),
        new Date(expiresAt),
        new Date(createdAt + 90 * DAY_MS),
      ]);
    }
    // The count triggers run as on any insert (PostgreSQL: once per statement of 10,000 rows).
    await insertRows(target, [{ table: "Session", columns, rows }], toSqliteDate);
  }
  // Seeding rewrote each count row several times per transaction, which left dead copies no page
  // pruning could remove; a deployment's sign-ins (a transaction each) keep the table compact (see the
  // fillfactor migration). Compact it as it would be, so the counters read what they would.
  if (target.kind === "postgres") await applySql(target, `VACUUM FULL "UserSessionCount"`);
  // Statistics, as autovacuum or `PRAGMA optimize` would gather them on a database this size.
  await applySql(target, target.kind === "sqlite" ? "ANALYZE" : "VACUUM ANALYZE");
}

/** Count rows that disagree with a COUNT(*) of the not-revoked sessions (0 when the triggers kept them). */
async function countMismatches(raw: Raw): Promise<number> {
  const counted = `SELECT "userId", "authMethod", COALESCE("keyFingerprint", '') AS "fp", COUNT(*) AS "n"
                     FROM "Session" WHERE "revokedAt" IS NULL GROUP BY 1, 2, 3`;
  const kept = `SELECT "userId", "authMethod", "keyFingerprint" AS "fp", "sessions" AS "n" FROM "UserSessionCount"`;
  const [row] = await raw.rows<{ n: number | string }>(
    `SELECT (SELECT COUNT(*) FROM (${counted} EXCEPT ${kept}) AS a) + (SELECT COUNT(*) FROM (${kept} EXCEPT ${counted}) AS b) AS "n"`,
  );
  return Number(row?.n ?? -1);
}

type Sent = { sql: string; params: unknown[] };

/**
 * Runs `work` while sign-ins go on alongside, one due 5 ms after the last; their latencies, and how
 * long `work` took. A latency counts from when the sign-in was due, not from when it started: a
 * SQLite batch holds this process's event loop (as it would the server's), and a sign-in that
 * could not even start meanwhile waited all the same. With `from`, the sign-ins begin once it settles.
 */
async function withSignIns<T>(login: (i: number) => Promise<unknown>, work: () => Promise<T>, from?: Promise<unknown>) {
  const during: number[] = [];
  /** When each sign-in was due, ms after `work` began: where in the work the slow ones fell. */
  const dueAt: number[] = [];
  let running = true;
  const start = performance.now();
  const job = work().finally(() => {
    running = false;
  });
  await Promise.race([from, job.catch(() => undefined)]);
  for (let i = 0; running; i++) {
    const due = performance.now() + 5;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (!running) break;
    await login(i);
    during.push(performance.now() - due);
    dueAt.push(due - start);
  }
  const result = await job;
  return { result, ms: performance.now() - start, during, dueAt };
}

/**
 * PostgreSQL: which other statements wait for a lock while bulk work runs, seen by sampling
 * pg_stat_activity every 10 ms, and for how long each had been running when last seen waiting (an
 * upper bound on its wait). A sign-in held up by the bulk work waits for a lock it holds (a count
 * row, a session row); one slowed by the disk or the machine does not, and latencies alone cannot
 * tell the two apart. Returns a function that stops watching and gives a note; "" on SQLite, whose
 * one writer shows in the latencies themselves (the batch holds this process's event loop).
 */
function watchLockWaits(backend: Backend, raw: Raw): () => Promise<string> {
  if (backend !== "postgres") return async () => "";
  const waits = new Map<string, { ms: number; query: string }>();
  let watching = true;
  const loop = (async () => {
    while (watching) {
      const rows = await raw.rows<{ key: string; ms: string; query: string }>(
        `SELECT pid::text || '@' || query_start::text AS key, (extract(epoch FROM clock_timestamp() - query_start) * 1000)::text AS ms,
                left(regexp_replace(query, '\s+', ' ', 'g'), 60) AS query
           FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query NOT LIKE '%WITH picked%'`,
      );
      for (const row of rows) {
        const ms = Number(row.ms);
        if (ms > (waits.get(row.key)?.ms ?? 0)) waits.set(row.key, { ms, query: row.query.trim() });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return async () => {
    watching = false;
    await loop;
    const longest = [...waits.values()].sort((a, b) => b.ms - a.ms)[0];
    if (!longest) return "; no other statement seen waiting for a lock";
    return `; ${waits.size} other statement${waits.size === 1 ? "" : "s"} seen waiting for a lock, the longest ${longest.ms.toFixed(0)} ms (${longest.query})`;
  };
}

/** The note on sign-ins alongside bulk work: the slowest three, each with when it was due. */
function slowest({ during, dueAt }: { during: number[]; dueAt: number[] }): string {
  const worst = during
    .map((ms, i) => ({ ms, at: dueAt[i] }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map((s) => `${s.ms.toFixed(0)} ms at ${(s.at / 1000).toFixed(1)} s`);
  return `max ${Math.max(...during).toFixed(1)} ms over ${during.length} sign-ins; slowest: ${worst.join(", ")}`;
}

async function benchBackend(backend: Backend): Promise<Record<string, unknown>> {
  console.log(`\n=== ${backend} ===`);
  const storage: Record<string, string> = {};
  let target: SeedTarget;
  let dispose: () => Promise<void>;
  if (backend === "postgres") {
    const url = await createTempPostgres("sessionboard_bench_admin");
    Object.assign(storage, { DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: url });
    target = { kind: "postgres", url };
    dispose = () => dropTempPostgres(url);
  } else {
    const dir = makeTempDir("sessionboard-bench-admin-");
    const file = path.join(dir, "sessions.db");
    Object.assign(storage, { DASHBOARD_SESSION_BACKEND: "sqlite", DASHBOARD_SESSION_SQLITE_PATH: file });
    target = { kind: "sqlite", file };
    dispose = async () => removeTempDir(dir);
  }
  try {
    const env = {
      DASHBOARD_SECRET: `bench-secret-${generateId()}-${generateId()}`,
      DASHBOARD_KEY: `bench-key-${generateId()}`,
      DASHBOARD_ADMIN_KEY: `bench-admin-${generateId()}`,
      DASHBOARD_ADMINS: "root",
      ...storage,
    };
    const config = parseConfig(env);
    await (await openDatabase(config)).close();
    console.log(`Seeding ${SESSIONS.toLocaleString("en")} sessions over ${USERS.toLocaleString("en")} users (half expired)…`);
    const seedStart = performance.now();
    await seed(target, env.DASHBOARD_SECRET, env.DASHBOARD_KEY);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    console.log(`  seeded in ${seedSeconds.toFixed(1)} s`);

    const run = (raw: Raw) => measure(backend, raw, config, env.DASHBOARD_KEY);
    let measured: Awaited<ReturnType<typeof measure>>;
    if (target.kind === "postgres") {
      measured = await withPostgres(target.url, (client) => run(postgresRaw(client)));
    } else {
      const raw = sqliteRaw(target.file);
      try {
        measured = await run(raw);
      } finally {
        raw.close();
      }
    }
    return { seedSeconds: Number(seedSeconds.toFixed(1)), ...measured };
  } finally {
    await dispose();
  }
}

async function measure(backend: Backend, raw: Raw, config: Config, key: string) {
  const mismatches = await countMismatches(raw);
  console.log(`  session counts vs COUNT(*): ${mismatches === 0 ? "agree" : `${mismatches} count rows DISAGREE`}\n`);
  if (mismatches !== 0) throw new Error("UserSessionCount disagrees with the sessions after seeding");

  // Every statement the backend sends, while `recording`, to explain afterwards.
  let recording = false;
  const sent: Sent[] = [];
  const db: Database = await openDatabase(config, {
    onQuery: (sql, params) => {
      if (recording) sent.push({ sql, params });
    },
  });
  const plans = new Map<string, string[]>();
  const shown = (sql: string) => `  ${sql.replace(/\s+/g, " ").trim().slice(0, 200)}${sql.length > 200 ? " …" : ""}`;
  const isSetting = (s: Sent) => /^\s*SET\b/i.test(s.sql);
  /** Explains the SELECTs and writes among `statements`, each after the settings sent just before it. */
  async function explain(label: string, statements: Sent[]) {
    const lines: string[] = [];
    let settings: string[] = [];
    for (const { sql, params } of statements) {
      if (isSetting({ sql, params })) {
        settings.push(sql);
        continue;
      }
      const read = /^\s*SELECT/i.test(sql);
      const before = settings;
      settings = [];
      lines.push(shown(sql));
      if (before.length > 0) lines.push(`      (after: ${before.join("; ")})`);
      try {
        const plan = await raw.plan(sql, params, backend === "postgres" && read, before);
        // Long id lists in a plan line say nothing more after the first few hundred characters.
        lines.push(...plan.map((p) => `      ${p.length > 300 ? `${p.slice(0, 300)} …` : p}`));
      } catch (error) {
        lines.push(`      (no plan: ${error instanceof Error ? error.message : String(error)})`);
      }
    }
    plans.set(label, lines);
  }
  /** Runs fn once, recording its SELECTs, and keeps their plans under `label`. */
  async function explainRun(label: string, fn: () => Promise<unknown>) {
    sent.length = 0;
    recording = true;
    try {
      await fn();
    } finally {
      recording = false;
    }
    await explain(label, sent.filter((s) => /^\s*SELECT/i.test(s.sql) || isSetting(s)));
  }

  try {
    console.log(header());
    const actor = { username: "root", sessionId: null };
    const request = { ip: "127.0.0.1", userAgent: "bench" };
    const q = (input: Record<string, unknown>) => adminSessionsQuerySchema.parse(input);
    const list = (input: Record<string, unknown>) => listAdminSessions(db, config, null, q(input));

    // A cursor a quarter of the way down the active sessions, as a deep "Next page" click would carry.
    const [middle] = await raw.rows<{ lastActiveAt: string | Date; id: string }>(
      `SELECT "lastActiveAt", "id" FROM "Session" WHERE "expiresAt" > $1 ORDER BY "lastActiveAt" DESC, "id" DESC LIMIT 1 OFFSET $2`,
      [new Date(), Math.floor(SESSIONS / 4)],
    );
    const deepCursor = middle ? encodeCursor({ at: new Date(middle.lastActiveAt), id: middle.id }) : undefined;

    const pages: [string, Record<string, unknown>][] = [
      ["first page (50, by last activity)", {}],
      ["first page (50, by sign-in time)", { sort: "created" }],
      ["filtered: exact user", { user: "bench-user-4242" }],
      ["filtered: username prefix (1,111 users)", { user: "bench-user-12", match: "prefix" }],
      ["filtered: IP prefix", { ip: "10.3.7." }],
      ["filtered: sign-in method SSO", { method: "oidc" }],
      ["filtered: more than 5 sessions", { moreThan: 5 }],
      ["deep cursor page (¼ of the way down)", { cursor: deepCursor }],
      ["ended sessions, first page (state=ended)", { state: "ended" }],
      ["all sessions, first page (state=all)", { state: "all" }],
    ];
    const results: Stats[] = [];
    // Timed first, so the first run is cold for that query; then explained.
    for (const [label, input] of pages) {
      results.push(stats(label, await time(RUNS, () => list(input))));
      await explainRun(label, () => list(input));
    }
    results.push(stats("counters (5 figures)", await time(RUNS, () => adminCounters(db, config))));
    await explainRun("counters", () => adminCounters(db, config));
    let revoked = 0;
    results.push(
      stats(
        "revoke all of one user's sessions",
        await time(RUNS, async (run) => {
          revoked += await revokeUserSessionsAsAdmin(db, actor, `bench-user-${(USERS >> 1) + run}`, "bench", request);
        }),
        `${(revoked / RUNS).toFixed(1)} sessions each`,
      ),
    );

    // Sign-ins alone, then the same sign-ins while cleanup deletes the expired half, and while
    // "force logout everyone" revokes the rest.
    let signedIn = 0;
    const login = async (i: number) => {
      const result = await signInWithKey(db, config, { username: `bench-login-${i % 50}`, key, rememberMe: false }, request);
      // A refused sign-in would time the refusal instead.
      if (!result.ok) throw new Error(`sign-in refused: ${result.error.message}`);
      signedIn++;
    };
    const baseline = await time(200, (i) => login(i));
    const baselineMax = Math.max(...baseline);
    results.push(stats("sign-in (nothing else running)", baseline, `max ${baselineMax.toFixed(1)} ms`));

    const walBeforeCleanup = await walCounters(backend, raw);
    const batchesBeforeCleanup = await batchCounts(["cleanup_mark", "cleanup_delete"]);
    const cleanupLocks = watchLockWaits(backend, raw);
    const cleanup = await withSignIns(login, () => cleanupSessions(db, config));
    const cleanupLockNote = await cleanupLocks();
    const cleaned = cleanup.result.expiredSessions;
    results.push(
      stats(
        `cleanup: ${cleanup.result.endedSessions.toLocaleString("en")} expired rows marked ended, ${cleaned.toLocaleString("en")} past the history deleted (1 run)`,
        [cleanup.ms],
        `${Math.round((cleanup.result.endedSessions + cleaned) / (cleanup.ms / 1000)).toLocaleString("en")} rows/s marked or deleted${await batchesSince(["cleanup_mark", "cleanup_delete"], batchesBeforeCleanup)}${await walSince(backend, raw, walBeforeCleanup)}`,
      ),
    );
    results.push(stats("sign-in while cleanup runs", cleanup.during, `${slowest(cleanup)}${cleanupLockNote}`));

    // The active counts subtract expired rows cleanup has not deleted yet; above there were half a
    // million of them, here only what expired since, as between two cleanups.
    const moreThan5 = () => list({ moreThan: 5 });
    results.push(stats("counters, after cleanup", await time(RUNS, () => adminCounters(db, config))));
    await explainRun("counters, after cleanup", () => adminCounters(db, config));
    results.push(stats("filtered: more than 5 sessions, after cleanup", await time(RUNS, moreThan5)));
    await explainRun("filtered: more than 5 sessions, after cleanup", moreThan5);
    // Now with the ended half marked and kept as history (SESSION_HISTORY_DAYS).
    const endedPage = () => list({ state: "ended" });
    results.push(stats("ended sessions, first page, after cleanup", await time(RUNS, endedPage)));
    await explainRun("ended sessions, first page, after cleanup", endedPage);

    // The first batch statement of the force logout is kept to show its plan (EXPLAIN only: it writes).
    sent.length = 0;
    recording = true;
    const walBeforeLogout = await walCounters(backend, raw);
    const batchesBeforeLogout = await batchCounts(["force_logout"]);
    // Sessions signed in before it, checked as their devices would be every 10 ms while it runs:
    // when is the last of them refused? (The force logout holds from its cutoff, before its walk
    // reaches their rows.)
    const probes: string[] = [];
    for (let i = 0; i < PROBES; i++) {
      const probe = await signInWithKey(db, config, { username: `bench-probe-${i}`, key, rememberMe: false }, request);
      if (!probe.ok) throw new Error(`sign-in refused: ${probe.error.message}`);
      probes.push(encodeSessionCookie(config, { token: probe.token, persistent: probe.persistent }));
    }
    let heldAfter: number | null = null;
    let logoutDone = false;
    const logoutStart = performance.now();
    const probing = (async () => {
      while (heldAfter === null) {
        const checks = await Promise.all(probes.map((cookie) => validateSessionCookie(db, config, cookie, request)));
        if (checks.every((check) => check.status === "ended")) heldAfter = performance.now() - logoutStart;
        else if (logoutDone) throw new Error("a session signed in before the force logout still works after it");
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    // The answer comes once it holds for everyone (the Admin Panel's and the API's way); the rows are marked after.
    let answeredAfter = NaN;
    let answered = 0;
    const whileMarking: Stats[] = [];
    const reads = [
      ["first page (50, by last activity)", () => list({})],
      ["counters", () => adminCounters(db, config)],
    ] as const;
    let quietDone = () => {};
    const quiet = new Promise<void>((resolve) => (quietDone = resolve));
    const logoutLocks = watchLockWaits(backend, raw);
    const logout = await withSignIns(
      login,
      async () => {
        const { revoked, marked } = await forceLogoutEveryone(db, config, actor, { includeSelf: true, reason: "bench" }, request);
        answeredAfter = performance.now() - logoutStart;
        let markingDone = false;
        void marked.then(() => (markingDone = true), () => undefined);
        const note = () => (markingDone ? "(the marking had finished: not a figure while marking)" : undefined);
        answered = revoked;
        // What the Admin Panel costs while the rows are being marked (the figures and lists leave out
        // the sessions it ended, which are still rows without an end): first with no one signed in
        // since (every active row is one it ended, to be passed over), then once sign-ins have
        // brought more than a page of new sessions.
        for (const [label, read] of reads) {
          const from = sent.length;
          const samples = await time(3, read);
          whileMarking.push(stats(`${label}, while force logout marks its rows, no sign-in since`, samples, note()));
          const selects = sent.slice(from).filter((s) => /^\s*SELECT/i.test(s.sql) && !/tokenHash"?\s*=/.test(s.sql));
          await explain(`${label}, while force logout marks its rows, no sign-in since`, selects);
        }
        quietDone();
        const waitFrom = signedIn;
        while (signedIn < waitFrom + 60) await new Promise((resolve) => setTimeout(resolve, 20));
        for (const [label, read] of reads) {
          const samples = await time(3, read);
          whileMarking.push(stats(`${label}, while force logout marks its rows, 60 sign-ins since`, samples, note()));
        }
        return marked;
      },
      quiet,
    );
    const logoutLockNote = await logoutLocks();
    logoutDone = true;
    await probing;
    recording = false;
    const firstBatch = sent.find((s) => /^\s*(UPDATE|WITH)/i.test(s.sql) && /revokedAt/.test(s.sql));
    const loggedOut = logout.result;
    results.push(
      stats(
        `force logout everyone: answered after (${answered.toLocaleString("en")} sessions)`,
        [answeredAfter],
      ),
    );
    results.push(
      stats(
        `force logout everyone: ${loggedOut.toLocaleString("en")} rows marked after (1 run)`,
        [logout.ms],
        `${Math.round(loggedOut / (logout.ms / 1000)).toLocaleString("en")} sessions/s${await batchesSince(["force_logout"], batchesBeforeLogout)}${await walSince(backend, raw, walBeforeLogout)}`,
      ),
    );
    results.push(...whileMarking);
    results.push(stats(`force logout: all of ${PROBES} sessions signed in before it refused after`, [heldAfter ?? NaN], "their devices checking every 10 ms"));
    results.push(stats("sign-in while force logout runs", logout.during, `${slowest(logout)}${logoutLockNote}`));
    if (firstBatch) await explain("force logout everyone (one keyset batch)", [firstBatch]);
    sent.length = 0;

    // For a day after, the sessions it ended are "ended in the last 24 hours", but not expired.
    results.push(stats("counters, after force logout (its rows marked)", await time(RUNS, () => adminCounters(db, config))));
    await explainRun("counters, after force logout (its rows marked)", () => adminCounters(db, config));

    const after = await countMismatches(raw);
    if (after !== 0) throw new Error(`UserSessionCount disagrees with the sessions after the run (${after} rows)`);
    console.log("  session counts vs COUNT(*) after the run: agree");

    console.log(`\nQuery plans on ${backend} (${backend === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN (ANALYZE, BUFFERS); writes: EXPLAIN"} of the SQL as sent):`);
    for (const [label, lines] of plans) console.log(`\n${label}\n${lines.join("\n")}`);
    return { results, plans: Object.fromEntries(plans) };
  } finally {
    await db.close();
  }
}

async function main() {
  const backends = await runnableBackends();
  const report: Record<string, unknown> = {};
  for (const backend of backends) report[backend] = await benchBackend(backend);
  fs.mkdirSync("bench-results", { recursive: true });
  fs.writeFileSync(
    path.join("bench-results", "bench-admin.json"),
    JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), sessions: SESSIONS, users: USERS, runs: RUNS, backends: report }, null, 2),
  );
  console.log(`\nResults: bench-results/bench-admin.json (load average ${machineInfo().loadAverage1m} at the end)`);
}

runBench(main);
