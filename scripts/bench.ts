/**
 * npm run bench — what the per-request session check costs next to Next.js's own request handling.
 *
 * For each backend — a temporary SQLite file, then a temporary PostgreSQL database — seeds 100,000
 * sessions, starts the built app on it (server.mjs, as `npm start` does) and drives it from a second
 * process (autocannon) with 10 connections:
 *   (a) GET /api/health/live   — Sessionboard's own empty route: no database, no session work
 *   (b) GET /api/auth/session  — a valid session cookie: signature check, indexed lookup, JSON;
 *                                answered by server.mjs with the route's handler, without Next's router
 *   (c) GET /api/health        — one `SELECT 1`, for scale: a database round trip and nothing else
 *   (d) GET /login             — the sign-in page, signed out: a page render with no session
 *   (e) GET /settings/sessions — signed in, as someone with PAGE_USER_SESSIONS sessions (signed in
 *                                through the API from as many browsers): the check, the list, the render
 * Rounds run a, b, c, d, e, a, b… so drift (thermal, other load) hits all alike; the ratios b/a
 * and e/d come from the means of this run only. b/a sets the whole check against what Next's
 * handling of one request costs in this app (above 1: the check costs less); it is not the API
 * target, which is judged against a plain `next start` and the peers (npm run bench:peers). e/d is set against the page target; a miss is reported, not an error. Then the
 * check itself is timed in-process, without HTTP.
 *
 * Env: BENCH_SECONDS (measured seconds per round, default 10), BENCH_ROUNDS (default 3),
 * BENCH_WARMUP_SECONDS (per route before the rounds, default 30),
 * BENCH_PORT (default 3900, or any free port when that one is taken), BENCH_BACKENDS (default
 * "sqlite,postgres"), BENCH_POSTGRES_URL (a server where the bench may create and drop a database;
 * default postgres://postgres@127.0.0.1:5432/postgres), BENCH_PIN=0 to not pin to cores.
 */
import fs from "node:fs";
import path from "node:path";
import { decodeSessionCookie } from "../lib/sessions/cookie";
import { hashSessionToken } from "../lib/sessions/token";
import type { Config } from "../lib/config";
import { openDatabase, type Database } from "../lib/db";
import { validateSessionCookie } from "../lib/sessions/sessions";
import {
  runnableBackends,
  caption,
  CONNECTIONS,
  driveInterleaved,
  machineInfo,
  markdownTable,
  packageVersion,
  perRound,
  positiveNumber,
  prepareSessionboard,
  requireSessionboardBuild,
  ROOT,
  runBench,
  SESSIONS,
  startSessionboard,
  statsHeader,
  statsLines,
  stopProcess,
  USERS,
  waitForServer,
  WARMUP_SECONDS,
  type Backend,
  type TargetSummary,
} from "./bench-support";
import { freePort } from "../tests/support/ports";

/** A signed-in /settings/sessions may cost at most this many /login renders. */
const PAGE_TARGET = 1.3;
/** Sessions of the person whose Settings > Sessions is rendered: a phone, a laptop, a work machine. */
const PAGE_USER_SESSIONS = 3;
const IN_PROCESS_ITERATIONS = 20_000;
const SECONDS = positiveNumber("BENCH_SECONDS", 10);
const ROUNDS = positiveNumber("BENCH_ROUNDS", 3, { integer: true });
const PORT = positiveNumber("BENCH_PORT", 3900, { integer: true });
const RESULTS_FILE = path.join("bench-results", "bench.json");

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
  if (!decoded) throw new Error("the seeded cookie does not verify with the bench config");
  const tokenHash = hashSessionToken(decoded.token);
  const check = await validateSessionCookie(db, config, cookieValue, request);
  if (check.status !== "active") throw new Error(`the seeded session is not active in-process: ${JSON.stringify(check)}`);

  return {
    // One round trip that does nothing (on SQLite, a prepared SELECT 1), for scale.
    ping: await microseconds(IN_PROCESS_ITERATIONS, () => db.ping()),
    decodeSessionCookie: await microseconds(IN_PROCESS_ITERATIONS, () => decodeSessionCookie(config, cookieValue)),
    findSessionByTokenHash: await microseconds(IN_PROCESS_ITERATIONS, () => db.findSessionByTokenHash(tokenHash)),
    validateSessionCookie: await microseconds(IN_PROCESS_ITERATIONS, () =>
      validateSessionCookie(db, config, cookieValue, request),
    ),
  };
}

// ---------------------------------------------------------------------------------------------

type BackendResult = {
  live: TargetSummary;
  session: TargetSummary;
  health: TargetSummary;
  login: TargetSummary;
  settings: TargetSummary;
  /** req/s of the session route over Sessionboard's empty route. */
  sessionOverLive: number;
  /** Cost of a signed-in /settings/sessions in /login renders (req/s of login over req/s of settings). */
  pageRatio: number;
  inProcess: InProcess;
};

