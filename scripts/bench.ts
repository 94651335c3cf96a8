/**
 * npm run bench — what the per-request session check costs next to Next.js's own request handling.
 *
 * For each backend — a temporary SQLite file, then a temporary PostgreSQL database — seeds 100,000
 * sessions, starts the built app on it (server.mjs, as `npm start` does) and drives it from a second
 * process (autocannon) with 10 connections:
 *   (a) GET /api/health        — no session check, one `SELECT 1`
 *   (b) GET /api/auth/session  — a valid session cookie: signature check, indexed lookup, JSON
 * Rounds alternate a, b, a, b so drift (thermal, other load) hits both alike; the ratio b/a comes
 * from the means of this run only. Then the check itself is timed in-process, without HTTP.
 *
 * Env: BENCH_SECONDS (measured seconds per round, default 10), BENCH_PORT (default 3900, or any
 * free port when that one is taken), BENCH_BACKENDS (default "sqlite,postgres"), BENCH_POSTGRES_URL
 * (a server where the bench may create and drop a database; default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { decodeSessionCookie, encodeSessionCookie } from "../lib/auth/cookie";
import { keyFingerprint } from "../lib/auth/keys";
import { generateId, generateSessionToken, hashSessionToken, tokenHint } from "../lib/auth/token";
import { parseConfig, type Config } from "../lib/config";
import { openDatabase, type Database } from "../lib/db";
import { toSqliteDate } from "../lib/db/sqlite";
import { validateSessionCookie } from "../lib/sessions/sessions";

// The migrator and server.mjs resolve paths from the working directory: run from the project root.
const ROOT = path.resolve(__dirname, "..");
process.chdir(ROOT);

const SESSIONS = 100_000;
const USERS = 5_000;
const CONNECTIONS = 10;
const WARMUP_SECONDS = 3;
const ROUNDS = 2;
const IN_PROCESS_ITERATIONS = 20_000;
const TARGET_RATIO = 0.85;
const DAY_MS = 24 * 60 * 60 * 1000;
const SECONDS = positiveNumber("BENCH_SECONDS", 10);
const RESULTS_FILE = path.join("bench-results", "bench.json");
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
type Backend = "sqlite" | "postgres";
const BACKENDS = (process.env.BENCH_BACKENDS ?? "sqlite,postgres").split(",").map((b) => b.trim()) as Backend[];
if (BACKENDS.length === 0 || BACKENDS.some((b) => b !== "sqlite" && b !== "postgres")) {
  console.error(`BENCH_BACKENDS must list sqlite and/or postgres, got "${process.env.BENCH_BACKENDS}"`);
  process.exit(1);
}

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: the server, any running autocannon and the temp dir must go on every way out.

const children = new Set<ChildProcess>();
let tempDir: string | undefined;
let tempPostgres: string | undefined;

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Synchronous, so it also works from signal handlers and the "exit" event. */
function cleanupNow() {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
  if (tempPostgres) console.error(`Left behind: PostgreSQL database "${tempPostgres}" (drop it by hand)`);
}

async function withPostgres<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function dropTempPostgres(): Promise<void> {
  if (!tempPostgres) return;
  const name = tempPostgres;
  await withPostgres(POSTGRES_URL, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  tempPostgres = undefined;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the server and removing the temporary database`);
    cleanupNow();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}
process.on("exit", cleanupNow);

/** Asks the child to stop, waits for it (so it releases the database), kills it after 5 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Configuration and seeding

type BenchEnv = Record<string, string>;

/** Random secrets per run: nothing here should look like, or be reused as, a real deployment's. */
function benchEnv(port: number, storage: BenchEnv): BenchEnv {
  const userKey = randomBytes(18).toString("base64url");
  let adminKey = randomBytes(18).toString("base64url");
  while (adminKey === userKey) adminKey = randomBytes(18).toString("base64url");
  return {
    DASHBOARD_SECRET: randomBytes(36).toString("base64url"), // 48 characters
    DASHBOARD_KEY: userKey,
    DASHBOARD_ADMIN_KEY: adminKey,
    ...storage,
    DASHBOARD_URL: `http://127.0.0.1:${port}`,
    // The bench signs in once; a high limit keeps reruns on a reused port from ever tripping it.
    DASHBOARD_LOGIN_MAX_FAILURES_PER_IP: "1000000",
  };
}

