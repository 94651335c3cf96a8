import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, BASE_URL, MAX_FAILURES_PER_USER, OIDC_ISSUER, USER_KEY } from "./env";
import { expectJsonError, postgresDatabase, startApp, uniqueUser } from "./helpers";
import { freePorts } from "../tests/support/ports";

/**
 * A real Prometheus (Debian's `prometheus`, or the binary named by PROMETHEUS) scrapes an app started
 * for this spec, once on SQLite and once on PostgreSQL: on the second listener (DASHBOARD_METRICS_PORT)
 * and on /api/metrics with the bearer token. After sign-ins, failures, revocations, expiries and a
 * cleanup, PromQL through Prometheus's HTTP API must give the expected figures.
 */
const PROMETHEUS = process.env.PROMETHEUS ?? "/usr/bin/prometheus";
const METRICS_TOKEN = "e2e-metrics-token-0123456789abcdef";
const VERSION = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { version: string }).version;

type App = Awaited<ReturnType<typeof startApp>>;

async function startPrometheus(dir: string, port: number, targets: { metrics: number; app: number }) {
  const config = `
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: sessionboard
    static_configs:
      - targets: ["127.0.0.1:${targets.metrics}"]
  - job_name: sessionboard-api
    metrics_path: /api/metrics
    authorization:
      credentials: ${METRICS_TOKEN}
    static_configs:
      - targets: ["127.0.0.1:${targets.app}"]
`;
  fs.writeFileSync(path.join(dir, "prometheus.yml"), config);
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error(`prometheus did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    output: () => output,
    /** The value of an instant PromQL query that must give exactly one sample, or null when it gives none. */
    async value(query: string): Promise<number | null> {
      const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query })}`);
      const body = (await response.json()) as { status: string; data: { resultType: string; result: { value: [number, string] }[] } };
      expect(body.status, query).toBe("success");
      if (body.data.result.length === 0) return null;
      expect(body.data.result, query).toHaveLength(1);
      return Number(body.data.result[0].value[1]);
    },
    /** Health of each scrape target, by job. */
    async targets(): Promise<Record<string, string>> {
      const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: { job: string }; health: string }[] } };
      return Object.fromEntries(body.data.activeTargets.map((target) => [target.labels.job, target.health]));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

