/**
 * npm run bench:overview — the Admin Panel overview and a person's sign-in history at scale, on
 * SQLite and PostgreSQL.
 *
 * Per backend, seeds a temporary database with 1,000,000 sessions over 50,000 users (1 % expired
 * and not yet cleaned up, device types mixed) and 1,000,000 audit events over the last 40 days (the rollup triggers run as
 * on any insert), then times through the lib/ functions the pages use: the overview (24 hourly and
 * 30 daily buckets of three series, active sessions by method and device), one person's 30 days of
 * sign-ins, and — for comparison — the direct aggregate over AuthEvent the rollup replaces, and one
 * event insert (what the trigger adds to a write). Prints median, p95 and the first run.
 *
 * Env: BENCH_BACKENDS (default "sqlite,postgres"), BENCH_POSTGRES_URL, BENCH_SESSIONS (default
 * 1000000), BENCH_EVENTS (default 1000000), BENCH_USERS (default 50000), BENCH_RUNS (default 25).
 */
import path from "node:path";
import { adminOverview } from "../lib/admin/activity-stats";
import { recordAuthEvent } from "../lib/audit";
import { keyFingerprint } from "../lib/auth/keys";
import { parseConfig } from "../lib/config";
import { openDatabase, type Database } from "../lib/db";
import { toSqliteDate } from "../lib/db/sqlite";
import { signInHistory } from "../lib/sessions/sign-in-history";
import { generateId } from "../lib/sessions/token";
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
  type Backend,
  type Column,
  type Row,
  type SeedTarget,
} from "./bench-support";

const SESSIONS = positiveNumber("BENCH_SESSIONS", 1_000_000, { integer: true });
const EVENTS = positiveNumber("BENCH_EVENTS", 1_000_000, { integer: true });
const USERS = positiveNumber("BENCH_USERS", 50_000, { integer: true });
const RUNS = positiveNumber("BENCH_RUNS", 25, { integer: true });
const CHUNK = 50_000;
const DEVICE_TYPES = ["desktop", "mobile", "tablet", null];
const EVENT_TYPES = ["login.succeeded", "login.succeeded", "login.succeeded", "login.failed", "session.revoked", "logout", "session.expired", "sessions.bulk_revoked"];

const text = (...names: string[]): Column[] => names.map((name) => ({ name, pgType: "text" }));
const date = (...names: string[]): Column[] => names.map((name) => ({ name, pgType: "timestamptz" }));

async function seed(target: SeedTarget, fingerprint: string) {
  const now = Date.now();
  const joined = new Date(now - 60 * DAY_MS);
  const userIds = Array.from({ length: USERS }, () => generateId());
  await insertRows(
    target,
    [{ table: "User", columns: [...text("id", "username", "authSource", "role"), ...date("createdAt", "updatedAt")], rows: userIds.map((id, u) => [id, `bench-user-${u}`, "static", "user", joined, joined]) }],
    toSqliteDate,
  );
  const sessionColumns: Column[] = [
    ...text("id", "tokenHash", "tokenHint", "userId", "authMethod", "keyFingerprint", "deviceType"),
    ...date("createdAt", "authenticatedAt", "lastActiveAt", "expiresAt", "absoluteExpiresAt"),
  ];
  for (let start = 0; start < SESSIONS; start += CHUNK) {
    const rows: Row[] = [];
    for (let s = start; s < Math.min(SESSIONS, start + CHUNK); s++) {
      // 1 % expired and not yet deleted: what waits between two hourly cleanups on a busy deployment.
      const expired = s % 100 === 1;
      const createdAt = new Date(now - Math.floor(Math.random() * 30 * DAY_MS) - (expired ? 40 * DAY_MS : 0));
      const expiresAt = new Date(expired ? now - 1000 - Math.floor(Math.random() * 5 * DAY_MS) : now + 7 * DAY_MS);
      const oidc = s % 10 === 0;
      rows.push([generateId(), generateId(), "00000000", userIds[(s * 7919) % USERS]!, oidc ? "oidc" : "static", oidc ? null : fingerprint, DEVICE_TYPES[s % 4]!, createdAt, createdAt, createdAt, expiresAt, new Date(createdAt.getTime() + 90 * DAY_MS)]);
    }
    await insertRows(target, [{ table: "Session", columns: sessionColumns, rows }], toSqliteDate);
  }
  const eventColumns: Column[] = [...text("id", "type", "username"), ...date("at"), { name: "count", pgType: "int" }];
  for (let start = 0; start < EVENTS; start += CHUNK) {
    const rows: Row[] = [];
    for (let e = start; e < Math.min(EVENTS, start + CHUNK); e++) {
      const type = EVENT_TYPES[e % EVENT_TYPES.length]!;
      rows.push([generateId(), type, `bench-user-${e % USERS}`, new Date(now - Math.floor(Math.random() * 40 * DAY_MS)), type === "sessions.bulk_revoked" ? 5 : null]);
    }
    await insertRows(target, [{ table: "AuthEvent", columns: eventColumns, rows }], toSqliteDate);
  }
  // As bench:admin: seeding's large transactions bloat the count tables in a way a deployment's writes do not.
  if (target.kind === "postgres") for (const table of ["UserSessionCount", "UserDeviceCount", "AuthEventHour"]) await applySql(target, `VACUUM FULL "${table}"`);
  await applySql(target, target.kind === "sqlite" ? "ANALYZE" : "VACUUM ANALYZE");
}

