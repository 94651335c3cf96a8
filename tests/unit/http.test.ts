import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { readBody, readOptionalBody, MAX_BODY_BYTES } from "@/lib/http/body";
import { databaseAvailable, databaseDownSince, markDatabaseError, reportDatabaseReachable } from "@/lib/db/availability";
import { ApiError, errorResponse } from "@/lib/http/errors";
import { proxyLocation } from "@/lib/request/location";
import { allowOnly, REFUSED_METHOD_HEADER } from "@/lib/http/methods";
import { clientIp, normalizeIp, PEER_HEADER, requestInfo } from "@/lib/request/request-info";
import { namesOwnHost } from "@/lib/request/same-origin";
import { seeOther, seeOtherToLogin } from "@/lib/http/redirect";
import { safeReturnPath } from "@/lib/request/return-path";
import { isSameOriginRequest } from "@/lib/request/same-origin";
import { unavailableJson, unavailablePage } from "@/lib/http/unavailable-response";
import { closedPort } from "../support/ports";

const h = (entries: Record<string, string>) => new Headers(entries);

describe("client IP", () => {
  it("uses the socket address and ignores a forged X-Forwarded-For unless proxies are trusted", () => {
    const headers = h({ [PEER_HEADER]: "::ffff:10.0.0.5", "x-forwarded-for": "1.2.3.4" });
    expect(clientIp(headers, { trustedProxyHops: 0 })).toBe("10.0.0.5");
    expect(clientIp(headers, { trustedProxyHops: 1 })).toBe("1.2.3.4");
  });

  it("counts trusted hops from the right and never runs past the chain", () => {
    const headers = h({ [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": "6.6.6.6, 203.0.113.5, 10.0.0.1" });
    expect(clientIp(headers, { trustedProxyHops: 2 })).toBe("203.0.113.5");
    expect(clientIp(headers, { trustedProxyHops: 9 })).toBe("6.6.6.6");
    expect(clientIp(h({ [PEER_HEADER]: "2001:DB8::1" }), { trustedProxyHops: 0 })).toBe("2001:db8::1");
    expect(clientIp(h({ [PEER_HEADER]: "not-an-ip" }), { trustedProxyHops: 0 })).toBeNull();
  });

  it("counts hops on the chain as written: an entry that is not an address does not hand its place to the one the client wrote", () => {
    const behind = (forwarded: string) => clientIp(h({ [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": forwarded }), { trustedProxyHops: 1 });
    // Proxies that write the client's port with its address.
    expect(behind("6.6.6.6, 203.0.113.5:51234")).toBe("203.0.113.5");
    expect(behind("6.6.6.6, [2001:db8::1]:443")).toBe("2001:db8::1");
    // What the trusted proxy wrote is no address: no client address, rather than a forged one.
    expect(behind("6.6.6.6, unknown")).toBeNull();
    expect(behind("6.6.6.6,")).toBeNull();
    // No header (a request that did not come through the proxy): the socket's address.
    expect(clientIp(h({ [PEER_HEADER]: "10.0.0.2" }), { trustedProxyHops: 1 })).toBe("10.0.0.2");
  });
});

describe("IP addresses", () => {
  it("are stored compactly: IPv6 in RFC 5952 form, IPv4-mapped IPv6 as IPv4", () => {
    expect(normalizeIp("2001:0DB8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1");
    expect(normalizeIp("[2001:db8:0:0:1:0:0:1]")).toBe("2001:db8::1:0:0:1");
    expect(normalizeIp("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(normalizeIp(" 198.51.100.1 ")).toBe("198.51.100.1");
    expect(normalizeIp("fe80::1%eth0")).toBe("fe80::1%eth0");
    expect(normalizeIp("999.1.1.1")).toBeNull();
  });
});

describe("a page post names this deployment's host", () => {
  const own = "sessions.example.test";
  const named = (headers: Record<string, string>, method = "POST") => namesOwnHost(method, h(headers), own);

  it("by Host or the first X-Forwarded-Host, with or without Origin", () => {
    expect(named({ host: own, origin: `https://${own}` })).toBe(true);
    expect(named({ host: own })).toBe(true);
    expect(named({ host: "internal:3000", "x-forwarded-host": `${own}, proxy` })).toBe(true);
    expect(named({ host: "evil.example", origin: `https://${own}` })).toBe(false);
    // No Origin (not a browser page): the same rule, so no post reaches an action under another name.
    expect(named({ host: "evil.example" })).toBe(false);
    expect(named({ host: own, "x-forwarded-host": "evil.example" })).toBe(false);
    expect(named({ host: "evil.example" }, "GET")).toBe(true);
  });
});

describe("the user agent a request brings", () => {
  const direct = { trustedProxyHops: 0, locationHeaders: null };
  const userAgent = (value: string) => requestInfo(h({ [PEER_HEADER]: "10.0.0.1", "user-agent": value }), direct).userAgent;

  it("is kept without the C1 control characters Node lets through (NEL, CSI), trimmed and bounded", () => {
    // Node reads header bytes as Latin-1 and refuses C0 controls, but not 0x80–0x9F: 0x9B is a terminal's CSI.
    expect(userAgent("Mozilla/5.0\u009b31m (X11)\u0085")).toBe("Mozilla/5.031m (X11)");
    expect(userAgent("x".repeat(600))).toHaveLength(512);
    expect(userAgent(" \u0085 ")).toBeNull();
  });

  it("is read as UTF-8 where its bytes are (Node reads them as Latin-1), as a proxy's city name is", () => {
    const latin1 = (text: string) => Buffer.from(text, "utf8").toString("latin1");
    expect(userAgent(latin1("Mozilla/5.0 (Zoë — test)"))).toBe("Mozilla/5.0 (Zoë — test)");
    expect(userAgent("Mozilla/5.0 (K\u00e4fer)")).toBe("Mozilla/5.0 (Käfer)");
  });
});

describe("approximate location from a trusted proxy", () => {
  const behindProxy = { trustedProxyHops: 1, locationHeaders: { country: "cf-ipcountry", city: "cf-ipcity" } };

  it("is read only when DASHBOARD_TRUST_PROXY is set, so clients cannot claim a place", () => {
    const headers = h({ "cf-ipcountry": "DE", "cf-ipcity": "Berlin" });
    expect(proxyLocation(headers, { ...behindProxy, trustedProxyHops: 0 })).toBeNull();
    expect(proxyLocation(headers, { ...behindProxy, locationHeaders: null })).toBeNull();
    expect(proxyLocation(headers, behindProxy)).toEqual({ country: "DE", city: "Berlin" });
    expect(requestInfo(h({ [PEER_HEADER]: "10.0.0.1", "x-forwarded-for": "203.0.113.1", "cf-ipcountry": "fr" }), behindProxy)).toEqual({
      ip: "203.0.113.1",
      userAgent: null,
      location: { country: "FR", city: null },
    });
  });

  it("uses a configured header pair and decodes raw UTF-8 and percent-encoded city names", () => {
    const custom = { trustedProxyHops: 1, locationHeaders: { country: "x-geo-country", city: "x-geo-city" } };
    expect(proxyLocation(h({ "x-geo-country": "at", "x-geo-city": "Wien" }), custom)).toEqual({ country: "AT", city: "Wien" });
    // Node reads header bytes as Latin-1: Cloudflare's raw UTF-8 "München" arrives as "MÃ¼nchen".
    const latin1 = Buffer.from("München", "utf8").toString("latin1");
    expect(proxyLocation(h({ "cf-ipcity": latin1 }), behindProxy)).toEqual({ country: null, city: "München" });
    expect(proxyLocation(h({ "cf-ipcity": "San%20Francisco" }), behindProxy)?.city).toBe("San Francisco");
    expect(proxyLocation(h({ "cf-ipcity": "100%" }), behindProxy)?.city).toBe("100%");
  });

  it("drops unknown or malformed values", () => {
    expect(proxyLocation(h({ "cf-ipcountry": "XX" }), behindProxy)).toBeNull();
    expect(proxyLocation(h({ "cf-ipcountry": "Germany" }), behindProxy)).toBeNull();
    expect(proxyLocation(h({ "cf-ipcountry": "T1" }), behindProxy)).toEqual({ country: "T1", city: null });
    expect(proxyLocation(h({ "cf-ipcity": "x".repeat(500) }), behindProxy)?.city).toHaveLength(100);
  });
});

describe("same-origin rule (CSRF)", () => {
  const origin = "https://sessions.example.com";
  it("allows safe methods and same-origin writes, refuses cross-site writes", () => {
    expect(isSameOriginRequest("GET", h({ origin: "https://evil.example" }), origin)).toBe(true);
    expect(isSameOriginRequest("POST", h({ origin }), origin)).toBe(true);
    expect(isSameOriginRequest("POST", h({ origin: "https://evil.example", host: "sessions.example.com" }), origin)).toBe(false);
    expect(isSameOriginRequest("DELETE", h({ origin: "null" }), origin)).toBe(false);
    expect(isSameOriginRequest("POST", h({ "sec-fetch-site": "cross-site" }), origin)).toBe(false);
    expect(isSameOriginRequest("POST", h({ "sec-fetch-site": "same-origin" }), origin)).toBe(true);
  });

  it("compares the whole origin (scheme, host, port) with DASHBOARD_URL's, never with the Host header", () => {
    // A plain-http page on the same host must not post to an https deployment.
    expect(isSameOriginRequest("POST", h({ origin: "http://sessions.example.com", host: "sessions.example.com" }), origin)).toBe(false);
    expect(isSameOriginRequest("POST", h({ origin: "https://sessions.example.com:8443", host: "sessions.example.com:8443" }), origin)).toBe(false);
    // Whatever Host a client or a proxy sends, only DASHBOARD_URL's origin counts.
    expect(isSameOriginRequest("POST", h({ origin: "http://localhost:3000", host: "localhost:3000" }), origin)).toBe(false);
    expect(isSameOriginRequest("POST", h({ origin: "https://sessions.example.com.evil.example", host: "sessions.example.com" }), origin)).toBe(false);
    expect(isSameOriginRequest("POST", h({ origin: `${origin}/`, host: "sessions.example.com" }), origin)).toBe(false);
    expect(isSameOriginRequest("DELETE", h({ origin, host: "evil.example" }), origin)).toBe(true);
    expect(isSameOriginRequest("POST", h({ origin: "http://localhost:3000" }), "http://localhost:3000")).toBe(true);
  });
});

describe("return paths", () => {
  it("only accept same-site paths", () => {
    expect(safeReturnPath("/settings/sessions?x=1")).toBe("/settings/sessions?x=1");
    for (const bad of ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", undefined, 5, "/\u0000x"]) {
      expect(safeReturnPath(bad)).toBe("/");
    }
  });

  it("bound what they return, not only what they are given", () => {
    // 1,001 characters in, 6,001 once "é" is percent-encoded: too long for the forms that carry it.
    const encodedLonger = `/${"é".repeat(1000)}`;
    expect(safeReturnPath(encodedLonger)).toBe("/");
    expect(safeReturnPath(`/${"é".repeat(300)}`)).toBe(`/${"%C3%A9".repeat(300)}`);
  });
});

describe("redirects", () => {
  it("stay on the address the browser used (a relative Location), and pass absolute URLs through", () => {
    const local = seeOther("/settings/sessions?x=1");
    expect(local.status).toBe(303);
    expect(local.headers.get("location")).toBe("/settings/sessions?x=1");
    expect(seeOther(new URL("https://idp.example.com/logout?x=1")).headers.get("location")).toBe("https://idp.example.com/logout?x=1");
    expect(seeOtherToLogin({ error: "invalid_input", username: "a b&c", next: "/", retryAfter: undefined }).headers.get("location")).toBe(
      "/login?error=invalid_input&username=a+b%26c",
    );
    expect(seeOtherToLogin({ next: "/admin/users" }).headers.get("location")).toBe("/login?next=%2Fadmin%2Fusers");
    for (const bad of ["https://evil.example", "//evil.example", "/\\evil.example"]) expect(() => seeOther(bad)).toThrow();
  });
});

describe("request bodies", () => {
  const post = (body: string, type = "application/json") =>
    new Request("http://localhost/api", { method: "POST", body, headers: { "content-type": type } });

  it("parse JSON and forms (the form's named checkboxes become booleans, nothing else)", async () => {
    expect(await readBody(post('{"a":1}'))).toEqual({ data: { a: 1 }, form: false });
    expect(await readBody(post("username=a&rememberMe=on", "application/x-www-form-urlencoded"), ["rememberMe"])).toEqual({
      data: { username: "a", rememberMe: true },
      form: true,
    });
    // A person called "on", a reason "true": text stays text.
    expect(await readBody(post("username=on&key=true&next=false&rememberMe=false", "application/x-www-form-urlencoded"), ["rememberMe"])).toEqual({
      data: { username: "on", key: "true", next: "false", rememberMe: false },
      form: true,
    });
    expect((await readBody(post("reason=true", "application/x-www-form-urlencoded"))).data).toEqual({ reason: "true" });
  });

  it("refuse malformed JSON (400), huge bodies (413) and other media types (415)", async () => {
    await expect(readBody(post("{nope"))).rejects.toMatchObject({ status: 400, code: "malformed_json" });
    await expect(readBody(post("x".repeat(MAX_BODY_BYTES + 1)))).rejects.toMatchObject({ status: 413 });
    await expect(readBody(post("a", "text/plain"))).rejects.toBeInstanceOf(ApiError);
    await expect(readBody(post("a", "text/plain"))).rejects.toMatchObject({ status: 415 });
  });

  it("read an optional body that is not there as {}, whatever type the client labels it with", async () => {
    const bare = new Request("http://localhost/api", { method: "DELETE" });
    expect(await readOptionalBody(bare)).toEqual({ data: {}, form: false });
    // Many clients send this header on every request, a body or not.
    expect(await readOptionalBody(post("", "application/json"))).toEqual({ data: {}, form: false });
    expect(await readOptionalBody(post("", "application/x-www-form-urlencoded"))).toEqual({ data: {}, form: false });
    expect(await readOptionalBody(post('{"reason":"x"}'))).toEqual({ data: { reason: "x" }, form: false });
    await expect(readOptionalBody(post("{nope"))).rejects.toMatchObject({ status: 400, code: "malformed_json" });
    await expect(readOptionalBody(post("reason=x", "text/plain"))).rejects.toMatchObject({ status: 415 });
    await expect(readOptionalBody(new Request("http://localhost/api", { method: "POST", body: "{}" }))).rejects.toMatchObject({ status: 415 });
  });
});

describe("the database-outage answers", () => {
  it("is a 503 page that goes back only to a same-site path, escaped", async () => {
    const page = unavailablePage('/settings/sessions?x="><script>alert(1)</script>', "bm9uY2U=");
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("5");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).not.toContain("<script>");
    expect(html).toContain('href="/settings/sessions?x=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"');
    expect(await unavailablePage("https://evil.example/", "bm9uY2U=").text()).toContain('href="/"');
    // Dot segments that normalise into a protocol-relative URL.
    for (const evil of ["/.//evil.example", "/./\\evil.example", "/a/..//evil.example"]) {
      expect(safeReturnPath(evil), evil).toBe("/");
    }
  });

  it("is never started by a connection error from outside the database layer (the identity provider's fetch)", async () => {
    // What fetch() to an identity provider that is down throws: "fetch failed", ECONNREFUSED in its cause.
    const port = await closedPort();
    const refused = await fetch(`http://127.0.0.1:${port}/`).then(
      () => expect.fail(`nothing should listen on port ${port}`),
      (error: unknown) => error,
    );
    expect((refused as Error & { cause?: { code?: string } }).cause?.code).toBe("ECONNREFUSED");
    const response = errorResponse(refused);
    expect(databaseDownSince()).toBeNull();
    expect(await databaseAvailable()).toBe(true);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: "internal_error", message: "Something went wrong" } });
  });

  it("is a 503 JSON error for the API, the same one errorResponse gives for an unreachable database", async () => {
    const direct = unavailableJson();
    const mapped = errorResponse(markDatabaseError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })));
    reportDatabaseReachable();
    for (const response of [direct, mapped]) {
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: { code: "database_unavailable", message: "The session database is unavailable. Try again shortly." } });
    }
  });
});

describe("methods a route does not serve", () => {
  const GET = async () => Response.json({ ok: true });
  const DELETE = async () => Response.json({ deleted: true });
  const rest = allowOnly({ GET, DELETE });
  const context = { params: Promise.resolve({}) };
  const call = (method: keyof typeof rest, headers: Record<string, string> = {}) =>
    rest[method](new NextRequest("http://localhost/api/x", { method, headers }), context);

  it("answers 405 in the API's error shape with the route's Allow", async () => {
    for (const method of ["POST", "PUT", "PATCH"] as const) {
      const response = await call(method);
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("DELETE, GET, HEAD, OPTIONS");
      expect(await response.json()).toEqual({
        error: { code: "method_not_allowed", message: `${method} is not allowed here; this address accepts DELETE, GET, HEAD, OPTIONS` },
      });
    }
  });

  it("serves HEAD through GET and lists the methods for OPTIONS", async () => {
    expect(rest.HEAD).toBe(GET);
    const options = await call("OPTIONS");
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("DELETE, GET, HEAD, OPTIONS");
    expect(Object.keys(allowOnly({ POST: GET })).sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "PUT"]);
  });

  it("refuses a method the entry point passed on as OPTIONS, naming it", async () => {
    const response = await call("OPTIONS", { [REFUSED_METHOD_HEADER]: "TRACE" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("DELETE, GET, HEAD, OPTIONS");
    expect((await response.json()).error.message).toMatch(/^TRACE is not allowed here/);
    // A header value that is no method name is not echoed.
    const forged = await call("OPTIONS", { [REFUSED_METHOD_HEADER]: "<script>" });
    expect(forged.status).toBe(204);
  });
});
