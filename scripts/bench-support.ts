/**
 * What `npm run bench` and `npm run bench:peers` share: cleanup of servers and temporary databases,
 * free ports, core pinning, raw-SQL seeding, Sessionboard's own seeded database and server, load
 * generation with autocannon in interleaved rounds, and the statistics and tables they print.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { withPostgresClient } from "../tests/support/postgres";
import { encodeSessionCookie } from "../lib/sessions/cookie";
import { keyFingerprint } from "../lib/auth/keys";
import { generateId, generateSessionToken, hashSessionToken, tokenHint } from "../lib/sessions/token";
import { parseConfig, type Config } from "../lib/config";
import { openDatabase } from "../lib/db";
import { toSqliteDate } from "../lib/db/sqlite";
import { SERVER_NODE_OPTIONS } from "../server/node-options.mjs";

// The migrator and server.mjs resolve paths from the working directory: run from the project root.
export const ROOT = path.resolve(__dirname, "..");
process.chdir(ROOT);

export const SESSIONS = 100_000;
export const USERS = 5_000;
export const CONNECTIONS = 10;
export const DAY_MS = 24 * 60 * 60 * 1000;
export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export type Backend = "sqlite" | "postgres";

export function positiveNumber(name: string, fallback: number, { integer = false } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    console.error(`${name} must be a positive ${integer ? "whole " : ""}number, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

/**
 * Seconds each route is driven before anything is measured (BENCH_WARMUP_SECONDS). A page's
 * throughput keeps rising for about half a minute after a server starts, on one core (the JIT
 * compiles on the core it serves from): with a few seconds of warm-up, pages are still warming up
 * during the rounds, and a ratio of two of them measures how far each has warmed as well as what
 * each costs.
 */
export const WARMUP_SECONDS = positiveNumber("BENCH_WARMUP_SECONDS", 30);

/** BENCH_BACKENDS (default "sqlite,postgres"). */
export function backendsFromEnv(): Backend[] {
  const backends = (process.env.BENCH_BACKENDS ?? "sqlite,postgres").split(",").map((b) => b.trim());
  if (backends.length === 0 || backends.some((b) => b !== "sqlite" && b !== "postgres")) {
    console.error(`BENCH_BACKENDS must list sqlite and/or postgres, got "${process.env.BENCH_BACKENDS}"`);
    process.exit(1);
  }
  return backends as Backend[];
}

/** The backends of BENCH_BACKENDS that can run here: PostgreSQL is skipped, saying why, when it does not answer. */
export async function runnableBackends(): Promise<Backend[]> {
  const runnable: Backend[] = [];
  for (const backend of backendsFromEnv()) {
    const unreachable = backend === "postgres" ? await postgresUnreachable() : null;
    if (unreachable) console.log(`\nSkipping postgres: ${unreachable}`);
    else runnable.push(backend);
  }
  return runnable;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: servers, autocannon and temporary files and databases must go on every way out.

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const tempPostgres = new Set<string>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Synchronous, so it also works from signal handlers and the "exit" event. */
function cleanupNow() {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
  for (const name of tempPostgres) console.error(`Left behind: PostgreSQL database "${name}" (drop it by hand)`);
}

export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Runs the bench: cleans up on success, failure and Ctrl-C; exits 1 only when the bench itself failed. */
export function runBench(main: () => Promise<void>): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the servers and removing the temporary databases`);
      cleanupNow();
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
  process.on("exit", cleanupNow);
  main()
    .then(() => {
      cleanupNow();
      process.exit(0);
    })
    .catch(async (error: unknown) => {
      console.error(`\nBenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      for (const child of children) child.kill("SIGKILL");
      for (const name of [...tempPostgres]) await dropTempPostgres(name).catch(() => undefined);
      cleanupNow();
      process.exit(1);
    });
}

