import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./api-contract";
import { RUNTIME_APP_PORT, serverEnv, USER_KEY } from "./env";
import { startApp, uniqueUser } from "./helpers";

/**
 * The production runtime — what the container image holds (deploy/assemble-runtime.sh, used by
 * deploy/Dockerfile): the built app, the CLI bundle, migrations and production dependencies only.
 * The server and the operator CLI must run from it with no dev tooling (tsx, TypeScript, Prisma's
 * CLI) installed.
 */
let dir: string;
let runtime: string;
let app: Awaited<ReturnType<typeof startApp>>;

test.describe.configure({ mode: "serial" });
test.use({ baseURL: `http://localhost:${RUNTIME_APP_PORT}` });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-runtime-"));
  runtime = path.join(dir, "app");
  execFileSync("bash", ["deploy/assemble-runtime.sh", ".", runtime], { stdio: "pipe" });
  app = await startApp(RUNTIME_APP_PORT, path.join(dir, "data"), {}, { cwd: runtime });
});

test.afterAll(async () => {
  await app?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("the runtime holds production dependencies and the built app only: no dev tooling, sources or data", () => {
  const packages = fs.readdirSync(path.join(runtime, "node_modules"));
  for (const dev of ["typescript", "tsx", "prisma", "eslint", "vitest", "playwright", "@playwright", "esbuild", "oidc-provider", "autocannon"]) {
    expect(packages, `${dev} is a dev dependency`).not.toContain(dev);
  }
  for (const needed of ["next", "react", "better-sqlite3", "pg", "zod"]) expect(packages).toContain(needed);
  for (const absent of ["data", "lib", "app", "scripts", "e2e", "tests", ".e2e-data", ".next/cache"]) {
    expect(fs.existsSync(path.join(runtime, absent)), `${absent} must not be in the runtime`).toBe(false);
  }
});

test("the server runs from it: ready, and a sign-in works", async ({ request }) => {
  expect((await request.get("/api/health/ready")).status()).toBe(200);
  expect((await request.get("/login")).status()).toBe(200);
  const login = await request.post("/api/auth/login", {
    data: { username: uniqueUser("runtime"), key: USER_KEY },
    headers: { origin: `http://localhost:${RUNTIME_APP_PORT}` },
  });
  expect(login.status()).toBe(200);
});

test("the operator CLI runs from it with node alone, on the same database", async ({ request }) => {
  const username = uniqueUser("cli");
  const login = await request.post("/api/auth/login", { data: { username, key: USER_KEY }, headers: { origin: `http://localhost:${RUNTIME_APP_PORT}` } });
  const { session } = (await login.json()) as { session: { id: string } };
  const env = { ...process.env, ...serverEnv, DASHBOARD_SESSION_SQLITE_PATH: path.join(dir, "data", "sessions.db") };
  const listed = JSON.parse(execFileSync(process.execPath, ["dist/sessions.mjs", "list", "--user", username, "--json"], { cwd: runtime, env, encoding: "utf8" })) as {
    sessions: { id: string }[];
  };
  expect(listed.sessions.map((s) => s.id)).toEqual([session.id]);
  execFileSync(process.execPath, ["dist/sessions.mjs", "revoke", session.id], { cwd: runtime, env, encoding: "utf8" });
  const after = await request.get("/api/auth/session");
  expect(after.status()).toBe(401);
});