const BROWSERS = [
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
];

/**
 * Signs one person in from `count` browsers through the API; returns the last sign-in's cookie
 * header. Each browser after the first raises a new-device alert; the first (a known device) says
 * "This was me" to the last, so the page seen from the last shows one alert: the one about the others.
 */
async function signInFromBrowsers(baseUrl: string, key: string, count: number): Promise<string> {
  const cookies: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl, "user-agent": BROWSERS[i % BROWSERS.length] },
      body: JSON.stringify({ username: "page-bench", key }),
      signal: AbortSignal.timeout(15_000),
    });
    const token = /session_token=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
    if (response.status !== 200 || !token) throw new Error(`sign-in for the page bench answered ${response.status}: ${await response.text()}`);
    cookies.push(`session_token=${token}`);
  }
  const alerts = async (cookie: string) => {
    const response = await fetch(`${baseUrl}/api/alerts`, { headers: { cookie }, signal: AbortSignal.timeout(15_000) });
    return ((await response.json()) as { alerts: { id: string }[] }).alerts;
  };
  const [newest] = await alerts(cookies[0]);
  if (count > 2) {
    const answer = await fetch(`${baseUrl}/api/alerts/${newest.id}/dismiss`, { method: "POST", headers: { cookie: cookies[0], origin: baseUrl }, signal: AbortSignal.timeout(15_000) });
    if (answer.status !== 200) throw new Error(`dismissing the last sign-in's alert answered ${answer.status}: ${await answer.text()}`);
  }
  const last = cookies[cookies.length - 1];
  const shown = (await alerts(last)).length;
  if (shown !== (count > 2 ? 1 : 0)) throw new Error(`the page bench's last browser sees ${shown} new-device alerts`);
  return last;
}

/** With one busy server process, 1/rps is roughly the server time per request. */
const extraMicroseconds = (base: TargetSummary, route: TargetSummary) => (1 / route.mean.rps - 1 / base.mean.rps) * 1e6;

/** Seeds a fresh database on `backend`, measures over HTTP, then in-process; removes the database. */
async function benchBackend(backend: Backend): Promise<BackendResult> {
  console.log(`\n=== ${backend} ===`);
  const port = await freePort(PORT);
  const seedStart = Date.now();
  const app = await prepareSessionboard(backend, port);
  console.log(`Seeded ${SESSIONS.toLocaleString("en")} sessions over ${USERS.toLocaleString("en")} users in ${Date.now() - seedStart} ms`);
  const cookie = { cookie: `session_token=${app.seeded.cookie}` };

  const server = startSessionboard(app.env, port);
  await waitForServer(server, "/api/health/live");
  console.log(`Server up on ${server.baseUrl}`);
  const check = await fetch(`${server.baseUrl}/api/auth/session`, { headers: cookie, signal: AbortSignal.timeout(15_000) });
  const body = await check.text();
  if (check.status !== 200 || !body.includes(app.seeded.username)) {
    throw new Error(`GET /api/auth/session with a seeded cookie answered ${check.status}, not the seeded user: ${body.slice(0, 500)}`);
  }

  const pageCookie = { cookie: await signInFromBrowsers(server.baseUrl, app.env.DASHBOARD_KEY, PAGE_USER_SESSIONS) };
  const page = await fetch(`${server.baseUrl}/settings/sessions`, { headers: pageCookie, redirect: "manual", signal: AbortSignal.timeout(15_000) });
  const listed = (await page.text()).match(/data-testid="session-card"/g)?.length ?? 0;
  if (page.status !== 200 || listed !== PAGE_USER_SESSIONS) {
    throw new Error(`GET /settings/sessions answered ${page.status} with ${listed} sessions listed, not ${PAGE_USER_SESSIONS}`);
  }

  const results = await driveInterleaved(
    [
      { key: "live", label: "(a) GET /api/health/live (empty route)", server, path: "/api/health/live", headers: {} },
      { key: "session", label: "(b) GET /api/auth/session (cookie)", server, path: "/api/auth/session", headers: cookie },
      { key: "health", label: "(c) GET /api/health (SELECT 1)", server, path: "/api/health", headers: {} },
      { key: "login", label: "(d) GET /login (signed out)", server, path: "/login", headers: {} },
      { key: "settings", label: `(e) GET /settings/sessions (${PAGE_USER_SESSIONS} sessions)`, server, path: "/settings/sessions", headers: pageCookie },
    ],
    { rounds: ROUNDS, seconds: SECONDS },
  );
  // Stop the server before timing in-process so the two do not compete for the cores.
  await stopProcess(server.child);

  const db = await openDatabase(app.config);
  let inProcess: InProcess;
  try {
    inProcess = await timeSessionCheck(db, app.config, app.seeded.cookie);
  } finally {
    await db.close();
  }
  await app.dispose();
  const { live, session, health, login, settings } = results;
  return {
    live,
    session,
    health,
    login,
    settings,
    sessionOverLive: session.mean.rps / live.mean.rps,
    pageRatio: login.mean.rps / settings.mean.rps,
    inProcess,
  };
}