/** Asks the child to stop, waits for it (so it releases the database), kills it after 5 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Runs a command to completion with inherited output; throws when it fails. */
export async function runCommand(command: string, args: string[], options: SpawnOptions = {}): Promise<void> {
  const child = track(spawn(command, args, { stdio: "inherit", ...options }));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}`);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** One client for the length of `work`: the same helper the tests use. */
export const withPostgres = withPostgresClient;

/** Null when BENCH_POSTGRES_URL answers, otherwise why not. */
export async function postgresUnreachable(): Promise<string | null> {
  try {
    await withPostgres(POSTGRES_URL, (client) => client.query("SELECT 1"));
    return null;
  } catch (error) {
    return `cannot reach ${new URL(POSTGRES_URL).host} (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Creates an empty database on BENCH_POSTGRES_URL's server and returns its URL. */
export async function createTempPostgres(prefix: string): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  await withPostgres(POSTGRES_URL, (client) => client.query(`CREATE DATABASE "${name}"`));
  tempPostgres.add(name);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createTempPostgres (by its URL or name). */
export async function dropTempPostgres(urlOrName: string): Promise<void> {
  const name = urlOrName.includes("://") ? new URL(urlOrName).pathname.slice(1) : urlOrName;
  await withPostgres(POSTGRES_URL, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  tempPostgres.delete(name);
}

// ---------------------------------------------------------------------------------------------
// Raw-SQL seeding, seconds where an ORM would take minutes

/** Where rows go: a SQLite file, or a PostgreSQL database by URL. */
export type SeedTarget = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

/** A column: its name and the PostgreSQL array element type unnest() needs. */
export type Column = { name: string; pgType: "text" | "bool" | "int" | "timestamptz" };
export type Row = (string | number | boolean | Date | null)[];

/** How a library stores dates in SQLite (PostgreSQL gets Date objects as they are). */
export type SqliteDate = (date: Date) => string | number;

/**
 * Inserts rows into tables, in order: on SQLite as prepared inserts in one transaction (booleans as
 * 0/1, dates through `sqliteDate`), on PostgreSQL 10,000 rows per statement through unnest(), then
 * ANALYZE, as autovacuum soon would.
 */
export async function insertRows(
  target: SeedTarget,
  tables: { table: string; columns: Column[]; rows: Row[] }[],
  sqliteDate: SqliteDate,
): Promise<void> {
  const quoted = (columns: Column[]) => columns.map((c) => `"${c.name}"`).join(", ");
  if (target.kind === "sqlite") {
    const db = new BetterSqlite3(target.file);
    try {
      db.transaction(() => {
        for (const { table, columns, rows } of tables) {
          const insert = db.prepare(`INSERT INTO "${table}" (${quoted(columns)}) VALUES (${columns.map(() => "?").join(", ")})`);
          for (const row of rows) {
            insert.run(...row.map((v) => (v instanceof Date ? sqliteDate(v) : typeof v === "boolean" ? (v ? 1 : 0) : v)));
          }
        }
      })();
    } finally {
      db.close();
    }
    return;
  }
  await withPostgres(target.url, async (client) => {
    await client.query("BEGIN");
    for (const { table, columns, rows } of tables) {
      const unnest = columns.map((c, n) => `$${n + 1}::${c.pgType}[]`).join(", ");
      for (let i = 0; i < rows.length; i += 10_000) {
        const chunk = rows.slice(i, i + 10_000);
        await client.query(
          `INSERT INTO "${table}" (${quoted(columns)}) SELECT * FROM unnest(${unnest})`,
          columns.map((_, n) => chunk.map((row) => row[n])),
        );
      }
    }
    await client.query("COMMIT");
    await client.query("ANALYZE");
  });
}

/** Runs a schema file's statements (several, separated by semicolons) on a seed target. */
export async function applySql(target: SeedTarget, sql: string): Promise<void> {
  if (target.kind === "sqlite") {
    const db = new BetterSqlite3(target.file);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  } else {
    await withPostgres(target.url, (client) => client.query(sql));
  }
}

/** A production SQLite file runs in WAL mode (the setting lives in the file): give every app the same. */
export function enableWal(file: string): void {
  const db = new BetterSqlite3(file);
  try {
    db.pragma("journal_mode = WAL");
  } finally {
    db.close();
  }
}

export const USER_AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
];

/** A seeded session's address: distinct per session, like a fleet of devices. */
export const seedIp = (s: number) => `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`;

// ---------------------------------------------------------------------------------------------
// Sessionboard: a seeded temporary database and the built app on it

export type BenchEnv = Record<string, string>;

export type Sessionboard = {
  env: BenchEnv;
  config: Config;
  /** The cookie value for one of the seeded sessions, and its owner's username. */
  seeded: { cookie: string; username: string };
  /** Removes the temporary database. */
  dispose: () => Promise<void>;
};

/** Random secrets per run: nothing here should look like, or be reused as, a real deployment's. */
function sessionboardEnv(port: number, storage: BenchEnv): BenchEnv {
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

/**
 * A temporary SQLite file or PostgreSQL database with the app's schema (its own migrator) and
 * SESSIONS sessions over USERS users (raw inserts), all valid for 7–30 more days.
 */
export async function prepareSessionboard(backend: Backend, port: number): Promise<Sessionboard> {
  let storage: BenchEnv;
  let target: SeedTarget;
  let dispose: () => Promise<void>;
  if (backend === "postgres") {
    const url = await createTempPostgres("sessionboard_bench");
    storage = { DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: url };
    target = { kind: "postgres", url };
    dispose = () => dropTempPostgres(url);
  } else {
    const dir = makeTempDir("sessionboard-bench-");
    const file = path.join(dir, "sessions.db");
    storage = { DASHBOARD_SESSION_BACKEND: "sqlite", DASHBOARD_SESSION_SQLITE_PATH: file };
    target = { kind: "sqlite", file };
    dispose = async () => removeTempDir(dir);
  }
  const env = sessionboardEnv(port, storage);
  const config = parseConfig({ ...env });
  await (await openDatabase(config)).close();

  const now = Date.now();
  const fingerprint = keyFingerprint(env.DASHBOARD_SECRET, env.DASHBOARD_KEY);
  const users: Row[] = Array.from({ length: USERS }, (_, u) => {
    const createdAt = new Date(now - randomInt(60) * DAY_MS);
    return [generateId(), `seed-user-${u}`, "static", "user", createdAt, createdAt];
  });
  let seeded: Sessionboard["seeded"] | undefined;
  const sessions: Row[] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const token = generateSessionToken();
    const rememberMe = s % 3 === 0;
    // Created up to 30 days ago, last active since; still valid for 7–30 more days.
    const createdAt = now - randomInt(30 * DAY_MS);
    const lastActiveAt = createdAt + randomInt(now - createdAt + 1);
    const expiresAt = now + 7 * DAY_MS + randomInt(23 * DAY_MS);
    const user = users[s % USERS];
    sessions.push([
      generateId(), hashSessionToken(token), tokenHint(token), user[0], "static", seedIp(s), USER_AGENTS[s % USER_AGENTS.length],
      rememberMe, fingerprint, new Date(createdAt), new Date(createdAt), new Date(lastActiveAt), new Date(expiresAt),
      new Date(createdAt + 90 * DAY_MS),
    ]);
    if (s === SESSIONS >> 1) {
      const cookie = encodeSessionCookie(config, { token, persistent: rememberMe });
      seeded = { cookie, username: String(user[1]) };
    }
  }
  if (!seeded) throw new Error("seeding produced no sample session");
  const text = (...names: string[]): Column[] => names.map((name) => ({ name, pgType: "text" }));
  const date = (...names: string[]): Column[] => names.map((name) => ({ name, pgType: "timestamptz" }));
  await insertRows(
    target,
    [
      { table: "User", columns: [...text("id", "username", "authSource", "role"), ...date("createdAt", "updatedAt")], rows: users },
      {
        table: "Session",
        columns: [
          ...text("id", "tokenHash", "tokenHint", "userId", "authMethod", "ipAddress", "userAgent"),
          { name: "rememberMe", pgType: "bool" },
          ...text("keyFingerprint"),
          ...date("createdAt", "authenticatedAt", "lastActiveAt", "expiresAt", "absoluteExpiresAt"),
        ],
        rows: sessions,
      },
    ],
    toSqliteDate,
  );
  return { env, config, seeded, dispose };
}

/** The built app as `npm start` runs it, with the bench's config and none of the developer's own. */
export function startSessionboard(env: BenchEnv, port: number): Server {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("DASHBOARD_") && !name.startsWith("SESSION_")),
  );
  return startServer("sessionboard", process.execPath, [...SERVER_NODE_OPTIONS, "server.mjs"], {
    cwd: ROOT,
    port,
    env: { ...inherited, ...env, NODE_ENV: "production", PORT: String(port), BIND_HOST: "127.0.0.1" },
  });
}