type SeededSession = { token: string; rememberMe: boolean };

type SeedData = {
  users: { id: string; username: string; createdAt: Date }[];
  /** id, tokenHash, tokenHint, userId, ip, userAgent, rememberMe, keyFingerprint, createdAt, lastActiveAt, expiresAt, absoluteExpiresAt */
  sessions: [string, string, string, string, string, string, boolean, string, Date, Date, Date, Date][];
  /** One seeded session, so the bench can prove the rows are valid. */
  sample: SeededSession;
};

function seedData(env: BenchEnv): SeedData {
  const now = Date.now();
  const fingerprint = keyFingerprint(env.DASHBOARD_SECRET, env.DASHBOARD_KEY);
  const userAgents = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
  ];
  const users = Array.from({ length: USERS }, (_, u) => ({
    id: generateId(),
    username: `seed-user-${u}`,
    createdAt: new Date(now - randomInt(60) * DAY_MS),
  }));
  let sample: SeededSession | undefined;
  const sessions: SeedData["sessions"] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const token = generateSessionToken();
    const rememberMe = s % 3 === 0;
    // Created up to 30 days ago, last active since; still valid for 7–30 more days.
    const createdAt = now - randomInt(30 * DAY_MS);
    const lastActiveAt = createdAt + randomInt(now - createdAt + 1);
    const expiresAt = now + 7 * DAY_MS + randomInt(23 * DAY_MS);
    sessions.push([
      generateId(),
      hashSessionToken(token),
      tokenHint(token),
      users[s % USERS].id,
      `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`,
      userAgents[s % userAgents.length],
      rememberMe,
      fingerprint,
      new Date(createdAt),
      new Date(lastActiveAt),
      new Date(expiresAt),
      new Date(createdAt + 90 * DAY_MS),
    ]);
    if (s === SESSIONS >> 1) sample = { token, rememberMe };
  }
  if (!sample) throw new Error("seeding produced no sample session");
  return { users, sessions, sample };
}

/** Raw inserts in one transaction (seconds, where Prisma would take minutes); the schema must exist. */
function seedSqlite(file: string, data: SeedData): void {
  const db = new BetterSqlite3(file);
  try {
    const insertUser = db.prepare(
      `INSERT INTO "User" (id, username, authSource, role, createdAt, updatedAt) VALUES (?, ?, 'static', 'user', ?, ?)`,
    );
    const insertSession = db.prepare(
      `INSERT INTO "Session" (id, tokenHash, tokenHint, userId, authMethod, ipAddress, userAgent, rememberMe,
                              keyFingerprint, createdAt, authenticatedAt, lastActiveAt, expiresAt, absoluteExpiresAt)
       VALUES (?1, ?2, ?3, ?4, 'static', ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12)`,
    );
    db.transaction(() => {
      for (const user of data.users) insertUser.run(user.id, user.username, toSqliteDate(user.createdAt), toSqliteDate(user.createdAt));
      for (const row of data.sessions) {
        const [id, hash, hint, userId, ip, ua, rememberMe, fingerprint, ...dates] = row;
        insertSession.run(id, hash, hint, userId, ip, ua, rememberMe ? 1 : 0, fingerprint, ...dates.map(toSqliteDate));
      }
    })();
  } finally {
    db.close();
  }
}

