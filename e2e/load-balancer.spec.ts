import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./api-contract";
import { BALANCED_APP_PORTS, LOAD_BALANCER_PORT, USER_KEY } from "./env";
import { currentSessionId, postgresDatabase, signIn, startApp, uniqueUser } from "./helpers";
import { logLines } from "./log-lines";
import { startTcpRelay, type TcpRelay } from "../tests/support/tcp-relay";

/**
 * The shipped deploy/nginx.conf in front of two replicas on PostgreSQL, as the compose file runs
 * them: the replicas' DASHBOARD_URL is the load balancer's address and they trust one proxy.
 * Only the upstream addresses and the listen port are rewritten for this machine.
 */
const database = postgresDatabase("balanced");
const PUBLIC_URL = `http://localhost:${LOAD_BALANCER_PORT}`;

type App = Awaited<ReturnType<typeof startApp>>;
let apps: App[] = [];
let nginx: ChildProcess | undefined;
/** Between the replicas and PostgreSQL, so that a test can take the database away. */
let relay: TcpRelay;
let dir: string;
let env: Record<string, string>;

test.describe.configure({ mode: "serial" });
test.use({ baseURL: PUBLIC_URL });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  await database.create();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-nginx-"));
  // nginx's workers may run as another user; they need to reach their temp directories.
  fs.chmodSync(dir, 0o755);
  const url = new URL(database.url);
  relay = await startTcpRelay(url.hostname, Number(url.port || 5432));
  url.port = String(relay.port);
  env = {
    DASHBOARD_SESSION_BACKEND: "postgres",
    DATABASE_URL: url.toString(),
    DASHBOARD_DB_STATEMENT_TIMEOUT_MS: "3000",
    DASHBOARD_DB_POOL_SIZE: "4",
    DASHBOARD_URL: PUBLIC_URL,
    DASHBOARD_TRUST_PROXY: "1",
  };
  apps = await Promise.all(BALANCED_APP_PORTS.map((port) => startApp(port, dir, env)));
  nginx = await startNginx(dir);
});

