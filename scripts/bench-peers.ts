/**
 * npm run bench:peers — Sessionboard's session route next to an empty Next.js route and to the
 * session checks of Better Auth and Auth.js, measured side by side in one run, per database kind.
 *
 * bench/peers/ holds three minimal Next.js apps with their own package.json (installed here, never
 * by the root `npm install`), on the same Next.js version as Sessionboard:
 *   floor        GET /api/empty     — a plain `next start`, no work of its own
 *                GET /api/bare      — the same app, plus the least a session check does: the
 *                                     cookie's token hashed, one indexed read, JSON (its own table)
 *   better-auth  GET /api/session   — auth.api.getSession(), database sessions, cookie cache off
 *   authjs       GET /api/session   — Auth.js v5 auth(), Prisma adapter, session strategy "database"
 * For SQLite, then PostgreSQL, each auth app (and Sessionboard) gets its own temporary database with
 * the library's own tables and 100,000 sessions over 5,000 users (raw inserts), and a cookie for one
 * seeded session, which must return its user before anything is measured. All four servers run at
 * once; autocannon drives floor, Sessionboard's /api/health/live (a route through Next in this app,
 * for diagnosis), Sessionboard's session route (which server.mjs answers without Next's router),
 * Better Auth, Auth.js, floor, … in interleaved rounds.
 *
 * Env: BENCH_ROUNDS (default 3), BENCH_SECONDS (per round, default 10), BENCH_WARMUP_SECONDS (per
 * target before the rounds, default 30), BENCH_BACKENDS (default "sqlite,postgres"),
 * BENCH_POSTGRES_URL (as for npm run bench), BENCH_PIN=0 to not pin to cores.
 * Uses the existing Sessionboard build (`npm run build` when there is none).
 */
