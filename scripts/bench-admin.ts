/**
 * npm run bench:admin — the Admin Panel at scale, on SQLite.
 *
 * Seeds a temporary SQLite file with 1,000,000 sessions over 50,000 users (half of them already
 * expired), then times through the same lib/ functions the pages and API use: the first page, filtered
 * pages, a deep cursor page, the counters, revoking one user's sessions, and a cleanup of the 500,000
 * expired rows while sign-ins run alongside it (their worst latency says whether cleanup blocks them).
 * Prints median and p95 per operation, and SQLite's EXPLAIN QUERY PLAN for each page query as
 * Prisma actually sent it.
 *
 * Env: BENCH_SESSIONS (default 1000000), BENCH_USERS (default 50000), BENCH_RUNS (default 25).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { adminCounters, listAdminSessions, revokeUserSessionsAsAdmin } from "../lib/admin/sessions";
import { keyFingerprint } from "../lib/auth/keys";
import { signInWithKey } from "../lib/auth/static-login";
import { generateId, hashSessionToken } from "../lib/auth/token";
import { parseConfig } from "../lib/config";
import { openSqliteDatabase, toSqliteDate } from "../lib/db/sqlite";
import { encodeCursor } from "../lib/pagination/cursor";
import { cleanupSessions } from "../lib/sessions/cleanup";
import { adminSessionsQuerySchema } from "../lib/validation/admin";

const ROOT = path.resolve(__dirname, "..");
process.chdir(ROOT);

const count = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
  return value;
};
const SESSIONS = count("BENCH_SESSIONS", 1_000_000);
const USERS = count("BENCH_USERS", 50_000);
const RUNS = count("BENCH_RUNS", 25);
const DAY = 24 * 3600_000;

// Record every SQL text Prisma prepares, with its bound values, to show its query plan afterwards.
const prepared: { sql: string; args: unknown[] }[] = [];
const originalPrepare = BetterSqlite3.prototype.prepare;
BetterSqlite3.prototype.prepare = function (this: BetterSqlite3.Database, sql: string) {
  const statement = originalPrepare.call(this, sql) as BetterSqlite3.Statement<unknown[], unknown>;
  const entry = { sql, args: [] as unknown[] };
  prepared.push(entry);
  const bind = statement.bind.bind(statement);
  statement.bind = (...args: unknown[]) => {
    entry.args = args;
    return bind(...args);
  };
  return statement;
} as typeof originalPrepare;
/** Prepares without being recorded (seeding, EXPLAIN). */
const rawPrepare = (db: BetterSqlite3.Database, sql: string) => originalPrepare.call(db, sql) as BetterSqlite3.Statement<unknown[], unknown>;

