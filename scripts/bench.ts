/**
 * npm run bench — what the per-request session check costs next to Next.js's own request handling.
 * Seeds a temporary SQLite file with 100,000 sessions, starts the built app on it, and drives it from
 * a second process (autocannon): (a) GET /api/health, which does no session check, and (b) GET
 * /api/auth/session with a valid cookie. Prints req/s, p50/p99 and the ratio b/a from the same run.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import { keyFingerprint } from "../lib/auth/keys";
import { decodeSessionCookie } from "../lib/auth/cookie";
import { generateId, generateSessionToken, hashSessionToken, tokenHint } from "../lib/auth/token";
import { parseConfig } from "../lib/config";
import { openSqliteDatabase, toSqliteDate } from "../lib/db/sqlite";
import { validateSessionCookie } from "../lib/sessions/sessions";

const SESSIONS = 100_000;
const USERS = 5_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PORT = Number(process.env.BENCH_PORT ?? 3900);
const BASE = `http://127.0.0.1:${PORT}`;
const run = promisify(execFile);

const env = {
  DASHBOARD_SECRET: "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
  DASHBOARD_KEY: "bench-user-key",
  DASHBOARD_ADMIN_KEY: "bench-admin-key",
  DASHBOARD_URL: BASE,
  DASHBOARD_LOGIN_MAX_FAILURES_PER_IP: "1000000",
};

function seed(file: string) {
  const db = new BetterSqlite3(file);
  const now = Date.now();
  const fingerprint = keyFingerprint(env.DASHBOARD_SECRET, env.DASHBOARD_KEY);
  const user = db.prepare(`INSERT INTO "User" (id, username, authSource, role, createdAt, updatedAt) VALUES (?, ?, 'static', 'user', ?, ?)`);
  const session = db.prepare(
    `INSERT INTO "Session" (id, tokenHash, tokenHint, userId, authMethod, ipAddress, userAgent, rememberMe, keyFingerprint,
       createdAt, lastActiveAt, expiresAt, absoluteExpiresAt) VALUES (?, ?, ?, ?, 'static', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const day = 86_400_000;
  db.transaction(() => {
    const ids: string[] = [];
    for (let u = 0; u < USERS; u++) {
      const id = generateId();
      ids.push(id);
      user.run(id, `seed-user-${u}`, toSqliteDate(new Date(now)), toSqliteDate(new Date(now)));
    }
    for (let s = 0; s < SESSIONS; s++) {
      const token = generateSessionToken();
      const created = new Date(now - (s % 30) * day);
      session.run(
        generateId(), hashSessionToken(token), tokenHint(token), ids[s % USERS], `10.0.${(s >> 8) & 255}.${s & 255}`,
        "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0", s % 2, fingerprint, toSqliteDate(created), toSqliteDate(created),
        toSqliteDate(new Date(now + 7 * day)), toSqliteDate(new Date(created.getTime() + 90 * day)),
      );
    }
  })();
  db.close();
}

async function waitForHealth(server: ChildProcess) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error("the server exited during start-up");
    try {
      if ((await fetch(`${BASE}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the server did not become healthy within 60 s");
}

type Result = { rps: number; p50: number; p99: number; non2xx: number };

/** autocannon in its own process, so the load generator does not share the bench's event loop. */
async function load(url: string, headers: string[], seconds: number): Promise<Result> {
  const args = ["-c", "10", "-d", String(seconds), "-j", ...headers.flatMap((h) => ["-H", h]), url];
  const { stdout } = await run(path.join("node_modules", ".bin", "autocannon"), args, { maxBuffer: 16 * 1024 * 1024 });
  const json = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { rps: json.requests.average, p50: json.latency.p50, p99: json.latency.p99, non2xx: json.non2xx + json.errors };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function timeIt(label: string, iterations: number, fn: () => unknown): Promise<[string, number]> {
  for (let i = 0; i < 500; i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return [label, Number(process.hrtime.bigint() - start) / 1000 / iterations];
}

async function main() {
  if (!fs.existsSync(path.join(".next", "BUILD_ID"))) {
    console.error("Run `npm run build` first.");
    process.exit(1);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-bench-"));
  const file = path.join(dir, "sessions.db");
  let server: ChildProcess | undefined;
  const cleanup = () => {
    server?.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on("SIGINT", () => {
    cleanup();
    process.exit(130);
  });
  try {
    await (await openSqliteDatabase(file)).close();
    const seedStart = Date.now();
    seed(file);
    console.log(`Seeded ${SESSIONS.toLocaleString()} sessions over ${USERS.toLocaleString()} users in ${Date.now() - seedStart} ms`);

    server = spawn("node", ["server.mjs"], {
      env: { ...process.env, ...env, NODE_ENV: "production", PORT: String(PORT), BIND_HOST: "127.0.0.1", DASHBOARD_SESSION_SQLITE_PATH: file },
      stdio: ["ignore", "ignore", "inherit"],
    });
    await waitForHealth(server);
    const login = await fetch(`${BASE}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "bench-user", key: env.DASHBOARD_KEY, rememberMe: false }),
    });
    const cookieValue = login.headers.get("set-cookie")?.match(/session_token=([^;]+)/)?.[1];
    if (!login.ok || !cookieValue) throw new Error(`sign-in failed: ${login.status}`);
    const cookie = `cookie=session_token=${cookieValue}`;

    // Warm up both routes, then alternate a/b twice so drift affects both alike.
    await load(`${BASE}/api/health`, [], 3);
    await load(`${BASE}/api/auth/session`, [cookie], 3);
    const a: Result[] = [];
    const b: Result[] = [];
    for (let round = 0; round < 2; round++) {
      a.push(await load(`${BASE}/api/health`, [], SECONDS));
      b.push(await load(`${BASE}/api/auth/session`, [cookie], SECONDS));
    }
    if (b.some((r) => r.non2xx > 0) || a.some((r) => r.non2xx > 0)) throw new Error("some benchmark requests did not answer 2xx");
    server.kill("SIGTERM");
    server = undefined;

    // The same check in-process, without HTTP.
    const config = parseConfig({ ...env, DASHBOARD_SESSION_SQLITE_PATH: file });
    const db = await openSqliteDatabase(file);
    const token = decodeSessionCookie(config, cookieValue)!.token;
    const hash = hashSessionToken(token);
    const micro = [
      await timeIt("verify cookie signature", 20_000, () => decodeSessionCookie(config, cookieValue)),
      await timeIt("lookup by token hash (prepared statement)", 20_000, () => db.findSessionByTokenHash(hash)),
      await timeIt("whole session check", 20_000, () => validateSessionCookie(db, config, cookieValue, { ip: "127.0.0.1", userAgent: "bench" })),
      await timeIt("same lookup through Prisma", 2_000, () => db.prisma.session.findUnique({ where: { tokenHash: hash }, include: { user: true } })),
    ];
    await db.close();

    const summary = (label: string, rs: Result[]) =>
      `${label.padEnd(40)} ${mean(rs.map((r) => r.rps)).toFixed(0).padStart(7)} req/s   p50 ${mean(rs.map((r) => r.p50)).toFixed(1)} ms   p99 ${mean(rs.map((r) => r.p99)).toFixed(1)} ms   (rounds: ${rs.map((r) => r.rps.toFixed(0)).join(", ")})`;
    const ratio = mean(b.map((r) => r.rps)) / mean(a.map((r) => r.rps));
    console.log(`\n${os.cpus().length} cores, Node ${process.version}, 10 connections, ${SECONDS} s per round, ${SESSIONS.toLocaleString()} sessions in the database\n`);
    console.log(summary("(a) GET /api/health (no session check)", a));
    console.log(summary("(b) GET /api/auth/session (valid cookie)", b));
    console.log(`\nratio b/a = ${ratio.toFixed(3)}  (target >= 0.85: ${ratio >= 0.85 ? "PASS" : "BELOW TARGET"})\n`);
    for (const [label, us] of micro) console.log(`${label.padEnd(44)} ${us.toFixed(1).padStart(8)} µs`);

    fs.mkdirSync("bench-results", { recursive: true });
    fs.writeFileSync("bench-results/bench.json", JSON.stringify({ a, b, ratio, microseconds: Object.fromEntries(micro) }, null, 2));
  } finally {
    cleanup();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