export function requireSessionboardBuild(): void {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    console.error("Run `npm run build` first");
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------
// Servers, ports and cores

/**
 * Servers on core 1, the load generator on core 0 (taskset, from util-linux), so the two do not
 * trade places between rounds; that steadies a throughput ratio. Off with BENCH_PIN=0, and where
 * there is one core or no taskset.
 */
const PINNING =
  process.env.BENCH_PIN !== "0" && os.cpus().length >= 2 && spawnSync("taskset", ["--version"]).status === 0;

const pinningNote = () =>
  PINNING ? "servers pinned to core 1, autocannon to core 0 (taskset)" : "not pinned to cores";

function pinned(role: "server" | "load", command: string, args: string[]): [string, string[]] {
  return PINNING ? ["taskset", ["-c", role === "server" ? "1" : "0", command, ...args]] : [command, args];
}

export type Server = { label: string; child: ChildProcess; baseUrl: string; output: () => string };

export function startServer(
  label: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; port: number },
): Server {
  const [cmd, cmdArgs] = pinned("server", command, args);
  const child = track(spawn(cmd, cmdArgs, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] }));
  // The last few KB of the server's output, to show when it fails to start or crashes.
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { label, child, baseUrl: `http://127.0.0.1:${options.port}`, output: () => tail };
}

