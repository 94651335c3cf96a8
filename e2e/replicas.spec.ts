import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { APIRequest, APIRequestContext, Browser } from "@playwright/test";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, MAX_FAILURES_PER_USER, OIDC_ISSUER, REPLICA_PORTS, USER_KEY } from "./env";
import { startTcpRelay, type TcpRelay } from "../tests/support/tcp-relay";
import { currentSessionId, expectJsonError, loginAtTestIdp, postgresDatabase, signIn, startApp, uniqueUser } from "./helpers";

/**
 * Two `next start` processes (replicas A and B) sharing one PostgreSQL database, as behind a load
 * balancer. They reach PostgreSQL through a TCP relay in this process, which the fault tests cut
 * and pause.
 */
const database = postgresDatabase("replicas");
const query = database.query;

type App = Awaited<ReturnType<typeof startApp>>;
let replicas: { a: App; b: App };
let relay: TcpRelay;
let env: Record<string, string>;
let dir: string;
/** Replicas a test starts itself; stopped after each test even when it fails, so a retry finds the port free. */
const lateReplicas: App[] = [];

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  await database.create();
  const url = new URL(database.url);
  relay = await startTcpRelay(url.hostname, Number(url.port || 5432));
  url.port = String(relay.port);
  env = { DASHBOARD_SESSION_BACKEND: "postgres", DATABASE_URL: url.toString(), DASHBOARD_DB_POOL_SIZE: "4", DASHBOARD_DB_STATEMENT_TIMEOUT_MS: "3000" };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-replicas-"));
  // Started together against an empty database: the migrations run exactly once.
  const [a, b] = await Promise.all(REPLICA_PORTS.slice(0, 2).map((port) => startApp(port, dir, env)));
  replicas = { a, b };
});

test.afterEach(async ({}, testInfo) => {
  // What the replicas printed, for a failure seen only in CI.
  if (testInfo.status !== testInfo.expectedStatus) {
    for (const [name, app] of Object.entries(replicas ?? {})) await testInfo.attach(`replica ${name} output`, { body: app.output().slice(-6_000), contentType: "text/plain" });
  }
  await Promise.all(lateReplicas.splice(0).map((app) => app.stop()));
});

