import { describe, expect, it } from "vitest";
import { decodeSessionCookie, encodeSessionCookie, sessionCookieName, sessionCookieOptions } from "@/lib/auth/cookie";
import { generateSessionToken } from "@/lib/auth/token";
import { SECRET_A, SECRET_B, testConfig } from "./helpers";

describe("session cookie", () => {
  const token = generateSessionToken();

  it("round-trips the token and the Remember Me flag", () => {
    const config = testConfig();
    expect(decodeSessionCookie(config, encodeSessionCookie(config, { token, persistent: true }))).toEqual({ token, persistent: true });
    expect(decodeSessionCookie(config, encodeSessionCookie(config, { token, persistent: false }))).toEqual({ token, persistent: false });
  });

  it("rejects garbage and tampering without a database", () => {
    const config = testConfig();
    const value = encodeSessionCookie(config, { token, persistent: false });
    const [t, , sig] = value.split(".");
    for (const bad of [undefined, "", "garbage", "a.b.c", `${t}.p.${sig}`, `${t.replace(/^./, t[0] === "a" ? "b" : "a")}.s.${sig}`, `${value}x`, "x".repeat(500)]) {
      expect(decodeSessionCookie(config, bad)).toBeNull();
    }
  });

  it("keeps verifying under a rotated secret list and stops once the old secret is removed", () => {
    const old = testConfig({ DASHBOARD_SECRET: SECRET_A });
    const value = encodeSessionCookie(old, { token, persistent: true });
    const rotated = testConfig({ DASHBOARD_SECRET: `${SECRET_B},${SECRET_A}` });
    expect(decodeSessionCookie(rotated, value)?.token).toBe(token);
    // New cookies are signed with the first secret and survive dropping the old one.
    const fresh = encodeSessionCookie(rotated, { token, persistent: true });
    const dropped = testConfig({ DASHBOARD_SECRET: SECRET_B });
    expect(decodeSessionCookie(dropped, value)).toBeNull();
    expect(decodeSessionCookie(dropped, fresh)?.token).toBe(token);
  });

  it("is HttpOnly, SameSite=Lax, Path=/, Secure and __Host- on https, persistent only with Remember Me", () => {
    const http = testConfig();
    expect(sessionCookieName(http)).toBe("session_token");
    expect(sessionCookieOptions(http, false)).toEqual({ httpOnly: true, sameSite: "lax", path: "/", secure: false });
    expect(sessionCookieOptions(http, true).maxAge).toBe(30 * 24 * 3600);
    const https = testConfig({ DASHBOARD_URL: "https://sessions.example.com" });
    expect(sessionCookieName(https)).toBe("__Host-session_token");
    expect(sessionCookieOptions(https, false).secure).toBe(true);
  });
});
