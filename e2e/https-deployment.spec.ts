import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { APIResponse } from "@playwright/test";
import { expect, test } from "./api-contract";
import { HTTPS_APP_PORT, USER_KEY } from "./env";
import { expectJsonError, startApp, uniqueUser } from "./helpers";

/**
 * DASHBOARD_URL is https://, as behind a proxy that terminates TLS; the app itself is reached over
 * plain http here, which is how the proxy reaches it.
 */
const PUBLIC_ORIGIN = `https://localhost:${HTTPS_APP_PORT}`;
const HSTS = "max-age=31536000; includeSubDomains";

let app: Awaited<ReturnType<typeof startApp>>;
let dir: string;

test.describe.configure({ mode: "serial" });
test.use({ baseURL: `http://localhost:${HTTPS_APP_PORT}` });

test.beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-https-"));
  app = await startApp(HTTPS_APP_PORT, dir, { DASHBOARD_URL: PUBLIC_ORIGIN });
});

test.afterAll(async () => {
  await app?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const expectHsts = (response: APIResponse) => expect(response.headers()["strict-transport-security"], response.url()).toBe(HSTS);

test("every page and API answer carries Strict-Transport-Security", async ({ request }) => {
  expectHsts(await request.get("/login"));
  expectHsts(await request.get("/api/health"));
  const unauthenticated = await request.get("/api/auth/session");
  await expectJsonError(unauthenticated, 401, "unauthenticated");
  expectHsts(unauthenticated);
  const missing = await request.get("/no-such-page");
  expect(missing.status()).toBe(404);
  expectHsts(missing);
  const redirect = await request.get("/settings/sessions", { maxRedirects: 0 });
  expect(redirect.status()).toBe(307);
  expectHsts(redirect);
  // Files, and what the server answers before the app sees a request.
  for (const file of ["/favicon.ico", "/robots.txt"]) {
    const served = await request.get(file);
    expect(served.status(), file).toBe(200);
    expectHsts(served);
  }
  const missingAsset = await request.get("/_next/static/no-such-file.js");
  expect(missingAsset.status()).toBe(404);
  expectHsts(missingAsset);
  const undecodable = await request.get("/api/sessions/%ZZ");
  await expectJsonError(undecodable, 400, "bad_request");
  expectHsts(undecodable);
  const postToFile = await request.post("/favicon.ico", { headers: { origin: PUBLIC_ORIGIN } });
  await expectJsonError(postToFile, 405, "method_not_allowed");
  expectHsts(postToFile);
});

test("state changes must come from the https origin itself: an http:// page on the same host is cross-site", async ({ request }) => {
  const body = { username: uniqueUser("https"), key: USER_KEY };
  const insecure = await request.post("/api/auth/login", { data: body, headers: { origin: `http://localhost:${HTTPS_APP_PORT}` } });
  await expectJsonError(insecure, 403, "cross_site_request");
  expectHsts(insecure);
  // Host says this port, but only DASHBOARD_URL's origin counts.
  await expectJsonError(await request.post("/api/auth/login", { data: body, headers: { origin: `https://localhost:${HTTPS_APP_PORT + 1}` } }), 403, "cross_site_request");
  const secure = await request.post("/api/auth/login", { data: body, headers: { origin: PUBLIC_ORIGIN } });
  expect(secure.status()).toBe(200);
  expectHsts(secure);
  expect(secure.headers()["set-cookie"]).toMatch(/^__Host-session_token=[^;]+;.*; Secure\b/i);
});

test("the API description names the https cookie and the public URL", async ({ request }) => {
  const described = await (await request.get("/api/openapi.json")).json();
  expect(described.components.securitySchemes.sessionCookie).toMatchObject({ in: "cookie", name: "__Host-session_token" });
  expect(described.servers).toEqual([{ url: PUBLIC_ORIGIN }]);
});

/** Every Set-Cookie of a response, one entry each. */
const setCookies = (response: APIResponse) => response.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);

test("on https every cookie is prefixed, Secure, HttpOnly and SameSite=Lax, and its clearing carries the same attributes", async ({ request }) => {
  const body = { username: uniqueUser("cookies"), key: USER_KEY };
  const signedIn = await request.post("/api/auth/login", { data: body, headers: { origin: PUBLIC_ORIGIN } });
  const cookies = setCookies(signedIn);
  const session = cookies.find((c) => c.startsWith("__Host-session_token="));
  expect(session).toMatch(/^__Host-session_token=[0-9a-f]{64}\.s\.[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=lax$/);
  // The notice is cleared at sign-in: a __Host- cookie is only replaced by one that is Secure with Path=/.
  expect(cookies.find((c) => c.startsWith("__Host-session_notice="))).toMatch(/^__Host-session_notice=; Path=\/; Max-Age=0; Secure; HttpOnly; SameSite=lax$/);

  // An ended session: the notice cookie that tells /login why.
  const token = (session as string).split(";")[0].split("=")[1];
  await request.post("/api/auth/logout", { headers: { origin: PUBLIC_ORIGIN, cookie: `__Host-session_token=${token}` } });
  const ended = await request.get("/api/auth/ended?reason=revoked", { headers: { cookie: `__Host-session_token=${token}` }, maxRedirects: 0 });
  expect(setCookies(ended).find((c) => c.startsWith("__Host-session_notice="))).toMatch(/^__Host-session_notice=[^;]+; Path=\/; (Expires=[^;]+; )?Max-Age=300; Secure; HttpOnly; SameSite=lax$/);

  // The SSO transaction: __Host- too, so no sibling subdomain can plant one.
  const sso = await request.post("/api/auth/oidc/login", { form: { next: "/" }, headers: { origin: PUBLIC_ORIGIN }, maxRedirects: 0 });
  expect(sso.status()).toBe(303);
  expect(setCookies(sso).find((c) => c.includes("oidc_tx="))).toMatch(/^__Host-oidc_tx=[^;]+; Path=\/; (Expires=[^;]+; )?Max-Age=600; Secure; HttpOnly; SameSite=lax$/);
});