for (const backend of ["sqlite", "postgres"] as const) {
  test.describe(`metrics scraped by Prometheus (${backend})`, () => {
    test.describe.configure({ mode: "serial" });
    const database = backend === "postgres" ? postgresDatabase("metrics") : null;
    let dir: string;
    let app: App;
    let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
    let ports: { app: number; metrics: number; prometheus: number };

    /**
     * Moves the given users' sessions past one of their expiries, as the clock would: the idle one
     * (expiresAt, which cleanup deletes by) or the absolute cap (which only the session check reads).
     */
    async function expireSessionsOf(usernames: string[], column: "expiresAt" | "absoluteExpiresAt") {
      const past = new Date(Date.now() - 60_000);
      if (database) {
        await database.query(`UPDATE "Session" SET "${column}" = $1 WHERE "userId" IN (SELECT "id" FROM "User" WHERE "username" = ANY($2))`, [past, usernames]);
        return;
      }
      const db = new BetterSqlite3(path.join(dir, "sessions.db"));
      try {
        db.pragma("busy_timeout = 5000");
        const update = db.prepare(`UPDATE "Session" SET "${column}" = ? WHERE userId IN (SELECT id FROM "User" WHERE username = ?)`);
        for (const username of usernames) update.run(past.toISOString().replace("Z", "+00:00"), username);
      } finally {
        db.close();
      }
    }

    test.beforeAll(async () => {
      test.setTimeout(120_000);
      await database?.create();
      const [appPort, metricsPort, prometheusPort] = await freePorts(3);
      ports = { app: appPort, metrics: metricsPort, prometheus: prometheusPort };
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-metrics-"));
      const env: Record<string, string> = {
        DASHBOARD_METRICS_PORT: String(metricsPort),
        DASHBOARD_METRICS_TOKEN: METRICS_TOKEN,
        // The in-process cleanup: a first run 10 s after start, then every minute.
        DASHBOARD_CLEANUP_INTERVAL_MINUTES: "1",
        ...(database ? { DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: database.url, DASHBOARD_DB_POOL_SIZE: "4" } : {}),
      };
      [app, prometheus] = await Promise.all([
        startApp(appPort, dir, env),
        startPrometheus(dir, prometheusPort, { metrics: metricsPort, app: appPort }),
      ]);
    });

    test.afterEach(async ({}, testInfo) => {
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach("app output", { body: app?.output().slice(-6_000) ?? "", contentType: "text/plain" });
        await testInfo.attach("prometheus output", { body: prometheus?.output().slice(-6_000) ?? "", contentType: "text/plain" });
      }
    });

    test.afterAll(async () => {
      await Promise.all([app?.stop(), prometheus?.stop()]);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      await database?.drop();
    });

    test("the second listener serves GET /metrics only; /api/metrics needs the bearer token", async () => {
      // The app opens the second listener once it has started, just after it answers its first health check.
      const scrape = () => fetch(`http://127.0.0.1:${ports.metrics}/metrics`);
      await expect.poll(() => scrape().then((response) => response.status, () => 0), { timeout: 10_000 }).toBe(200);
      const metrics = await scrape();
      expect(metrics.headers.get("content-type")).toContain("text/plain");
      expect(await metrics.text()).toContain(`sessionboard_build_info{version="${VERSION}"} 1`);
      await expectJsonError(await fetchAsResponse(`http://127.0.0.1:${ports.metrics}/`), 404, "not_found");
      await expectJsonError(await fetchAsResponse(`http://127.0.0.1:${ports.metrics}/metrics`, { method: "POST" }), 405, "method_not_allowed");

      const api = `${app.baseURL}/api/metrics`;
      const unauthorized = await fetchAsResponse(api);
      await expectJsonError(unauthorized, 401, "metrics_unauthorized");
      expect(unauthorized.headers.get("www-authenticate")).toMatch(/^Bearer/);
      await expectJsonError(await fetchAsResponse(api, { headers: { Authorization: `Bearer ${METRICS_TOKEN}x` } }), 401, "metrics_unauthorized");
      const allowed = await fetch(api, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
      // Without DASHBOARD_METRICS_TOKEN (the suite's main server) the address does not exist.
      await expectJsonError(await fetchAsResponse(`${BASE_URL}/api/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } }), 404, "not_found");
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain("sessionboard_sessions_created_total");
    });

    test("after sign-ins, failures, revocations, expiries and a cleanup, PromQL gives the expected figures", async ({ playwright }) => {
      test.setTimeout(150_000);
      // Both jobs scrape the same process: one through the second listener, one through /api/metrics.
      await expect.poll(() => prometheus.targets(), { timeout: 30_000 }).toEqual({ sessionboard: "up", "sessionboard-api": "up" });
      const job = `job="sessionboard"`;

      const device = () => playwright.request.newContext({ baseURL: app.baseURL });
      const signIn = (request: APIRequestContext, username: string, key = USER_KEY, rememberMe = false) =>
        request.post("/api/auth/login", { data: { username, key, rememberMe } });
      const sessionId = async (request: APIRequestContext) => (await (await request.get("/api/auth/session")).json()).session.id as string;

      // Sign-ins: alice on three devices (one with Remember Me), the admin, carol, dave, two of erin's.
      const alice = await Promise.all([device(), device(), device()]);
      const aliceName = uniqueUser("alice");
      for (const [i, request] of alice.entries()) expect((await signIn(request, aliceName, USER_KEY, i === 2)).status()).toBe(200);
      const root = await device();
      expect((await signIn(root, "root", ADMIN_KEY)).status()).toBe(200);
      const [carol, dave, erin1, erin2, frank] = await Promise.all([device(), device(), device(), device(), device()]);
      const names = { carol: uniqueUser("carol"), dave: uniqueUser("dave"), erin: uniqueUser("erin"), frank: uniqueUser("frank") };
      for (const [request, name] of [[carol, names.carol], [dave, names.dave], [erin1, names.erin], [erin2, names.erin], [frank, names.frank]] as const) {
        expect((await signIn(request, name)).status()).toBe(200);
      }
      const signIns = alice.length + 1 + 5;

      // Failures: two wrong keys, then a name locked out by MAX_FAILURES_PER_USER wrong keys.
      const stranger = await device();
      for (let i = 0; i < 2; i++) await expectJsonError(await signIn(stranger, uniqueUser("bob"), "not-the-key"), 401, "invalid_credentials");
      const mallory = uniqueUser("mallory");
      for (let i = 0; i < MAX_FAILURES_PER_USER; i++) await expectJsonError(await signIn(stranger, mallory, "not-the-key"), 401);
      await expectJsonError(await signIn(stranger, mallory, USER_KEY), 429, "rate_limited");

      // Revocations: alice revokes one device, then "all other sessions"; the admin revokes frank's; carol logs out.
      expect((await alice[0].delete(`/api/sessions/${await sessionId(alice[1])}`)).status()).toBe(200);
      expect(await (await alice[0].delete("/api/sessions?scope=others")).json()).toEqual({ revoked: 1 });
      expect(await (await root.delete(`/api/admin/sessions/${await sessionId(frank)}`)).json()).toEqual({ revoked: 1 });
      expect((await carol.post("/api/auth/logout")).status()).toBe(200);
      // The revoked devices learn it at their next request: not counted again.
      await expectJsonError(await alice[1].get("/api/auth/session"), 401, "session_ended");

      // Expiry noticed at a request: dave's session, past its absolute cap. (Not its idle expiry:
      // cleanup, which may run at any moment, would then delete it before his request came.)
      await expireSessionsOf([names.dave], "absoluteExpiresAt");
      await expectJsonError(await dave.get("/api/auth/session"), 401, "session_ended");

      // Back-channel logout: a token that is not one, and a genuine one for a subject with no session.
      await expectJsonError(await stranger.post("/api/auth/oidc/backchannel-logout", { form: { logout_token: "not-a-token" } }), 400, "invalid_logout_token");
      const token = await (await fetch(`${OIDC_ISSUER}/test/logout-token?${new URLSearchParams({ sub: uniqueUser("nobody") })}`)).text();
      expect(await (await stranger.post("/api/auth/oidc/backchannel-logout", { form: { logout_token: token } })).json()).toEqual({ revoked: 0 });

      // erin's two sessions expire unseen; the cleanup job marks them ended (its first run, or the next
      // a minute later), keeping them as history: nothing is deleted yet.
      await expireSessionsOf([names.erin], "expiresAt");
      await expect
        .poll(() => prometheus.value(`sessionboard_sessions_ended_total{${job},reason="expired_idle"}`), { timeout: 100_000, intervals: [1_000] })
        .toBe(2);
      expect((await prometheus.value(`sessionboard_cleanup_deleted_total{${job}}`)) ?? 0).toBe(0);

      const expected: [string, number][] = [
        [`sum(sessionboard_sessions_created_total{${job}})`, signIns],
        [`sessionboard_sessions_created_total{${job},method="static",remember_me="true"}`, 1],
        [`sessionboard_login_attempts_total{${job},method="static",result="ok"}`, signIns],
        [`sessionboard_login_attempts_total{${job},method="static",result="invalid"}`, 2 + MAX_FAILURES_PER_USER],
        [`sessionboard_login_attempts_total{${job},method="static",result="rate_limited"}`, 1],
        [`sessionboard_sessions_ended_total{${job},reason="revoked_by_user"}`, 1],
        [`sessionboard_sessions_ended_total{${job},reason="revoked_all"}`, 1],
        [`sessionboard_sessions_ended_total{${job},reason="revoked_by_admin"}`, 1],
        [`sessionboard_sessions_ended_total{${job},reason="logout"}`, 1],
        [`sessionboard_sessions_ended_total{${job},reason="expired_absolute"}`, 1],
        // erin's, which nobody saw expire: counted when cleanup marked them ended.
        [`sessionboard_sessions_ended_total{${job},reason="expired_idle"}`, 2],
        // Every end counted once, by its cause.
        [`sum(sessionboard_sessions_ended_total{${job}})`, 7],
        [`sessionboard_backchannel_logout_total{${job},result="invalid"}`, 1],
        [`sessionboard_backchannel_logout_total{${job},result="ok"}`, 1],
        // Left: alice's first device and the admin's; revoked rows are not counted, deleted ones are gone.
        [`sessionboard_sessions_active{${job},method="static"}`, 2],
        [`sessionboard_sessions_active{${job},method="oidc"}`, 0],
        [`sessionboard_database_up{${job}}`, 1],
        [`sessionboard_build_info{${job},version="${VERSION}"}`, 1],
        // The same figures through the bearer-token route.
        [`sum(sessionboard_sessions_created_total{job="sessionboard-api"})`, signIns],
        [`up{job="sessionboard-api"}`, 1],
      ];
      for (const [query, value] of expected) {
        await expect.poll(() => prometheus.value(query), { message: query, timeout: 15_000 }).toBe(value);
      }
      expect(await prometheus.value(`sessionboard_session_check_duration_seconds_count{${job}}`)).toBeGreaterThan(0);
      expect(await prometheus.value(`histogram_quantile(0.99, sum by (le) (rate(sessionboard_session_check_duration_seconds_bucket{${job}}[1m])))`)).toBeLessThan(1);
      expect(await prometheus.value(`process_resident_memory_bytes{${job}}`)).toBeGreaterThan(0);
      for (const request of [...alice, root, carol, dave, erin1, erin2, frank, stranger]) await request.dispose();
    });
  });
}

/** A fetch answer shaped as expectJsonError reads it. */
async function fetchAsResponse(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: () => response.status, text: async () => text, headers: response.headers };
}
