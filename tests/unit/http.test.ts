import { describe, expect, it } from "vitest";
import { readBody, MAX_BODY_BYTES } from "@/lib/http/body";
import { ApiError } from "@/lib/http/errors";
import { clientIp, PEER_HEADER } from "@/lib/http/request-info";
import { safeReturnPath } from "@/lib/http/return-path";
import { isSameOriginRequest } from "@/lib/http/same-origin";

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
});

describe("same-origin rule (CSRF)", () => {
  const origin = "https://sessions.example.com";
  it("allows safe methods and same-origin writes, refuses cross-site writes", () => {
    expect(isSameOriginRequest("GET", h({ origin: "https://evil.example" }), origin)).toBe(true);
    expect(isSameOriginRequest("POST", h({ origin }), origin)).toBe(true);
    expect(isSameOriginRequest("POST", h({ origin: "http://localhost:3000", host: "localhost:3000" }), origin)).toBe(true);
    expect(isSameOriginRequest("POST", h({ origin: "https://evil.example", host: "sessions.example.com" }), origin)).toBe(false);
    expect(isSameOriginRequest("DELETE", h({ origin: "null" }), origin)).toBe(false);
    expect(isSameOriginRequest("POST", h({ "sec-fetch-site": "cross-site" }), origin)).toBe(false);
    expect(isSameOriginRequest("POST", h({ "sec-fetch-site": "same-origin" }), origin)).toBe(true);
  });
});

describe("return paths", () => {
  it("only accept same-site paths", () => {
    expect(safeReturnPath("/settings/sessions?x=1")).toBe("/settings/sessions?x=1");
    for (const bad of ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", undefined, 5, "/\u0000x"]) {
      expect(safeReturnPath(bad)).toBe("/");
    }
  });
});

describe("request bodies", () => {
  const post = (body: string, type = "application/json") =>
    new Request("http://localhost/api", { method: "POST", body, headers: { "content-type": type } });

  it("parse JSON and forms (checkboxes become booleans)", async () => {
    expect(await readBody(post('{"a":1}'))).toEqual({ data: { a: 1 }, form: false });
    expect(await readBody(post("username=a&rememberMe=on", "application/x-www-form-urlencoded"))).toEqual({
      data: { username: "a", rememberMe: true },
      form: true,
    });
  });

  it("refuse malformed JSON (400), huge bodies (413) and other media types (415)", async () => {
    await expect(readBody(post("{nope"))).rejects.toMatchObject({ status: 400, code: "malformed_json" });
    await expect(readBody(post("x".repeat(MAX_BODY_BYTES + 1)))).rejects.toMatchObject({ status: 413 });
    await expect(readBody(post("a", "text/plain"))).rejects.toBeInstanceOf(ApiError);
    await expect(readBody(post("a", "text/plain"))).rejects.toMatchObject({ status: 415 });
  });
});