/** The same rows, 10,000 per statement through unnest(); then ANALYZE, as autovacuum soon would. */
async function seedPostgres(url: string, data: SeedData): Promise<void> {
  await withPostgres(url, async (client) => {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO "User" ("id", "username", "authSource", "role", "createdAt", "updatedAt")
       SELECT id, username, 'static', 'user', at, at FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(id, username, at)`,
      [data.users.map((u) => u.id), data.users.map((u) => u.username), data.users.map((u) => u.createdAt)],
    );
    for (let i = 0; i < data.sessions.length; i += 10_000) {
      const chunk = data.sessions.slice(i, i + 10_000);
      const column = (n: number) => chunk.map((row) => row[n]);
      await client.query(
        `INSERT INTO "Session" ("id", "tokenHash", "tokenHint", "userId", "authMethod", "ipAddress", "userAgent", "rememberMe",
                                "keyFingerprint", "createdAt", "authenticatedAt", "lastActiveAt", "expiresAt", "absoluteExpiresAt")
         SELECT id, hash, hint, uid, 'static', ip, ua, rm, fp, c, c, l, e, a
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::text[],
                       $9::timestamptz[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[])
             AS s(id, hash, hint, uid, ip, ua, rm, fp, c, l, e, a)`,
        Array.from({ length: 12 }, (_, n) => column(n)),
      );
    }
    await client.query("COMMIT");
    await client.query("ANALYZE");
  });
}

// ---------------------------------------------------------------------------------------------
// The server

/** BENCH_PORT or 3900 when free, otherwise whatever free port the OS hands out. */
async function choosePort(): Promise<number> {
  const listenOn = (port: number) =>
    new Promise<number | null>((resolve) => {
      const probe = net.createServer();
      probe.once("error", () => resolve(null));
      probe.listen(port, "127.0.0.1", () => {
        const address = probe.address();
        const chosen = typeof address === "object" && address ? address.port : null;
        probe.close(() => resolve(chosen));
      });
    });
  const preferred = positiveNumber("BENCH_PORT", 3900);
  const port = (await listenOn(preferred)) ?? (await listenOn(0));
  if (port === null) throw new Error("no free port on 127.0.0.1");
  return port;
}

/** Keeps the last few KB of the server's output, to show when it fails to start or crashes. */
function captureTail(child: ChildProcess): () => string {
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => tail;
}

function startServer(env: BenchEnv, port: number) {
  // Inherit PATH etc., but none of the developer's own dashboard settings: the config is fixed.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("DASHBOARD_") && !name.startsWith("SESSION_")),
  );
  const child = track(
    spawn(process.execPath, ["server.mjs"], {
      cwd: ROOT,
      env: { ...inherited, ...env, NODE_ENV: "production", PORT: String(port), BIND_HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  return { child, output: captureTail(child) };
}

async function waitForHealth(baseUrl: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`the server exited during start-up (${server.exitCode ?? server.signalCode}):\n${output()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`GET /api/health did not answer 200 within 60 s:\n${output()}`);
}

/** Signs in over HTTP like a browser would, and returns the raw session_token cookie value. */
async function signIn(baseUrl: string, key: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ username: "bench-user", key, rememberMe: false }),
  });
  const cookies = response.headers.getSetCookie();
  const value = cookies.map((c) => /^session_token=([^;]+)/.exec(c)?.[1]).find((v) => v !== undefined);
  if (response.status !== 200 || !value) {
    throw new Error(`sign-in failed: HTTP ${response.status} ${await response.text()}`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Load generation (autocannon in its own process, so it does not share the bench's event loop)

type LoadResult = { rps: number; p50: number; p99: number; requests: number; non2xx: number; errors: number };

/** The part of autocannon's --json output used here. */
type AutocannonJson = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
};

function isAutocannonJson(value: unknown): value is AutocannonJson {
  const v = value as Partial<AutocannonJson> | null;
  return (
    typeof v?.requests?.average === "number" &&
    typeof v.latency?.p50 === "number" &&
    typeof v.latency.p99 === "number" &&
    typeof v.non2xx === "number" &&
    typeof v.errors === "number" &&
    typeof v.timeouts === "number"
  );
}

async function runAutocannon(url: string, headers: Record<string, string>, seconds: number): Promise<LoadResult> {
  const args = [
    path.join(ROOT, "node_modules", ".bin", "autocannon"),
    "--json",
    "-c",
    String(CONNECTIONS),
    "-d",
    String(seconds),
    ...Object.entries(headers).flatMap(([name, value]) => ["-H", `${name}=${value}`]),
    url,
  ];
  const child = track(spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] }));
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`autocannon exited with ${code}:\n${stderr.slice(-2000)}`);
  const parsed: unknown = JSON.parse(stdout);
  if (!isAutocannonJson(parsed)) throw new Error(`unexpected autocannon output:\n${stdout.slice(0, 2000)}`);
  return {
    rps: parsed.requests.average,
    p50: parsed.latency.p50,
    p99: parsed.latency.p99,
    requests: parsed.requests.total,
    non2xx: parsed.non2xx,
    errors: parsed.errors + parsed.timeouts,
  };
}

