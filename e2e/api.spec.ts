import { answerChecker } from "../tests/support/openapi";
import { expect, test } from "./api-contract";
import { ADMIN_KEY, BASE_URL, USER_KEY } from "./env";
import { expectJsonError, uniqueUser } from "./helpers";

test.describe("login API", () => {
  test("returns the user and session (never the token) and sets the cookie", async ({ request }) => {
    const username = uniqueUser("api");
    const response = await request.post("/api/auth/login", { data: { username, key: USER_KEY, rememberMe: true } });
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.user).toMatchObject({ username, role: "user" });
    expect(body.session).toMatchObject({ current: true, authMethod: "static", rememberMe: true, ipAddress: "127.0.0.1" });
    expect(Object.keys(body.session).sort()).toEqual(
      ["id", "tokenHint", "current", "authMethod", "ipAddress", "country", "city", "userAgent", "browser", "os", "deviceType", "rememberMe", "createdAt", "lastActiveAt", "expiresAt", "endedAt", "endReason", "endedBy"].sort(),
    );
    const cookie = response.headers()["set-cookie"];
    const token = cookie.match(/session_token=([0-9a-f]{64})\./)?.[1];
    expect(token).toBeTruthy();
    expect(JSON.stringify(body)).not.toContain(token!);
    expect(body.session.tokenHint).toBe(token!.slice(-8));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);
    expect(cookie).toMatch(/Max-Age=2592000/);

    const session = await request.get("/api/auth/session");
    expect(session.status()).toBe(200);
    expect(await session.json()).toMatchObject({ user: { username, role: "user" }, session: { id: body.session.id, current: true } });
  });

  test("refuses bad input with 4xx JSON errors, never a 500", async ({ request }) => {
    const post = (data: string | Buffer, contentType = "application/json") =>
      request.post("/api/auth/login", { data: Buffer.from(data), headers: { "content-type": contentType } });
    await expectJsonError(await post("{}"), 400, "invalid_input");
    await expectJsonError(await post(JSON.stringify({ username: "a" })), 400, "invalid_input");
    await expectJsonError(await post(JSON.stringify({ key: "k" })), 400, "invalid_input");
    await expectJsonError(await post(JSON.stringify({ username: 42, key: "k" })), 400, "invalid_input");
    await expectJsonError(await post(JSON.stringify({ username: "a", key: ["k"] })), 400, "invalid_input");
    await expectJsonError(await post(JSON.stringify({ username: "a", key: "k", rememberMe: "yes" })), 400, "invalid_input");
    await expectJsonError(await post(JSON.stringify({ username: "bad name!", key: "k" })), 400, "invalid_input");
    await expectJsonError(await post(JSON.stringify({ username: "a".repeat(65), key: "k" })), 400, "invalid_input");
    await expectJsonError(await post(JSON.stringify(null)), 400, "invalid_input");
    await expectJsonError(await post(JSON.stringify([1, 2])), 400, "invalid_input");
    await expectJsonError(await post("{not json"), 400, "malformed_json");
    await expectJsonError(await post(""), 400, "malformed_json");
    await expectJsonError(await post(JSON.stringify({ username: "a", key: "k".repeat(200_000) })), 413, "payload_too_large");
    await expectJsonError(await post("username=a", "text/plain"), 415, "unsupported_media_type");
    await expectJsonError(await post(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400);
  });

  test("garbage or tampered cookies are 401 JSON, never 500", async ({ request, playwright }) => {
    const login = await request.post("/api/auth/login", { data: { username: uniqueUser("tamper"), key: USER_KEY, rememberMe: false } });
    const value = login.headers()["set-cookie"].match(/session_token=([^;]+)/)![1];
    const flipped = value.replace(/^./, value[0] === "a" ? "b" : "a");
    // Junk after a genuine signature too: base64url decoding would skip it.
    const cookies = ["garbage", "", "a.b.c", "%00%ff", "x".repeat(4000), flipped, value.replace(".s.", ".p."), `${value}x`, `${value}!`, `${value}=`];
    for (const cookie of cookies) {
      const fresh = await playwright.request.newContext({ baseURL: BASE_URL, extraHTTPHeaders: { cookie: `session_token=${cookie}` } });
      await expectJsonError(await fresh.get("/api/auth/session"), 401, "unauthenticated");
      const page = await fresh.get("/", { maxRedirects: 0 });
      expect(page.status()).toBe(307);
      expect(page.headers().location).toContain("/login");
      await fresh.dispose();
    }
  });

  test("cross-origin state-changing requests are refused with 403", async ({ request }) => {
    const username = uniqueUser("csrf");
    const evil = { origin: "https://evil.example" };
    await expectJsonError(
      await request.post("/api/auth/login", { data: { username, key: USER_KEY }, headers: evil }),
      403,
      "cross_site_request",
    );
    await expectJsonError(
      await request.post("/api/auth/login", { data: { username, key: USER_KEY }, headers: { "sec-fetch-site": "cross-site" } }),
      403,
    );
    // Signed in, a cross-site logout does not end the session.
    expect((await request.post("/api/auth/login", { data: { username, key: USER_KEY } })).status()).toBe(200);
    await expectJsonError(await request.post("/api/auth/logout", { headers: evil }), 403);
    expect((await request.get("/api/auth/session")).status()).toBe(200);
    // The same request from our own origin works.
    const ok = await request.post("/api/auth/logout", { headers: { origin: BASE_URL } });
    expect(ok.status()).toBe(200);
    expect(ok.headers()["clear-site-data"]).toBe('"cookies"');
    expect((await request.get("/api/auth/session")).status()).toBe(401);
  });

  test("unauthenticated API calls are 401 and health reports the database", async ({ request }) => {
    await expectJsonError(await request.get("/api/auth/session"), 401, "unauthenticated");
    const health = await request.get("/api/health");
    expect(health.status()).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", database: { backend: "sqlite", status: "ok" } });
  });

  test("serves a favicon, and a robots.txt that keeps search engines out", async ({ request }) => {
    const icon = await request.get("/favicon.ico");
    expect(icon.status()).toBe(200);
    expect(icon.headers()["content-type"]).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
    expect([...(await icon.body()).subarray(0, 4)]).toEqual([0, 0, 1, 0]);
    const robots = await request.get("/robots.txt");
    expect(robots.status()).toBe(200);
    expect(await robots.text()).toMatch(/^User-agent: \*\nDisallow: \/$/m);
  });

  test("the liveness probe answers 200 JSON without a cookie", async ({ request }) => {
    const live = await request.get("/api/health/live");
    expect(live.status()).toBe(200);
    expect(live.headers()["content-type"]).toContain("application/json");
    expect(live.headers()["cache-control"]).toBe("no-store");
    expect(await live.json()).toEqual({ status: "ok" });
    // Every API answer, errors and redirects too, carries the API's security headers.
    for (const answer of [live, await request.get("/api/auth/session"), await request.post("/api/auth/oidc/login", { form: {}, maxRedirects: 0 })]) {
      expect(answer.headers()).toMatchObject({
        "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "cache-control": "no-store",
      });
    }
  });

  test("the session check, answered by the server entry point with the route's own handler, says all the route says", async ({ request, playwright }) => {
    const username = uniqueUser("direct");
    const login = await request.post("/api/auth/login", { data: { username, key: USER_KEY, rememberMe: false } });
    const { session } = (await login.json()) as { session: { id: string } };
    const apiHeaders = {
      "content-type": "application/json",
      "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "strict-origin-when-cross-origin",
      "cross-origin-opener-policy": "same-origin",
      "cache-control": "no-store",
    };
    const answer = await request.get("/api/auth/session?ignored=1", { headers: { "accept-encoding": "gzip" } });
    expect(answer.status()).toBe(200);
    expect(answer.headers()).toMatchObject(apiHeaders);
    expect(answer.headers()["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    // Not through Next's router: no Vary for its router's headers, and a body this small is sent whole.
    expect(answer.headers()["vary"]).toBeUndefined();
    const body = await answer.body();
    expect(Number(answer.headers()["content-length"])).toBe(body.length);
    expect(JSON.parse(body.toString())).toMatchObject({ user: { username, role: "user" }, session: { id: session.id, current: true } });
    // HEAD still goes through Next: the same status and headers, no body.
    const head = await request.head("/api/auth/session");
    expect(head.status()).toBe(200);
    expect(head.headers()).toMatchObject(apiHeaders);

    // Signed out in another copy of the browser: 401 session_ended, and the cookie is cleared.
    const cookie = (await request.storageState()).cookies.find((c) => c.name === "session_token")!.value;
    const copy = await playwright.request.newContext({ baseURL: BASE_URL, extraHTTPHeaders: { cookie: `session_token=${cookie}` } });
    expect((await request.post("/api/auth/logout", { headers: { origin: BASE_URL } })).status()).toBe(200);
    const ended = await copy.get("/api/auth/session");
    await expectJsonError(ended, 401, "session_ended");
    expect(ended.headers()).toMatchObject(apiHeaders);
    expect(ended.headers()["set-cookie"]).toMatch(/^session_token=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);
    // The copy Next's response object keeps for its own use stays inside, as Next itself sends it.
    expect(ended.headers()["x-middleware-set-cookie"]).toBeUndefined();
    await copy.dispose();
  });

  test("describes itself in OpenAPI 3.1, publicly, and checks what it answers against that", async ({ request, playwright }) => {
    const answer = await request.get("/api/openapi.json");
    expect(answer.status()).toBe(200);
    expect(answer.headers()["cache-control"]).toBe("public, max-age=3600");
    const document = await answer.json();
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.servers).toEqual([{ url: BASE_URL }]);
    expect(document.components.securitySchemes.sessionCookie).toMatchObject({ type: "apiKey", in: "cookie", name: "session_token" });
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/api/auth/login", "/api/sessions/{id}", "/api/openapi.json"]));

    // The contract check that every spec's answers go through: an undocumented status fails the call.
    const raw = await playwright.request.newContext({ baseURL: BASE_URL });
    const check = answerChecker(document);
    const refused = await raw.post("/api/openapi.json", { headers: { origin: BASE_URL } });
    expect(check({ method: "POST", url: refused.url(), status: refused.status(), headers: refused.headers(), body: await refused.text() })).toBeNull();
    expect(check({ method: "GET", url: refused.url(), status: 405, headers: refused.headers(), body: await refused.text() })).toMatch(
      /^GET \/api\/openapi.json answered 405: status 405 is not documented/,
    );
    await raw.dispose();
  });

  test("every documented success answer of the admin API matches its description", async ({ request, playwright }) => {
    // Each answer is checked against /api/openapi.json by the request fixture; here, that they arrive.
    const username = uniqueUser("described");
    const user = await playwright.request.newContext({ baseURL: BASE_URL });
    expect((await user.post("/api/auth/login", { data: { username, key: USER_KEY, rememberMe: false } })).status()).toBe(200);
    expect((await user.get("/api/sessions?limit=1")).status()).toBe(200);
    expect((await request.post("/api/auth/login", { data: { username: "root", key: ADMIN_KEY, rememberMe: false } })).status()).toBe(200);
    const listed = await request.get(`/api/admin/sessions?user=${username}`);
    expect(listed.status()).toBe(200);
    const [session] = (await listed.json()).sessions as { id: string }[];
    expect((await request.get(`/api/admin/sessions/${session.id}`)).status()).toBe(200);
    for (const path of ["/api/admin/stats", `/api/admin/users?prefix=${username}`, `/api/admin/events?user=${username}&limit=5`]) {
      expect((await request.get(path)).status(), path).toBe(200);
    }
    const csv = await request.get(`/api/admin/events/export?user=${username}`);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).split("\r\n")[0]).toMatch(/^at,type,username,/);
    const jsonl = await request.get(`/api/admin/events/export?format=jsonl&user=${username}`);
    expect(jsonl.status()).toBe(200);
    const events = (await (await request.get(`/api/admin/events?user=${username}`)).json()).events;
    // JSON lines carry the events list's objects (which the description checks), one per line.
    expect((await jsonl.text()).trim().split("\n").map((line) => JSON.parse(line))).toEqual(events);
    // The sign-in is fresh: revoking the whole user needs no key.
    const revoked = await request.delete(`/api/admin/sessions?user=${username}`, { headers: { origin: BASE_URL } });
    expect(await revoked.json()).toEqual({ revoked: 1 });
    await user.dispose();
  });

  test("pages carry security headers with a per-request CSP nonce", async ({ request }) => {
    const first = await request.get("/login");
    const second = await request.get("/login");
    const csp = first.headers()["content-security-policy"];
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(second.headers()["content-security-policy"]).not.toBe(csp);
    expect(first.headers()).toMatchObject({
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "strict-origin-when-cross-origin",
    });
    // Served over plain http (DASHBOARD_URL http://): no HSTS, which would mean nothing here.
    expect(first.headers()["strict-transport-security"]).toBeUndefined();
    const nonce = csp.match(/'nonce-([^']+)'/)![1];
    expect(await first.text()).toContain(`nonce="${nonce}"`);
  });
});