function printReport(backend: Backend, r: BackendResult) {
  console.log(
    `\n[${backend}] ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${ROUNDS} × ${SECONDS} s per route ` +
      `(interleaved), ${SESSIONS.toLocaleString("en")} sessions / ${USERS.toLocaleString("en")} users\n`,
  );
  console.log(statsHeader());
  console.log("-".repeat(73));
  for (const summary of [r.live, r.session, r.health, r.login, r.settings]) for (const line of statsLines(summary)) console.log(line);
  console.log("-".repeat(73));
  console.log(`session / live (mean req/s)  = ${r.sessionOverLive.toFixed(2)} (the API targets: npm run bench:peers)`);
  console.log(`session / health             = ${(r.session.mean.rps / r.health.mean.rps).toFixed(2)}`);
  const extra = extraMicroseconds(r.live, r.session);
  // Below zero when the whole check costs less than Next's handling of the empty route (server.mjs answers it directly).
  console.log(`the session route costs ≈ ${Math.abs(extra).toFixed(0)} µs ${extra < 0 ? "less" : "more"} server time per request than the empty route`);
  console.log(`/settings/sessions costs ${pageVerdict(r.pageRatio)} /login renders\n`);
  console.log(`In-process, no HTTP (${IN_PROCESS_ITERATIONS.toLocaleString("en")} calls each, mean):`);
  console.log(`  db.ping (SELECT 1)           ${r.inProcess.ping.toFixed(1).padStart(8)} µs  (one round trip, for scale)`);
  console.log(`  decodeSessionCookie          ${r.inProcess.decodeSessionCookie.toFixed(1).padStart(8)} µs`);
  console.log(`  db.findSessionByTokenHash    ${r.inProcess.findSessionByTokenHash.toFixed(1).padStart(8)} µs`);
  console.log(`  validateSessionCookie        ${r.inProcess.validateSessionCookie.toFixed(1).padStart(8)} µs  (whole check)`);
}

const pageVerdict = (ratio: number) => `${ratio.toFixed(2)} (target ≤ ${PAGE_TARGET}: ${ratio <= PAGE_TARGET ? "holds" : "MISSED"})`;

function markdown(backends: Partial<Record<Backend, BackendResult>>): string {
  const rows = Object.entries(backends).flatMap(([backend, r]) =>
    [r.live, r.session, r.health, r.login, r.settings].map((s) => [
      backend,
      `\`${s.route}\``,
      s.mean.rps.toFixed(0),
      perRound(s),
      s.mean.p50.toFixed(1),
      s.mean.p99.toFixed(1),
      s === r.login || s === r.settings ? "" : s === r.live ? "1.00" : (s.mean.rps / r.live.mean.rps).toFixed(2),
      s === r.settings ? r.pageRatio.toFixed(2) : s === r.login ? "1.00" : "",
    ]),
  );
  return markdownTable(["backend", "route", "req/s", "per round", "p50 ms", "p99 ms", "× live", "cost × /login"], rows);
}

async function main() {
  requireSessionboardBuild();
  const backends: Partial<Record<Backend, BackendResult>> = {};
  for (const backend of await runnableBackends()) backends[backend] = await benchBackend(backend);

  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const results = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    settings: { sessions: SESSIONS, users: USERS, connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, rounds: ROUNDS },
    backends: Object.fromEntries(
      Object.entries(backends).map(([backend, r]) => [
        backend,
        {
          live: r.live,
          session: r.session,
          health: r.health,
          login: r.login,
          settings: r.settings,
          sessionOverLive: r.sessionOverLive,
          pageRatio: r.pageRatio,
          pageTarget: PAGE_TARGET,
          pageHolds: r.pageRatio <= PAGE_TARGET,
          extraServerMicrosecondsPerRequest: extraMicroseconds(r.live, r.session),
          inProcessMicroseconds: { iterations: IN_PROCESS_ITERATIONS, ...r.inProcess },
        },
      ]),
    ),
  };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  const machine = machineInfo();
  console.log(`\n${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.pinning}`);
  for (const [backend, r] of Object.entries(backends)) printReport(backend as Backend, r);
  console.log(`\nSigned-in /settings/sessions in /login renders (at most ${PAGE_TARGET}):`);
  for (const [backend, r] of Object.entries(backends)) console.log(`  ${backend.padEnd(9)} ${pageVerdict(r.pageRatio)}`);
  console.log(`\nMarkdown:\n\n${caption({ rounds: ROUNDS, seconds: SECONDS }, packageVersion(ROOT, "next"))}\n\n${markdown(backends)}\n`);
  console.log(`Results written to ${RESULTS_FILE}`);
}

runBench(main);