/** A wrong status would measure the error path instead of the one we care about: stop the bench. */
function requireAll2xx(label: string, result: LoadResult) {
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `${label}: ${result.non2xx} non-2xx responses and ${result.errors} errors/timeouts out of ` +
        `${result.requests} requests — the measurement is invalid`,
    );
  }
}

type RouteSummary = { rounds: LoadResult[]; mean: { rps: number; p50: number; p99: number } };

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

function summarise(rounds: LoadResult[]): RouteSummary {
  return {
    rounds,
    mean: { rps: mean(rounds.map((r) => r.rps)), p50: mean(rounds.map((r) => r.p50)), p99: mean(rounds.map((r) => r.p99)) },
  };
}

// ---------------------------------------------------------------------------------------------
// In-process timing

/** Mean µs per call; calls are awaited one at a time, as a request handler would. */
async function microseconds(iterations: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < 1_000; i++) await fn(); // JIT and SQLite page cache warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1_000 / iterations;
}

type InProcess = { ping: number; decodeSessionCookie: number; findSessionByTokenHash: number; validateSessionCookie: number };

async function timeSessionCheck(db: Database, config: Config, cookieValue: string): Promise<InProcess> {
  const request = { ip: "127.0.0.1", userAgent: "bench" };
  const decoded = decodeSessionCookie(config, cookieValue);
  if (!decoded) throw new Error("the sign-in cookie does not verify with the bench config");
  const tokenHash = hashSessionToken(decoded.token);
  const check = await validateSessionCookie(db, config, cookieValue, request);
  if (check.status !== "active") throw new Error(`the sign-in session is not active in-process: ${JSON.stringify(check)}`);

  return {
    // The floor: one round trip that does nothing (on SQLite, a prepared SELECT 1).
    ping: await microseconds(IN_PROCESS_ITERATIONS, () => db.ping()),
    decodeSessionCookie: await microseconds(IN_PROCESS_ITERATIONS, () => decodeSessionCookie(config, cookieValue)),
    findSessionByTokenHash: await microseconds(IN_PROCESS_ITERATIONS, () => db.findSessionByTokenHash(tokenHash)),
    validateSessionCookie: await microseconds(IN_PROCESS_ITERATIONS, () =>
      validateSessionCookie(db, config, cookieValue, request),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

/** With one busy server process, 1/rps is roughly the server time per request; the difference is
 * what (b) costs on top of (a), to set against the in-process check. */
const extraMicrosecondsPerRequest = (a: RouteSummary, b: RouteSummary) => (1 / b.mean.rps - 1 / a.mean.rps) * 1e6;

function printReport(backend: string, a: RouteSummary, b: RouteSummary, ratio: number, inProcess: InProcess) {
  const row = (route: string, round: string, r: { rps: number; p50: number; p99: number }) =>
    `${route.padEnd(38)}${round.padEnd(7)}${r.rps.toFixed(0).padStart(8)}${r.p50.toFixed(1).padStart(9)}${r.p99.toFixed(1).padStart(9)}`;
  const routeRows = (route: string, summary: RouteSummary) => [
    ...summary.rounds.map((r, i) => row(route, String(i + 1), r)),
    row(route, "mean", summary.mean),
  ];
  console.log(
    `\n[${backend}] ${os.cpus().length} cores, Node ${process.version}, ${CONNECTIONS} connections, ` +
      `${WARMUP_SECONDS} s warm-up + ${ROUNDS} × ${SECONDS} s per route (alternating), ` +
      `${SESSIONS.toLocaleString("en")} sessions / ${USERS.toLocaleString("en")} users\n`,
  );
  console.log(`${"route".padEnd(38)}${"round".padEnd(7)}${"req/s".padStart(8)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}`);
  console.log("-".repeat(71));
  for (const line of routeRows("(a) GET /api/health", a)) console.log(line);
  for (const line of routeRows("(b) GET /api/auth/session (cookie)", b)) console.log(line);
  console.log("-".repeat(71));
  console.log(
    `ratio b/a (mean req/s) = ${ratio.toFixed(3)}   target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? "PASS" : "BELOW TARGET"}`,
  );
  console.log(`(b) costs ≈ ${extraMicrosecondsPerRequest(a, b).toFixed(0)} µs more server time per request than (a)\n`);
  console.log(`In-process, no HTTP (${IN_PROCESS_ITERATIONS.toLocaleString("en")} calls each, mean):`);
  console.log(`  db.ping (SELECT 1)           ${inProcess.ping.toFixed(1).padStart(8)} µs  (one round trip, for scale)`);
  console.log(`  decodeSessionCookie          ${inProcess.decodeSessionCookie.toFixed(1).padStart(8)} µs`);
  console.log(`  db.findSessionByTokenHash    ${inProcess.findSessionByTokenHash.toFixed(1).padStart(8)} µs`);
  console.log(`  validateSessionCookie        ${inProcess.validateSessionCookie.toFixed(1).padStart(8)} µs  (whole check)`);
}

// ---------------------------------------------------------------------------------------------

type BackendResult = { a: RouteSummary; b: RouteSummary; ratio: number; inProcess: InProcess };

/** Seeds a fresh database on `backend`, measures over HTTP, then in-process; removes the database. */
async function benchBackend(backend: Backend): Promise<BackendResult> {
  console.log(`\n=== ${backend} ===`);
  let storage: BenchEnv;
  if (backend === "postgres") {
    const name = `sessionboard_bench_${Date.now().toString(36)}`;
    await withPostgres(POSTGRES_URL, (client) => client.query(`CREATE DATABASE "${name}"`));
    tempPostgres = name;
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    storage = { DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: url.toString() };
  } else {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-bench-"));
    storage = { DASHBOARD_SESSION_BACKEND: "sqlite", DASHBOARD_SESSION_SQLITE_PATH: path.join(tempDir, "sessions.db") };
  }
  const port = await choosePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = benchEnv(port, storage);
  const config = parseConfig({ ...env });

  // Schema through the app's own migrator, rows through raw inserts.
  await (await openDatabase(config)).close();
  const seedStart = Date.now();
  const data = seedData(env);
  if (backend === "postgres") await seedPostgres(env.DATABASE_URL, data);
  else seedSqlite(env.DASHBOARD_SESSION_SQLITE_PATH, data);
  console.log(`Seeded ${SESSIONS.toLocaleString("en")} sessions over ${USERS.toLocaleString("en")} users in ${Date.now() - seedStart} ms`);

  const server = startServer(env, port);
  await waitForHealth(baseUrl, server.child, server.output);
  console.log(`Server up on ${baseUrl}`);
  const cookieValue = await signIn(baseUrl, env.DASHBOARD_KEY);

  const routeA = { label: "(a) GET /api/health", url: `${baseUrl}/api/health`, headers: {} };
  const routeB = {
    label: "(b) GET /api/auth/session",
    url: `${baseUrl}/api/auth/session`,
    headers: { cookie: `session_token=${cookieValue}` },
  };
  const crashed = () => server.child.exitCode !== null || server.child.signalCode !== null;

  console.log(`Warming up (${WARMUP_SECONDS} s per route)…`);
  for (const route of [routeA, routeB]) requireAll2xx(route.label, await runAutocannon(route.url, route.headers, WARMUP_SECONDS));

  const roundsA: LoadResult[] = [];
  const roundsB: LoadResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [route, results] of [
      [routeA, roundsA],
      [routeB, roundsB],
    ] as const) {
      console.log(`Round ${round}/${ROUNDS}: ${route.label} for ${SECONDS} s…`);
      const result = await runAutocannon(route.url, route.headers, SECONDS);
      if (crashed()) throw new Error(`the server died during the run:\n${server.output()}`);
      requireAll2xx(route.label, result);
      results.push(result);
    }
  }
  // Stop the server before timing in-process so the two do not compete for the 2 cores.
  await stopProcess(server.child);

  const db = await openDatabase(config);
  let inProcess: InProcess;
  try {
    // A seeded row must pass the full check too, or the 100,000 rows would be dead weight.
    const seededCookie = encodeSessionCookie(config, { token: data.sample.token, persistent: data.sample.rememberMe });
    const seededCheck = await validateSessionCookie(db, config, seededCookie, { ip: "127.0.0.1", userAgent: "bench" });
    if (seededCheck.status !== "active") throw new Error(`a seeded session is not valid: ${JSON.stringify(seededCheck)}`);
    inProcess = await timeSessionCheck(db, config, cookieValue);
  } finally {
    await db.close();
  }
  if (backend === "postgres") await dropTempPostgres();
  else cleanupNow();

  const a = summarise(roundsA);
  const b = summarise(roundsB);
  return { a, b, ratio: b.mean.rps / a.mean.rps, inProcess };
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    console.error("Run `npm run build` first");
    process.exit(1);
  }
  const backends: Partial<Record<Backend, BackendResult>> = {};
  for (const backend of BACKENDS) {
    if (backend === "postgres") {
      try {
        await withPostgres(POSTGRES_URL, (client) => client.query("SELECT 1"));
      } catch (error) {
        console.log(`\nSkipping postgres: cannot reach ${new URL(POSTGRES_URL).host} (${error instanceof Error ? error.message : String(error)})`);
        continue;
      }
    }
    backends[backend] = await benchBackend(backend);
  }

  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const results = {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` },
    settings: { sessions: SESSIONS, users: USERS, connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, rounds: ROUNDS },
    target: TARGET_RATIO,
    backends: Object.fromEntries(
      Object.entries(backends).map(([backend, r]) => [
        backend,
        {
          a: { route: "GET /api/health", ...r.a },
          b: { route: "GET /api/auth/session", ...r.b },
          ratio: r.ratio,
          pass: r.ratio >= TARGET_RATIO,
          extraServerMicrosecondsPerRequest: extraMicrosecondsPerRequest(r.a, r.b),
          inProcessMicroseconds: { iterations: IN_PROCESS_ITERATIONS, ...r.inProcess },
        },
      ]),
    ),
  };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  for (const [backend, r] of Object.entries(backends)) printReport(backend, r.a, r.b, r.ratio, r.inProcess);
  console.log(`\nResults written to ${RESULTS_FILE}`);
}

main()
  .then(() => {
    cleanupNow();
    process.exit(0);
  })
  .catch((error: unknown) => {
    console.error(`\nBenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    dropTempPostgres()
      .catch(() => undefined)
      .finally(() => {
        cleanupNow();
        process.exit(1);
      });
  });