test.afterAll(async () => {
  await Promise.all([replicas?.a.stop(), replicas?.b.stop()]);
  await relay?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

test("a session made on replica A is seen, and revoked, on replica B; A signs the browser out at once", async ({ browser }) => {
  // Both replicas migrated the one database at once: each migration was applied exactly once.
  const migrations = fs.readdirSync(path.join("prisma", "postgres", "migrations"), { withFileTypes: true }).filter((entry) => entry.isDirectory());
  expect(await query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`)).toEqual([{ n: migrations.length }]);
  const username = uniqueUser("replica");
  const user = await browser.newContext({ baseURL: replicas.a.baseURL });
  const page = await user.newPage();
  await signIn(page, username, USER_KEY);
  await expect(page).toHaveURL("/");
  const sessionId = await currentSessionId(user.request);

  // The same browser on replica B (cookies are per host, not per port): B knows the session.
  await page.goto(`${replicas.b.baseURL}/settings/sessions`);
  await expect(page.locator(`#session-${sessionId}`).getByText("This device", { exact: true })).toBeVisible();

  const adminPage = await signedInAdmin(browser, replicas.b.baseURL);
  await adminPage.goto(`/admin/sessions?user=${username}`);
  await adminPage.locator(`#session-${sessionId}`).getByRole("link", { name: /^Revoke .*'s session ending in [0-9a-f]{8}$/ }).click();
  const confirm = adminPage.getByRole("group", { name: `Revoke this session of ${username}?` });
  await confirm.getByLabel(/Reason/).fill("revoked on replica B");
  await confirm.getByRole("button", { name: "Revoke session" }).click();
  await expect(adminPage.getByRole("main").getByRole("status")).toHaveText(/Session revoked/);

  await page.goto(`${replicas.a.baseURL}/`);
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("main")).toContainText("Your session was revoked");
  expect(await query(`SELECT "actor", "detail" FROM "AuthEvent" WHERE "type" = 'session.revoked' AND "sessionId" = $1`, [sessionId])).toEqual([
    { actor: "root", detail: "scope: session; reason: revoked on replica B" },
  ]);
  await user.close();
});

test("single sign-on on PostgreSQL: an SSO session made on A is listed on B and ended by a back-channel logout sent to B", async ({ browser }) => {
  const login = uniqueUser("replicasso");
  const context = await browser.newContext({ baseURL: replicas.a.baseURL });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with SSO" }).click();
  await loginAtTestIdp(page, login);
  await expect(page).toHaveURL(`${replicas.a.baseURL}/`);
  const sessionId = await currentSessionId(context.request);
  expect(await query(`SELECT u."authSource", u."oidcIssuer", s."authMethod", s."oidcSid" IS NOT NULL AS "hasSid"
                        FROM "Session" s JOIN "User" u ON u."id" = s."userId" WHERE s."id" = $1`, [sessionId])).toEqual([
    { authSource: "oidc", oidcIssuer: OIDC_ISSUER, authMethod: "oidc", hasSid: true },
  ]);
  await page.goto(`${replicas.b.baseURL}/settings/sessions`);
  await expect(page.locator(`#session-${sessionId}`)).toContainText("SSO");

  // The IdP's logout token for this user reaches replica B; A signs the browser out.
  const token = await (await fetch(`${OIDC_ISSUER}/test/logout-token?${new URLSearchParams({ sub: login })}`)).text();
  const logout = await context.request.post(`${replicas.b.baseURL}/api/auth/oidc/backchannel-logout`, { form: { logout_token: token } });
  expect(await logout.json()).toEqual({ revoked: 1 });
  await page.goto(`${replicas.a.baseURL}/settings/sessions`);
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("main").getByRole("status")).toHaveText("Your session was revoked");
  expect(await query(`SELECT "actor" FROM "AuthEvent" WHERE "type" = 'session.revoked' AND "sessionId" = $1`, [sessionId])).toEqual([{ actor: "idp" }]);
  await context.close();
});

test("failed sign-ins are counted across replicas", async ({ playwright }) => {
  const username = uniqueUser("limited");
  const [a, b] = await Promise.all([replicas.a.baseURL, replicas.b.baseURL].map((baseURL) => playwright.request.newContext({ baseURL })));
  for (let i = 0; i < MAX_FAILURES_PER_USER; i++) {
    const response = await (i % 2 === 0 ? a : b).post("/api/auth/login", { data: { username, key: "not-the-key" } });
    await expectJsonError(response, 401);
  }
  // The limit was reached on both replicas together, so both refuse even the right key.
  for (const replica of [a, b]) {
    const response = await replica.post("/api/auth/login", { data: { username, key: USER_KEY } });
    await expectJsonError(response, 429);
    expect(Number(response.headers()["retry-after"])).toBeGreaterThan(0);
  }
  await Promise.all([a.dispose(), b.dispose()]);
});

test("when PostgreSQL becomes unreachable the replicas answer 503, never 500, and recover by themselves", async ({ browser, playwright }) => {
  test.setTimeout(120_000);
  const clients = await replicaClients(playwright.request);
  const traffic = startTraffic(clients);

  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await relay.cut();
  // Both replicas notice and say so; health checks report it.
  await expect.poll(async () => (await clients[0].get("/api/health")).status(), { timeout: 15_000 }).toBe(503);
  const health = await clients[1].get("/api/health");
  expect(health.status()).toBe(503);
  expect(await health.json()).toMatchObject({ status: "unavailable", database: { backend: "postgres", status: "unavailable" } });
  // A replica started during the outage comes up anyway, answering 503 until the database is back.
  const late = await startApp(REPLICA_PORTS[2], dir, env, { healthy: false });
  lateReplicas.push(late);
  expect((await clients[0].get(`${late.baseURL}/api/health`)).status()).toBe(503);
  await expectJsonError(await clients[0].get(`${late.baseURL}/api/sessions`), 503, "database_unavailable");
  // An address with nothing at it needs no database: it is 404 all the same.
  await expectJsonError(await clients[0].get(`${late.baseURL}/api/no/such/thing`), 404, "not_found");

  // What a person sees meanwhile, at phone and desktop widths.
  const person = await browser.newPage({ baseURL: replicas.a.baseURL });
  for (const width of [375, 1280]) {
    await person.setViewportSize({ width, height: 800 });
    const response = await person.goto("/settings/sessions");
    expect(response?.status()).toBe(503);
    await expect(person.getByRole("heading", { name: "Temporarily unavailable" })).toBeVisible();
    await person.screenshot({ path: test.info().outputPath(`unavailable-${width}.png`), fullPage: true });
  }

  relay.restore();
  // No restart: the next probe finds the database again.
  await expectHealthy(clients);
  await expect.poll(async () => (await clients[0].get(`${late.baseURL}/api/health`)).status(), { timeout: 15_000 }).toBe(200);
  expect((await clients[0].get(`${late.baseURL}/api/sessions`)).status()).toBe(200);
  await late.stop();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await traffic.stop();
  await expect(person.getByRole("heading", { name: "Temporarily unavailable" })).toHaveCount(0, { timeout: 15_000 });
  await traffic.check("outage traffic");
  await Promise.all(clients.map((client) => client.dispose()));
});

test("when PostgreSQL stops answering (a paused proxy), requests get 503 within seconds, never hang or 500, and recover", async ({ playwright }) => {
  test.setTimeout(120_000);
  const clients = await replicaClients(playwright.request);
  const traffic = startTraffic(clients);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  relay.pause();
  await expect.poll(async () => (await clients[0].get("/api/health")).status(), { timeout: 20_000 }).toBe(503);
  await expect.poll(async () => (await clients[1].get("/api/health")).status(), { timeout: 20_000 }).toBe(503);
  // While the database is silent, each replica answers 503 at once, without waiting on it.
  for (const client of clients) {
    // The session check too, which the server entry point answers without Next's router.
    for (const address of ["/api/sessions", "/api/auth/session"]) {
      const started = Date.now();
      await expectJsonError(await client.get(address), 503, "database_unavailable");
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  }
  relay.resume();
  await expectHealthy(clients);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await traffic.stop();
  // No request waited longer than the read timeout (statement timeout + 2 s) or a connect timeout
  // (5 s), plus slack for a busy machine.
  expect(traffic.slowestMs()).toBeLessThan(15_000);
  await traffic.check("paused-proxy traffic");
  await Promise.all(clients.map((client) => client.dispose()));
});

async function replicaClients(request: APIRequest) {
  const clients = await Promise.all([replicas.a.baseURL, replicas.b.baseURL].map((baseURL) => request.newContext({ baseURL })));
  const signedIn = await Promise.all(clients.map((client) => client.post("/api/auth/login", { data: { username: uniqueUser("steady"), key: USER_KEY } })));
  expect(signedIn.map((r) => r.status())).toEqual([200, 200]);
  return clients;
}

async function expectHealthy(clients: APIRequestContext[]) {
  for (const client of clients) {
    await expect.poll(async () => (await client.get("/api/health")).status(), { timeout: 20_000 }).toBe(200);
  }
}

/**
 * Session checks, page loads and sign-ins on every client in a loop, noting every answer: only 200
 * or a proper 503 is allowed. `check` then requires each sign-in answered 200 to have its session
 * row and its audit event.
 */
function startTraffic(clients: APIRequestContext[]) {
  const statuses = new Map<number, number>();
  const succeededLogins: string[] = [];
  let slowest = 0;
  let running = true;
  const loops = clients.map(async (client, index) => {
    for (let i = 0; running; i++) {
      const kind = i % 4;
      const started = Date.now();
      const response =
        kind === 0
          ? await client.get("/api/sessions")
          : kind === 1
            ? await client.get("/settings/sessions")
            : kind === 2
              ? await client.post("/api/auth/login", { data: { username: uniqueUser(`traffic${index}`), key: USER_KEY } })
              : await client.get("/api/auth/session");
      slowest = Math.max(slowest, Date.now() - started);
      statuses.set(response.status(), (statuses.get(response.status()) ?? 0) + 1);
      if (response.status() === 503) {
        if (kind === 1) expect(await response.text()).toContain("Temporarily unavailable");
        else await expectJsonError(response, 503, "database_unavailable");
      } else {
        expect(response.status(), `${kind} answered ${response.status()}`).toBe(200);
        if (kind === 2) succeededLogins.push(((await response.json()) as { session: { id: string } }).session.id);
      }
    }
  });
  return {
    slowestMs: () => slowest,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    async check(label: string) {
      console.log(`${label}: ${JSON.stringify(Object.fromEntries(statuses))} (status: count), ${succeededLogins.length} sign-ins answered 200, slowest answer ${slowest} ms`);
      expect([...statuses.keys()].sort()).toEqual([200, 503]);
      expect(succeededLogins.length).toBeGreaterThan(3);
      const recorded = await query(`SELECT "sessionId" FROM "AuthEvent" WHERE "type" = 'login.succeeded' AND "sessionId" = ANY($1)`, [succeededLogins]);
      expect(recorded.map((row) => row.sessionId).sort()).toEqual([...succeededLogins].sort());
      expect(await query(`SELECT count(*)::int AS n FROM "Session" WHERE "id" = ANY($1)`, [succeededLogins])).toEqual([{ n: succeededLogins.length }]);
    },
  };
}

async function signedInAdmin(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, "root", ADMIN_KEY);
  await expect(page).toHaveURL("/");
  return page;
}