export const hasExited = (server: Server) => server.child.exitCode !== null || server.child.signalCode !== null;

/** Waits until GET `urlPath` answers `status` (the server is up), for at most 60 s. */
export async function waitForServer(server: Server, urlPath: string, status = 200): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (hasExited(server)) {
      throw new Error(`${server.label} exited during start-up (${server.child.exitCode ?? server.child.signalCode}):\n${server.output()}`);
    }
    try {
      const response = await fetch(`${server.baseUrl}${urlPath}`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === status) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${server.label}: GET ${urlPath} did not answer ${status} within 60 s:\n${server.output()}`);
}

// ---------------------------------------------------------------------------------------------
// Load generation: autocannon in its own process, so it does not share the bench's event loop

export type LoadResult = { rps: number; p50: number; p99: number; requests: number; non2xx: number; errors: number };

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
  const autocannon = path.join(ROOT, "node_modules", ".bin", "autocannon");
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ["-H", `${name}=${value}`]);
  const [cmd, args] = pinned("load", process.execPath, [autocannon, "--json", "-c", String(CONNECTIONS), "-d", String(seconds), ...headerArgs, url]);
  const child = track(spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }));
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

/** A route to drive: the server behind it (checked for crashes) and the request to send. */
export type Target = { key: string; label: string; server: Server; path: string; headers: Record<string, string> };

export type Stats = { rps: number; p50: number; p99: number };
export type TargetSummary = { label: string; route: string; rounds: LoadResult[]; mean: Stats };

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/**
 * Warms every target up, then drives them one after another in `rounds` rounds (a, b, c, a, b, c…)
 * so drift (thermal, other load on the machine) hits all alike. Any non-2xx answer or error stops
 * the bench: it would measure an error path instead of the route.
 */
export async function driveInterleaved(
  targets: Target[],
  { rounds, seconds }: { rounds: number; seconds: number },
): Promise<Record<string, TargetSummary>> {
  const drive = async (target: Target, duration: number) => {
    const result = await runAutocannon(`${target.server.baseUrl}${target.path}`, target.headers, duration);
    if (hasExited(target.server)) throw new Error(`${target.server.label} died during the run:\n${target.server.output()}`);
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(
        `${target.label}: ${result.non2xx} non-2xx responses and ${result.errors} errors/timeouts out of ` +
          `${result.requests} requests — the measurement is invalid`,
      );
    }
    return result;
  };
  console.log(`Warming up (${WARMUP_SECONDS} s per route)…`);
  for (const target of targets) {
    const warm = await drive(target, WARMUP_SECONDS);
    console.log(`  ${target.label}: ${warm.rps.toFixed(0)} req/s while warming up`);
  }
  const results = new Map<string, LoadResult[]>(targets.map((t) => [t.key, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      console.log(`Round ${round}/${rounds}: ${target.label} for ${seconds} s…`);
      results.get(target.key)?.push(await drive(target, seconds));
    }
  }
  return Object.fromEntries(
    targets.map((t) => {
      const r = results.get(t.key) ?? [];
      return [t.key, { label: t.label, route: `GET ${t.path}`, rounds: r, mean: { rps: mean(r.map((x) => x.rps)), p50: mean(r.map((x) => x.p50)), p99: mean(r.map((x) => x.p99)) } }];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Reporting

export function machineInfo() {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown",
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    pinning: pinningNote(),
    // Other work on the machine skews every number; this says how much there was.
    loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
  };
}

/** The version of `pkg` installed under `dir`'s node_modules. */
export const packageVersion = (dir: string, pkg: string): string =>
  (JSON.parse(fs.readFileSync(path.join(dir, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

/** The line to put above a pasted table: where and how it was measured. */
export function caption(settings: { rounds: number; seconds: number }, nextVersion: string): string {
  const m = machineInfo();
  return (
    `${new Date().toISOString().slice(0, 10)}, ${m.cores} cores (${m.cpu}), Node ${m.node}, Next.js ${nextVersion}, ` +
    `${m.pinning}, load average ${m.loadAverage1m} at the end; ${CONNECTIONS} connections, ${settings.rounds} interleaved rounds of ${settings.seconds} s after ` +
    `${WARMUP_SECONDS} s warm-up; ${SESSIONS.toLocaleString("en")} sessions over ${USERS.toLocaleString("en")} users per database.`
  );
}

/** One plain-text row per round and the mean: req/s, p50 and p99 in ms. */
export function statsLines(summary: TargetSummary, width = 40): string[] {
  const row = (round: string, r: Stats) =>
    `${summary.label.padEnd(width)}${round.padEnd(7)}${r.rps.toFixed(0).padStart(8)}${r.p50.toFixed(1).padStart(9)}${r.p99.toFixed(1).padStart(9)}`;
  return [...summary.rounds.map((r, i) => row(String(i + 1), r)), row("mean", summary.mean)];
}

export const statsHeader = (width = 40) =>
  `${"route".padEnd(width)}${"round".padEnd(7)}${"req/s".padStart(8)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}`;

/** "0.912 (target ≥ 0.85: holds)" */
export function ratioVerdict(ratio: number, target: number): string {
  return `${ratio.toFixed(2)} (target ≥ ${target}: ${ratio >= target ? "holds" : "MISSED"})`;
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export const perRound = (summary: TargetSummary) => summary.rounds.map((r) => r.rps.toFixed(0)).join(" / ");