import { createHash, createHmac, randomBytes, randomInt, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { toSqliteDate } from "../lib/db/sqlite";
import {
  applySql,
  runnableBackends,
  caption,
  CONNECTIONS,
  createTempPostgres,
  DAY_MS,
  driveInterleaved,
  dropTempPostgres,
  insertRows,
  machineInfo,
  makeTempDir,
  markdownTable,
  packageVersion,
  perRound,
  positiveNumber,
  prepareSessionboard,
  ratioVerdict,
  removeTempDir,
  ROOT,
  runBench,
  runCommand,
  seedIp,
  SESSIONS,
  startServer,
  startSessionboard,
  statsHeader,
  statsLines,
  stopProcess,
  USER_AGENTS,
  USERS,
  enableWal,
  waitForServer,
  WARMUP_SECONDS,
  type Backend,
  type Column,
  type Row,
  type SeedTarget,
  type Server,
  type SqliteDate,
  type TargetSummary,
} from "./bench-support";
import { freePorts } from "../tests/support/ports";
import { SERVER_NODE_OPTIONS } from "../server/node-options.mjs";

const PEERS = path.join(ROOT, "bench", "peers");
const APPS = ["floor", "better-auth", "authjs"] as const;
const SECONDS = positiveNumber("BENCH_SECONDS", 10);
const ROUNDS = positiveNumber("BENCH_ROUNDS", 3, { integer: true });
const RESULTS_FILE = path.join("bench-results", "peers.json");
/** Sessionboard's session route over the floor, per database kind; and over each peer. */
const FLOOR_TARGETS: Record<Backend, number> = { sqlite: 0.85, postgres: 0.75 };
const PEER_TARGET = 1.5;

// ---------------------------------------------------------------------------------------------
// Install and build

/** bench/peers' own node_modules, installed when missing or older than its package files. */
async function ensurePeerInstall(): Promise<void> {
  const installed = path.join(PEERS, "node_modules", ".package-lock.json");
  const stale =
    !fs.existsSync(installed) ||
    ["package.json", "package-lock.json"].some((f) => {
      const file = path.join(PEERS, f);
      return fs.existsSync(file) && fs.statSync(file).mtimeMs > fs.statSync(installed).mtimeMs;
    });
  if (stale) {
    console.log("Installing bench/peers dependencies…");
    await runCommand("npm", ["install", "--prefix", PEERS, "--no-audit", "--no-fund"], { cwd: ROOT });
  }
  const ours = packageVersion(ROOT, "next");
  const theirs = packageVersion(PEERS, "next");
  if (ours !== theirs) {
    throw new Error(`bench/peers runs Next.js ${theirs} but Sessionboard runs ${ours}: set the same version in bench/peers/package.json`);
  }
}

/** Newest modification time of the peer apps' sources (not dependencies or build output). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    // Build output, dependencies, and what `next build` itself writes.
    if (["node_modules", ".next", "generated", "next-env.d.ts"].includes(entry.name) || entry.name.endsWith(".tsbuildinfo")) continue;
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** Builds the peer apps (Prisma client, then `next build` each) when a build is missing or older than the sources. */
async function ensurePeerBuilds(): Promise<void> {
  const sources = newestSource(PEERS);
  const stale = APPS.some((app) => {
    const buildId = path.join(PEERS, app, ".next", "BUILD_ID");
    return !fs.existsSync(buildId) || fs.statSync(buildId).mtimeMs < sources;
  });
  if (!stale) return;
  console.log("Building the peer apps…");
  // Route modules are loaded during the build; a placeholder secret keeps Better Auth from complaining.
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", BETTER_AUTH_SECRET: randomBytes(32).toString("base64url") };
  await runCommand("npm", ["run", "build", "--prefix", PEERS], { cwd: ROOT, env });
}

async function ensureSessionboardBuild(): Promise<void> {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) {
    console.log("No Sessionboard build: running `npm run build`…");
    await runCommand("npm", ["run", "build"], { cwd: ROOT, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  }
  console.log(`Sessionboard build from ${fs.statSync(buildId).mtime.toISOString()} (run \`npm run build\` after changes)`);
}

// ---------------------------------------------------------------------------------------------
// Peer databases: each library's own tables, seeded with raw SQL

type PeerSetup = {
  /** Environment for the app's server: database and secrets. */
  env: Record<string, string>;
  /** The Cookie header for one seeded session, and what its user's answer must contain. */
  cookie: string;
  expect: string;
  dispose: () => Promise<void>;
};

/** A temporary SQLite file or PostgreSQL database, and the env that points a peer app at it. */
async function tempPeerDatabase(
  backend: Backend,
  prefix: string,
): Promise<{ target: SeedTarget; env: Record<string, string>; dispose: () => Promise<void> }> {
  if (backend === "postgres") {
    const url = await createTempPostgres(prefix.replace(/-/g, "_"));
    return {
      target: { kind: "postgres", url },
      env: { PEER_DATABASE: "postgres", DATABASE_URL: url },
      dispose: () => dropTempPostgres(url),
    };
  }
  const dir = makeTempDir(`${prefix}-`);
  const file = path.join(dir, "auth.db");
  return {
    target: { kind: "sqlite", file },
    env: { PEER_DATABASE: "sqlite", SQLITE_PATH: file },
    dispose: async () => removeTempDir(dir),
  };
}

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** The shape of Better Auth's generateId(): 32 characters of [a-zA-Z0-9]. */
const alphanumeric = (length: number) => Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join("");
const text = (...names: string[]): Column[] => names.map((name) => ({ name, pgType: "text" }));
const dates = (...names: string[]): Column[] => names.map((name) => ({ name, pgType: "timestamptz" }));

/**
 * Seeds USERS users and SESSIONS sessions spread over them, from the rows the library-specific
 * callbacks make (a user row starts with its id and email). Returns one seeded session's token and
 * its user's email.
 */
async function seedPeer(
  target: SeedTarget,
  sqliteDate: SqliteDate,
  users: { table: string; columns: Column[]; row: (u: number) => Row },
  sessions: { table: string; columns: Column[]; row: (s: number, userId: string) => { row: Row; token: string } },
): Promise<{ token: string; email: string }> {
  const userRows = Array.from({ length: USERS }, (_, u) => users.row(u));
  let sample: { token: string; email: string } | undefined;
  const sessionRows = Array.from({ length: SESSIONS }, (_, s) => {
    const user = userRows[s % USERS];
    const { row, token } = sessions.row(s, String(user[0]));
    if (s === SESSIONS >> 1) sample = { token, email: String(user[1]) };
    return row;
  });
  if (!sample) throw new Error("seeding produced no sample session");
  await insertRows(
    target,
    [
      { table: users.table, columns: users.columns, rows: userRows },
      { table: sessions.table, columns: sessions.columns, rows: sessionRows },
    ],
    sqliteDate,
  );
  if (target.kind === "sqlite") enableWal(target.file);
  return sample;
}

/** Better Auth: its own migrator makes the tables; the cookie is `token.signature`, signed as better-call signs it. */
async function prepareBetterAuth(backend: Backend, baseUrl: string): Promise<PeerSetup> {
  const db = await tempPeerDatabase(backend, "better-auth-bench");
  await runCommand(process.execPath, ["migrate.mjs"], { cwd: path.join(PEERS, "better-auth"), env: { ...process.env, ...db.env } });
  const now = Date.now();
  const sample = await seedPeer(
    db.target,
    (date) => date.toISOString(), // Better Auth's Kysely adapter stores SQLite dates as ISO strings
    {
      table: "user",
      columns: [...text("id", "email", "name"), { name: "emailVerified", pgType: "bool" }, ...dates("createdAt", "updatedAt")],
      row: (u) => {
        const createdAt = new Date(now - randomInt(60) * DAY_MS);
        return [alphanumeric(32), `seed-user-${u}@example.com`, `Seed User ${u}`, true, createdAt, createdAt];
      },
    },
    {
      table: "session",
      columns: [...text("id", "token", "userId", "ipAddress", "userAgent"), ...dates("createdAt", "updatedAt", "expiresAt")],
      row: (s, userId) => {
        // Better Auth's defaults: sessions last 7 days.
        const createdAt = now - randomInt(6 * DAY_MS);
        const token = alphanumeric(32);
        const row = [alphanumeric(32), token, userId, seedIp(s), USER_AGENTS[s % USER_AGENTS.length], new Date(createdAt), new Date(createdAt), new Date(createdAt + 7 * DAY_MS)];
        return { row, token };
      },
    },
  );
  const secret = randomBytes(32).toString("base64url");
  // better-call's signCookieValue: base64 HMAC-SHA256 of the token under the secret, appended after
  // a dot, the whole URI-encoded.
  const signature = createHmac("sha256", secret).update(sample.token).digest("base64");
  return {
    env: { ...db.env, BETTER_AUTH_SECRET: secret, BETTER_AUTH_URL: baseUrl },
    cookie: `better-auth.session_token=${encodeURIComponent(`${sample.token}.${signature}`)}`,
    expect: sample.email,
    dispose: db.dispose,
  };
}

/** Auth.js with the Prisma adapter: the tables `prisma migrate` would make; the cookie holds the raw session token. */
async function prepareAuthjs(backend: Backend, baseUrl: string): Promise<PeerSetup> {
  const db = await tempPeerDatabase(backend, "authjs-bench");
  await applySql(db.target, fs.readFileSync(path.join(PEERS, "authjs", "prisma", backend, "schema.sql"), "utf8"));
  const now = Date.now();
  const sample = await seedPeer(
    db.target,
    toSqliteDate, // as Prisma's SQLite driver adapter writes dates
    {
      table: "User",
      columns: [...text("id", "email", "name"), ...dates("createdAt", "updatedAt")],
      row: (u) => {
        const createdAt = new Date(now - randomInt(60) * DAY_MS);
        return [`c${alphanumeric(24).toLowerCase()}`, `seed-user-${u}@example.com`, `Seed User ${u}`, createdAt, createdAt];
      },
    },
    {
      table: "Session",
      columns: [...text("sessionToken", "userId"), ...dates("createdAt", "updatedAt", "expires")],
      row: (_s, userId) => {
        // Auth.js's defaults: database sessions last 30 days; tokens are random UUIDs.
        const createdAt = now - randomInt(29 * DAY_MS);
        const token = randomUUID();
        return { row: [token, userId, new Date(createdAt), new Date(createdAt), new Date(createdAt + 30 * DAY_MS)], token };
      },
    },
  );
  return {
    env: {
      ...db.env,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      AUTH_URL: baseUrl,
      AUTH_TRUST_HOST: "true",
      // The sign-in provider is configured but never reached: the bench only reads sessions.
      AUTH_GITHUB_ID: "bench",
      AUTH_GITHUB_SECRET: randomBytes(16).toString("hex"),
    },
    cookie: `authjs.session-token=${sample.token}`,
    expect: sample.email,
    dispose: db.dispose,
  };
}

/**
 * The floor app's bare check: a table of SESSIONS (token hash, user, expiry) rows and one of their
 * tokens. It shows what the stack itself allows a session route that reads its row every time.
 */
async function prepareBare(backend: Backend): Promise<PeerSetup> {
  const db = await tempPeerDatabase(backend, "bare-bench");
  const expires = backend === "postgres" ? "timestamptz" : "TEXT";
  await applySql(db.target, `CREATE TABLE bare_session (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at ${expires} NOT NULL)`);
  const now = Date.now();
  let sample: { token: string; userId: string } | undefined;
  const rows = Array.from({ length: SESSIONS }, (_, s): Row => {
    const token = randomBytes(32).toString("base64url");
    const userId = `bare-user-${s % USERS}`;
    if (s === SESSIONS >> 1) sample = { token, userId };
    return [createHash("sha256").update(token).digest("hex"), userId, new Date(now + randomInt(1, 30) * DAY_MS)];
  });
  if (!sample) throw new Error("seeding produced no sample session");
  await insertRows(db.target, [{ table: "bare_session", columns: [...text("token_hash", "user_id"), ...dates("expires_at")], rows }], (date) => date.toISOString());
  if (db.target.kind === "sqlite") enableWal(db.target.file);
  return { env: db.env, cookie: `sid=${sample.token}`, expect: sample.userId, dispose: db.dispose };
}

// ---------------------------------------------------------------------------------------------

function startPeer(app: (typeof APPS)[number], port: number, env: Record<string, string>): Server {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("DASHBOARD_")));
  const next = path.join(PEERS, "node_modules", "next", "dist", "bin", "next");
  // The Node options Sessionboard runs with, so that no server is measured with a GC tuned differently.
  return startServer(app, process.execPath, [...SERVER_NODE_OPTIONS, next, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: path.join(PEERS, app),
    port,
    env: { ...inherited, ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
}

/** Fails loudly unless the route answers 200 with the seeded user for the minted cookie. */
async function verifySession(server: Server, urlPath: string, cookie: string, expect: string): Promise<void> {
  const response = await fetch(`${server.baseUrl}${urlPath}`, { headers: { cookie }, signal: AbortSignal.timeout(15_000) });
  const body = await response.text();
  if (response.status !== 200 || !body.includes(expect)) {
    throw new Error(`${server.label}: GET ${urlPath} with a seeded session's cookie answered ${response.status} without ${expect}: ${body.slice(0, 500)}\n${server.output()}`);
  }
}

type KindResult = {
  targets: Record<"floor" | "bare" | "oursLive" | "ours" | "betterAuth" | "authjs", TargetSummary>;
  ratios: {
    oursOverFloor: number;
    oursOverBetterAuth: number;
    oursOverAuthjs: number;
    oursLiveOverFloor: number;
    bareOverFloor: number;
    oursOverBare: number;
    betterAuthOverFloor: number;
    authjsOverFloor: number;
  };
};

async function benchKind(backend: Backend): Promise<KindResult> {
  console.log(`\n=== ${backend} ===`);
  const [floorPort, oursPort, betterAuthPort, authjsPort] = await freePorts(4);
  const seedStart = Date.now();
  const ours = await prepareSessionboard(backend, oursPort);
  const betterAuth = await prepareBetterAuth(backend, `http://127.0.0.1:${betterAuthPort}`);
  const authjs = await prepareAuthjs(backend, `http://127.0.0.1:${authjsPort}`);
  const bare = await prepareBare(backend);
  console.log(`Seeded 4 × ${SESSIONS.toLocaleString("en")} sessions over ${USERS.toLocaleString("en")} users in ${Date.now() - seedStart} ms`);

  const servers = {
    floor: startPeer("floor", floorPort, bare.env),
    ours: startSessionboard(ours.env, oursPort),
    betterAuth: startPeer("better-auth", betterAuthPort, betterAuth.env),
    authjs: startPeer("authjs", authjsPort, authjs.env),
  };
  try {
    await waitForServer(servers.floor, "/api/empty");
    await waitForServer(servers.ours, "/api/health/live");
    await waitForServer(servers.betterAuth, "/api/session", 401);
    await waitForServer(servers.authjs, "/api/session", 401);
    const oursCookie = `session_token=${ours.seeded.cookie}`;
    await verifySession(servers.floor, "/api/bare", bare.cookie, bare.expect);
    await verifySession(servers.ours, "/api/auth/session", oursCookie, ours.seeded.username);
    await verifySession(servers.betterAuth, "/api/session", betterAuth.cookie, betterAuth.expect);
    await verifySession(servers.authjs, "/api/session", authjs.cookie, authjs.expect);
    console.log("All four servers up; each session route returns its seeded user");

    const t = await driveInterleaved(
      [
        { key: "floor", label: "floor: next start, empty route", server: servers.floor, path: "/api/empty", headers: {} },
        // The floor plus one hashed-token lookup: the ceiling for any check that reads its row.
        { key: "bare", label: "floor + bare check (hash, one read)", server: servers.floor, path: "/api/bare", headers: { cookie: bare.cookie } },
        // A route through Next in Sessionboard: what its server and Next's rules cost, with no session work.
        { key: "oursLive", label: "Sessionboard /api/health/live", server: servers.ours, path: "/api/health/live", headers: {} },
        { key: "ours", label: "Sessionboard /api/auth/session", server: servers.ours, path: "/api/auth/session", headers: { cookie: oursCookie } },
        { key: "betterAuth", label: "Better Auth getSession", server: servers.betterAuth, path: "/api/session", headers: { cookie: betterAuth.cookie } },
        { key: "authjs", label: "Auth.js auth(), database sessions", server: servers.authjs, path: "/api/session", headers: { cookie: authjs.cookie } },
      ],
      { rounds: ROUNDS, seconds: SECONDS },
    );
    const targets = { floor: t.floor, bare: t.bare, oursLive: t.oursLive, ours: t.ours, betterAuth: t.betterAuth, authjs: t.authjs };
    const rps = (key: keyof typeof targets) => targets[key].mean.rps;
    return {
      targets,
      ratios: {
        oursOverFloor: rps("ours") / rps("floor"),
        oursOverBetterAuth: rps("ours") / rps("betterAuth"),
        oursOverAuthjs: rps("ours") / rps("authjs"),
        oursLiveOverFloor: rps("oursLive") / rps("floor"),
        bareOverFloor: rps("bare") / rps("floor"),
        oursOverBare: rps("ours") / rps("bare"),
        betterAuthOverFloor: rps("betterAuth") / rps("floor"),
        authjsOverFloor: rps("authjs") / rps("floor"),
      },
    };
  } finally {
    for (const server of Object.values(servers)) await stopProcess(server.child);
    for (const setup of [ours, betterAuth, authjs, bare]) await setup.dispose();
  }
}

function verdicts(backend: Backend, r: KindResult): string[] {
  return [
    `Sessionboard / floor        ${ratioVerdict(r.ratios.oursOverFloor, FLOOR_TARGETS[backend])}`,
    `Sessionboard / Better Auth  ${ratioVerdict(r.ratios.oursOverBetterAuth, PEER_TARGET)}`,
    `Sessionboard / Auth.js      ${ratioVerdict(r.ratios.oursOverAuthjs, PEER_TARGET)}`,
    `(Sessionboard's /api/health/live / floor: ${r.ratios.oursLiveOverFloor.toFixed(2)}; the bare check / floor: ${r.ratios.bareOverFloor.toFixed(2)}; Sessionboard / the bare check: ${r.ratios.oursOverBare.toFixed(2)})`,
  ];
}

function markdown(kinds: Partial<Record<Backend, KindResult>>): string {
  const rows = Object.entries(kinds).flatMap(([backend, r]) =>
    Object.values(r.targets).map((s) => [
      backend,
      s.label,
      s.mean.rps.toFixed(0),
      perRound(s),
      s.mean.p50.toFixed(1),
      s.mean.p99.toFixed(1),
      (s.mean.rps / r.targets.floor.mean.rps).toFixed(2),
    ]),
  );
  const ratioRows = Object.entries(kinds).map(([backend, r]) => [
    backend,
    `${r.ratios.oursOverFloor.toFixed(2)} (≥ ${FLOOR_TARGETS[backend as Backend]})`,
    `${r.ratios.oursOverBetterAuth.toFixed(2)} (≥ ${PEER_TARGET})`,
    `${r.ratios.oursOverAuthjs.toFixed(2)} (≥ ${PEER_TARGET})`,
    r.ratios.bareOverFloor.toFixed(2),
    r.ratios.oursOverBare.toFixed(2),
  ]);
  return [
    markdownTable(["database", "target", "req/s", "per round", "p50 ms", "p99 ms", "× floor"], rows),
    markdownTable(["database", "Sessionboard / floor", "Sessionboard / Better Auth", "Sessionboard / Auth.js", "bare check / floor", "Sessionboard / bare check"], ratioRows),
  ].join("\n\n");
}

async function main() {
  await ensurePeerInstall();
  await ensurePeerBuilds();
  await ensureSessionboardBuild();
  const versions = {
    next: packageVersion(PEERS, "next"),
    "better-auth": packageVersion(PEERS, "better-auth"),
    "next-auth": packageVersion(PEERS, "next-auth"),
    "@auth/prisma-adapter": packageVersion(PEERS, "@auth/prisma-adapter"),
    "@prisma/client": packageVersion(PEERS, "@prisma/client"),
  };
  const kinds: Partial<Record<Backend, KindResult>> = {};
  for (const backend of await runnableBackends()) kinds[backend] = await benchKind(backend);

  const machine = machineInfo();
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const results = {
    date: new Date().toISOString(),
    machine,
    versions,
    settings: { sessions: SESSIONS, users: USERS, connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, rounds: ROUNDS },
    targets: { oursOverFloor: FLOOR_TARGETS, oursOverPeer: PEER_TARGET },
    kinds,
  };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);

  console.log(`\n${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.pinning}`);
  console.log(`${Object.entries(versions).map(([name, v]) => `${name} ${v}`).join(", ")}`);
  console.log(
    `${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${ROUNDS} × ${SECONDS} s per target (interleaved), ` +
      `${SESSIONS.toLocaleString("en")} sessions / ${USERS.toLocaleString("en")} users per app`,
  );
  for (const [backend, r] of Object.entries(kinds)) {
    console.log(`\n[${backend}]\n${statsHeader()}\n${"-".repeat(73)}`);
    for (const summary of Object.values(r.targets)) for (const line of statsLines(summary)) console.log(line);
    console.log("-".repeat(73));
    for (const line of verdicts(backend as Backend, r)) console.log(line);
  }
  console.log(`\nMarkdown:\n\n${caption({ rounds: ROUNDS, seconds: SECONDS }, versions.next)}\n\n${markdown(kinds)}\n`);
  console.log(`Results written to ${RESULTS_FILE}`);
}

runBench(main);