test.afterAll(async () => {
  nginx?.kill("SIGTERM");
  await Promise.all(apps.map((app) => app.stop()));
  await relay?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

test("through the shipped nginx config: forms work, the client address is the one nginx saw, and either replica alone serves the session", async ({ page, request }) => {
  test.setTimeout(120_000);
  const username = uniqueUser("balanced");
  // The sign-in form posts through the proxy: the origin checks see the public host and port.
  await signIn(page, username, USER_KEY);
  await expect(page).toHaveURL(`${PUBLIC_URL}/`);
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  const sessionId = await currentSessionId(page.request);

  // A client cannot choose its recorded address: nginx appends the address it saw, and the app
  // trusts exactly one proxy.
  const spoofed = await request.post("/api/auth/login", {
    data: { username: uniqueUser("spoofer"), key: USER_KEY },
    headers: { "X-Forwarded-For": "203.0.113.50" },
  });
  expect(spoofed.status()).toBe(200);
  const spoofedId = ((await spoofed.json()) as { session: { id: string } }).session.id;
  expect(await database.query(`SELECT "ipAddress" FROM "Session" WHERE "id" = $1`, [spoofedId])).toEqual([{ ipAddress: "127.0.0.1" }]);
  // Nor its place: nothing in front of this nginx reports one, so it drops what a client sends in
  // the location headers the app reads by default.
  const placed = await request.post("/api/auth/login", {
    data: { username: uniqueUser("placer"), key: USER_KEY },
    headers: { "CF-IPCountry": "KP", "CF-IPCity": "Pyongyang" },
  });
  expect(placed.status()).toBe(200);
  const placedId = ((await placed.json()) as { session: { id: string } }).session.id;
  expect(await database.query(`SELECT "country", "city" FROM "Session" WHERE "id" = $1`, [placedId])).toEqual([{ country: null, city: null }]);

  // A server action (with its redirect) works through the proxy too: sign out the other session.
  const other = await request.post("/api/auth/login", { data: { username, key: USER_KEY } });
  expect(other.status()).toBe(200);
  await page.goto("/settings/sessions");
  await page.getByRole("link", { name: "Sign out all other sessions" }).click();
  const confirm = page.getByRole("group", { name: "Sign out all other sessions?" });
  await confirm.getByRole("button", { name: "Sign out all other sessions" }).click();
  await expect(page.getByRole("main").getByRole("status")).toHaveText("Signed out 1 other session. Only this device is still signed in.");
  await expect(page).toHaveURL(new RegExp(`^${PUBLIC_URL}/settings/sessions`));

  // With one replica stopped, then the other, the same browser session keeps working: no sticky
  // sessions, and nginx moves on to the replica that answers.
  for (const index of [0, 1]) {
    await apps[index].stop();
    for (let i = 0; i < 4; i++) {
      const response = await page.goto("/settings/sessions");
      expect(response?.status()).toBe(200);
      await expect(page.locator(`#session-${sessionId}`).getByText("This device", { exact: true })).toBeVisible();
    }
    const health = await page.request.get("/api/health");
    expect(await health.json()).toMatchObject({ status: "ok", database: { backend: "postgres" } });
    apps[index] = await startApp(BALANCED_APP_PORTS[index], dir, env);
    // As the README says for rolling restarts: nginx tries a failed replica again after fail_timeout (5 s).
    await new Promise((resolve) => setTimeout(resolve, 5_500));
  }

  // A state-changing form (Log out) works through the proxy too.
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(`${PUBLIC_URL}/login?signedOut=1`);
  expect(await database.query(`SELECT "endReason" FROM "Session" WHERE "id" = $1 AND "revokedAt" IS NOT NULL`, [sessionId])).toEqual([{ endReason: "logout" }]);
  expect(await database.query(`SELECT count(*)::int AS n FROM "AuthEvent" WHERE "type" = 'logout' AND "sessionId" = $1`, [sessionId])).toEqual([{ n: 1 }]);
});

test("the request id is nginx's: a client's own is replaced, and the replica that answered logged it", async ({ request }) => {
  const response = await request.get("/api/health", { headers: { "X-Request-Id": "chosen-by-the-client" } });
  expect(response.status()).toBe(200);
  const requestId = response.headers()["x-request-id"];
  // nginx's $request_id: 32 hex digits, new for every request.
  expect(requestId).toMatch(/^[0-9a-f]{32}$/);
  await expect
    .poll(() => apps.some((app) => logLines(app.output()).some((line) => line.requestId === requestId && line.msg === "request completed" && line.status === 200)))
    .toBe(true);
  expect(apps.some((app) => app.output().includes("chosen-by-the-client"))).toBe(false);

  // A replica trusts its proxy (DASHBOARD_TRUST_PROXY=1): what arrives in the header is kept.
  const direct = await request.get(`${apps[0].baseURL}/api/health`, { headers: { "X-Request-Id": "set-by-the-proxy-42" } });
  expect(direct.headers()["x-request-id"]).toBe("set-by-the-proxy-42");
  await expect.poll(() => logLines(apps[0].output()).some((line) => line.requestId === "set-by-the-proxy-42" && line.path === "/api/health")).toBe(true);

  // nginx's own access log carries the same id, and the path without its query string: the mailed
  // "This wasn't me" link's token travels in one.
  const token = "ab".repeat(32);
  const report = await request.get(`/report?token=${token}`);
  const reportId = report.headers()["x-request-id"];
  await expect.poll(() => fs.readFileSync(path.join(dir, "access.log"), "utf8")).toContain(`"GET /report HTTP/1.1" ${report.status()}`);
  const log = fs.readFileSync(path.join(dir, "access.log"), "utf8");
  expect(log).not.toContain(token);
  expect(log).toContain(reportId);
});

test("a rolling restart loses no request: SIGTERM during a burst, the replica finishes what it has and exits 0", async ({ request }) => {
  test.setTimeout(120_000);
  const login = await request.post("/api/auth/login", { data: { username: uniqueUser("rolling"), key: USER_KEY } });
  expect(login.status()).toBe(200);
  const statuses = new Map<number, number>();
  let running = true;
  // Ten clients asking for their session through nginx, one request after another, until told to stop.
  const burst = Promise.all(
    Array.from({ length: 10 }, async () => {
      while (running) {
        const status = (await request.get("/api/auth/session")).status();
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const stoppedAt = Date.now();
  const exitCode = await apps[0].stop();
  const stopSeconds = (Date.now() - stoppedAt) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  running = false;
  await burst;
  console.log(`rolling restart: ${JSON.stringify(Object.fromEntries(statuses))} (status: count); replica stopped in ${stopSeconds.toFixed(1)} s`);
  expect(exitCode).toBe(0);
  expect(stopSeconds).toBeLessThan(20);
  expect([...statuses.keys()]).toEqual([200]);
  expect(statuses.get(200)).toBeGreaterThan(20);
  apps[0] = await startApp(BALANCED_APP_PORTS[0], dir, env);
});

test("during a database outage the replicas' own 503 answers come through nginx, never its 502", async ({ request }) => {
  test.setTimeout(120_000);
  // Signed in, so that every request below needs the database on whichever replica answers it,
  // whether or not that one has noticed the outage yet.
  expect((await request.post("/api/auth/login", { data: { username: uniqueUser("outage"), key: USER_KEY } })).status()).toBe(200);
  await relay.cut();
  try {
    await expect.poll(async () => (await request.get("/api/health")).status(), { timeout: 20_000 }).toBe(503);
    // More 503s than nginx's max_fails in its fail_timeout, from both replicas: had nginx counted
    // them as failures it would mark both down and answer with its own 502.
    for (let i = 0; i < 12; i++) {
      const api = await request.get("/api/sessions");
      expect(api.status(), `API request ${i}`).toBe(503);
      expect(await api.json()).toMatchObject({ error: { code: "database_unavailable" } });
      expect(Number(api.headers()["retry-after"])).toBeGreaterThan(0);
    }
    const page = await request.get("/settings/sessions", { headers: { accept: "text/html" } });
    expect(page.status()).toBe(503);
    expect(await page.text()).toContain("Temporarily unavailable");
  } finally {
    relay.restore();
  }
  await expect.poll(async () => (await request.get("/api/health")).status(), { timeout: 30_000 }).toBe(200);
});

/** Debian's nginx, as an unprivileged foreground process with everything under `dir`. */
async function startNginx(dir: string): Promise<ChildProcess> {
  const shipped = fs.readFileSync(path.join(process.cwd(), "deploy/nginx.conf"), "utf8");
  const site = [
    ["server app1:3000", `server 127.0.0.1:${BALANCED_APP_PORTS[0]}`],
    ["server app2:3000", `server 127.0.0.1:${BALANCED_APP_PORTS[1]}`],
    ["listen 80;", `listen 127.0.0.1:${LOAD_BALANCER_PORT};`],
    ["access_log /var/log/nginx/access.log sessionboard;", `access_log ${path.join(dir, "access.log")} sessionboard;`],
  ].reduce((text, [from, to]) => {
    // Fails loudly if the shipped file changes shape, rather than testing something else.
    expect(text, `deploy/nginx.conf should contain "${from}"`).toContain(from);
    return text.replace(from, to);
  }, shipped);
  fs.writeFileSync(path.join(dir, "site.conf"), site);
  const temp = (name: string) => path.join(dir, name);
  fs.writeFileSync(
    path.join(dir, "nginx.conf"),
    `daemon off;
pid ${temp("nginx.pid")};
error_log ${temp("error.log")} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${temp("body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  include ${temp("site.conf")};
}
`,
  );
  const binary = process.env.NGINX ?? "/usr/sbin/nginx";
  if (!fs.existsSync(binary)) throw new Error(`nginx is needed for this spec (apt-get install nginx), or set NGINX to its path; not found: ${binary}`);
  const child = spawn(binary, ["-p", dir, "-e", temp("error.log"), "-c", temp("nginx.conf")], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited:\n${output}\n${fs.readFileSync(temp("error.log"), "utf8")}`);
    try {
      if ((await fetch(`${PUBLIC_URL}/api/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (i > 100) throw new Error(`nginx did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