type Stats = { label: string; median: number; p95: number; first: number };

async function time(label: string, work: () => Promise<unknown>): Promise<Stats> {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await work();
    ms.push(performance.now() - start);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { label, median: at(0.5), p95: at(0.95), first: ms[0]! };
}

/** What the rollup replaces: the 30 days of the three series aggregated from the events themselves. */
const direct = (db: Database) =>
  db.prisma.authEvent.groupBy({
    by: ["type"],
    where: { type: { in: ["login.succeeded", "login.failed", "session.revoked", "sessions.revoked_all", "sessions.bulk_revoked", "session.reported"] }, at: { gte: new Date(Date.now() - 30 * DAY_MS) } },
    _sum: { count: true },
    _count: { _all: true },
  });

async function benchBackend(backend: Backend): Promise<Stats[]> {
  console.log(`\n=== ${backend} ===`);
  let target: SeedTarget;
  let storage: Record<string, string>;
  let dispose: () => Promise<void>;
  if (backend === "postgres") {
    const url = await createTempPostgres("sessionboard_bench_overview");
    storage = { DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: url };
    target = { kind: "postgres", url };
    dispose = () => dropTempPostgres(url);
  } else {
    const dir = makeTempDir("sessionboard-bench-overview-");
    const file = path.join(dir, "sessions.db");
    storage = { DASHBOARD_SESSION_BACKEND: "sqlite", DASHBOARD_SESSION_SQLITE_PATH: file };
    target = { kind: "sqlite", file };
    dispose = async () => removeTempDir(dir);
  }
  try {
    const env = { DASHBOARD_SECRET: `bench-secret-${generateId()}-${generateId()}`, DASHBOARD_KEY: `bench-key-${generateId()}`, DASHBOARD_ADMIN_KEY: `bench-admin-${generateId()}`, DASHBOARD_ADMINS: "root", ...storage };
    const config = parseConfig(env);
    await (await openDatabase(config)).close();
    console.log(`Seeding ${SESSIONS.toLocaleString("en")} sessions and ${EVENTS.toLocaleString("en")} events…`);
    const seedStart = performance.now();
    await seed(target, keyFingerprint(env.DASHBOARD_SECRET, env.DASHBOARD_KEY));
    console.log(`  seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    const db = await openDatabase(config);
    try {
      const rollupRows = await db.prisma.authEventHour.count();
      const deviceRows = await db.prisma.userDeviceCount.count();
      console.log(`  AuthEventHour rows: ${rollupRows.toLocaleString("en")}; UserDeviceCount rows: ${deviceRows.toLocaleString("en")}`);
      const results = [
        await time("overview (24 h + 30 days + active by method/device)", () => adminOverview(db, config)),
        await time("one person's 30 days of sign-ins", () => signInHistory(db, "bench-user-42")),
        await time("direct: 30 days aggregated from AuthEvent", () => direct(db)),
        await time("one event insert (with the rollup trigger)", () => recordAuthEvent(db, { type: "login.succeeded", username: "bench-user-1" })),
      ];
      for (const r of results) console.log(`  ${r.label.padEnd(54)} median ${r.median.toFixed(1).padStart(7)} ms  p95 ${r.p95.toFixed(1).padStart(7)} ms  1st ${r.first.toFixed(1).padStart(7)} ms`);
      return results;
    } finally {
      await db.close();
    }
  } finally {
    await dispose();
  }
}

runBench(async () => {
  console.log(JSON.stringify(machineInfo()));
  for (const backend of await runnableBackends()) await benchBackend(backend);
});