function seed(file: string, secret: string, key: string) {
  const db = new BetterSqlite3(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const now = Date.now();
  const fingerprint = keyFingerprint(secret, key);
  const insertUser = rawPrepare(db, `INSERT INTO "User" (id, username, authSource, role, createdAt, updatedAt) VALUES (?, ?, 'static', 'user', ?, ?)`);
  const insertSession = rawPrepare(
    db,
    `INSERT INTO "Session" (id, tokenHash, tokenHint, userId, authMethod, ipAddress, userAgent, rememberMe, keyFingerprint,
                            createdAt, authenticatedAt, lastActiveAt, expiresAt, absoluteExpiresAt)
     VALUES (?, ?, ?, ?, ?, ?, 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const userIds: string[] = [];
  db.transaction(() => {
    for (let u = 0; u < USERS; u++) {
      const id = generateId();
      const at = toSqliteDate(new Date(now - 60 * DAY));
      insertUser.run(id, `bench-user-${u}`, at, at);
      userIds.push(id);
    }
  })();
  const BATCH = 50_000;
  for (let start = 0; start < SESSIONS; start += BATCH) {
    db.transaction(() => {
      for (let s = start; s < Math.min(SESSIONS, start + BATCH); s++) {
        const expired = s % 2 === 1;
        const createdAt = now - Math.floor(Math.random() * 30 * DAY) - (expired ? 40 * DAY : 0);
        const lastActiveAt = createdAt + Math.floor(Math.random() * Math.max(1, (expired ? createdAt + 5 * DAY : now) - createdAt));
        const expiresAt = expired ? now - 1000 - Math.floor(Math.random() * 5 * DAY) : now + 7 * DAY + Math.floor(Math.random() * 20 * DAY);
        insertSession.run(
          generateId(),
          hashSessionToken(`${s}-${Math.random()}`),
          "00000000",
          userIds[(s * 7919) % USERS],
          s % 10 === 0 ? "oidc" : "static",
          `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`,
          s % 3 === 0 ? 1 : 0,
          s % 10 === 0 ? null : fingerprint,
          toSqliteDate(new Date(createdAt)),
          toSqliteDate(new Date(createdAt)), // authenticatedAt: signed in once, never re-authenticated
          toSqliteDate(new Date(lastActiveAt)),
          toSqliteDate(new Date(expiresAt)),
          toSqliteDate(new Date(createdAt + 90 * DAY)),
        );
      }
    })();
  }
  db.exec("ANALYZE");
  db.close();
}

type Stats = { label: string; median: number; p95: number; runs: number; note?: string };

const line = (r: Stats) =>
  `${r.label.padEnd(44)} ${r.median.toFixed(1).padStart(10)} ${r.p95.toFixed(1).padStart(10)} ${String(r.runs).padStart(5)}  ${r.note ?? ""}`;

/** Median and p95 of the samples; printed as soon as measured. */
function stats(label: string, samples: number[], note?: string): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const result = { label, median: pick(0.5), p95: pick(0.95), runs: samples.length, note };
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

const plans = new Map<string, string[]>();

/** Runs fn once while recording the SELECTs it prepares, and keeps their query plans under `label`. */
async function explain(file: string, label: string, fn: () => Promise<unknown>) {
  prepared.length = 0;
  await fn();
  const reader = new BetterSqlite3(file, { readonly: true });
  const lines: string[] = [];
  for (const { sql, args } of prepared.filter((entry) => /^\s*SELECT/i.test(entry.sql) && /Session/.test(entry.sql))) {
    const rows = rawPrepare(reader, `EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[];
    lines.push(`  ${sql.replace(/\s+/g, " ").slice(0, 160)}${sql.length > 160 ? " …" : ""}`, ...rows.map((row) => `      ${row.detail}`));
  }
  reader.close();
  plans.set(label, lines);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-bench-admin-"));
  const file = path.join(dir, "sessions.db");
  try {
    const env = {
      DASHBOARD_SECRET: `bench-secret-${generateId()}-${generateId()}`,
      DASHBOARD_KEY: `bench-key-${generateId()}`,
      DASHBOARD_ADMIN_KEY: `bench-admin-${generateId()}`,
      DASHBOARD_ADMINS: "root",
      DASHBOARD_SESSION_SQLITE_PATH: file,
    };
    const config = parseConfig(env);
    (await openSqliteDatabase(file)).close();
    console.log(`Seeding ${SESSIONS.toLocaleString("en")} sessions over ${USERS.toLocaleString("en")} users (half expired)…`);
    let start = performance.now();
    seed(file, env.DASHBOARD_SECRET, env.DASHBOARD_KEY);
    console.log(`  seeded in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);

    const db = await openSqliteDatabase(file);
    console.log(`${"operation".padEnd(44)} ${"median ms".padStart(10)} ${"p95 ms".padStart(10)} ${"runs".padStart(5)}  note`);
    const actor = { username: "root", sessionId: null };
    const request = { ip: "127.0.0.1", userAgent: "bench" };
    const q = (input: Record<string, unknown>) => adminSessionsQuerySchema.parse(input);
    const list = (input: Record<string, unknown>) => listAdminSessions(db, config, null, q(input));

    // A cursor half way down the active sessions, as a deep "Next page" click would carry.
    const raw = new BetterSqlite3(file, { readonly: true });
    const middle = rawPrepare(
      raw,
      `SELECT lastActiveAt, id FROM "Session" WHERE expiresAt > ? ORDER BY lastActiveAt DESC, id DESC LIMIT 1 OFFSET ?`,
    ).get(toSqliteDate(new Date()), Math.floor(SESSIONS / 4)) as { lastActiveAt: string; id: string };
    raw.close();
    const deepCursor = encodeCursor({ at: new Date(middle.lastActiveAt), id: middle.id });

    const pages: [string, Record<string, unknown>][] = [
      ["first page (50, by last activity)", {}],
      ["first page (50, by sign-in time)", { sort: "created" }],
      ["filtered: exact user", { user: "bench-user-4242" }],
      ["filtered: username prefix (1,111 users)", { user: "bench-user-12", match: "prefix" }],
      ["filtered: IP prefix", { ip: "10.3.7." }],
      ["filtered: sign-in method SSO", { method: "oidc" }],
      ["filtered: more than 5 sessions", { moreThan: 5 }],
      ["deep cursor page (¼ of the way down)", { cursor: deepCursor }],
    ];
    const results: Stats[] = [];
    for (const [label, input] of pages) {
      await explain(file, label, () => list(input));
      results.push(stats(label, await time(RUNS, () => list(input))));
    }
    await explain(file, "counters", () => adminCounters(db, config));
    results.push(stats("counters (5 figures)", await time(RUNS, () => adminCounters(db, config))));
    let revoked = 0;
    results.push(
      stats(
        "revoke all of one user's sessions",
        await time(RUNS, async (run) => {
          revoked += await revokeUserSessionsAsAdmin(db, config, actor, `bench-user-${(USERS >> 1) + run}`, "bench", request);
        }),
        `${(revoked / RUNS).toFixed(1)} sessions each`,
      ),
    );

    // Sign-ins alone, then the same sign-ins while cleanup deletes the expired half.
    const login = (i: number) =>
      signInWithKey(db, config, { username: `bench-login-${i % 50}`, key: env.DASHBOARD_KEY, rememberMe: false }, request);
    const baseline = await time(200, (i) => login(i));
    results.push(stats("sign-in (no cleanup running)", baseline));
    const during: number[] = [];
    let cleaning = true;
    start = performance.now();
    const cleanup = cleanupSessions(db, config).finally(() => {
      cleaning = false;
    });
    let i = 0;
    while (cleaning) {
      const t = performance.now();
      await login(i++);
      during.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const cleaned = await cleanup;
    const cleanupMs = performance.now() - start;
    results.push(stats(`cleanup of ${cleaned.expiredSessions.toLocaleString("en")} expired rows (1 run)`, [cleanupMs], `${Math.round(cleaned.expiredSessions / (cleanupMs / 1000)).toLocaleString("en")} rows/s, batches of 500`));
    results.push(stats("sign-in while cleanup runs", during, `max ${Math.max(...during).toFixed(1)} ms over ${during.length} sign-ins (no cleanup: max ${Math.max(...baseline).toFixed(1)} ms)`));
    await db.close();

    console.log("\nQuery plans (EXPLAIN QUERY PLAN of the SQL Prisma sent):");
    for (const [label, lines] of plans) console.log(`\n${label}\n${lines.join("\n")}`);
    fs.mkdirSync("bench-results", { recursive: true });
    fs.writeFileSync(
      path.join("bench-results", "bench-admin.json"),
      JSON.stringify({ sessions: SESSIONS, users: USERS, results, plans: Object.fromEntries(plans) }, null, 2),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
