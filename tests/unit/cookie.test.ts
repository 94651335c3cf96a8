import { describe, expect, it } from "vitest";
import { decodeSessionCookie, encodeSessionCookie, sessionCookieName, sessionCookieOptions, VERIFIED_COOKIES_KEPT, verifiedCookiesKept } from "@/lib/sessions/cookie";
import { generateSessionToken, hashSessionToken } from "@/lib/sessions/token";
import { SECRET_A, SECRET_B, testConfig } from "./helpers";

describe("session cookie", () => {
  const token = generateSessionToken();

  it("round-trips the token and the Remember Me flag", () => {
    const config = testConfig();
    const tokenHash = hashSessionToken(token);
    expect(decodeSessionCookie(config, encodeSessionCookie(config, { token, persistent: true }))).toEqual({ token, persistent: true, tokenHash });
    expect(decodeSessionCookie(config, encodeSessionCookie(config, { token, persistent: false }))).toEqual({ token, persistent: false, tokenHash });
  });

  it("rejects garbage and tampering without a database", () => {
    const config = testConfig();
    const value = encodeSessionCookie(config, { token, persistent: false });
    // Verified first: a cookie that verified must not make its tampered copies pass.
    expect(decodeSessionCookie(config, value)?.token).toBe(token);
    const [t, , sig] = value.split(".");
    for (const bad of [undefined, "", "garbage", "a.b.c", `${t}.p.${sig}`, `${t.replace(/^./, t[0] === "a" ? "b" : "a")}.s.${sig}`, `${value}x`, "x".repeat(500)]) {
      expect(decodeSessionCookie(config, bad)).toBeNull();
    }
  });

  it("accepts only the exact format: junk around the signature or a second spelling of it is refused", () => {
    const config = testConfig();
    const value = encodeSessionCookie(config, { token, persistent: true });
    expect(value).toMatch(/^[0-9a-f]{64}\.p\.[A-Za-z0-9_-]{43}$/);
    expect(decodeSessionCookie(config, value)?.token).toBe(token);
    const [t, flag, sig] = value.split(".");
    // The signature's last character carries 2 unused bits: three other characters decode to the same bytes.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(sig[42]);
    const sameBytes = alphabet[(last & ~3) | ((last + 1) & 3)];
    expect(Buffer.from(`${sig.slice(0, 42)}${sameBytes}`, "base64url")).toEqual(Buffer.from(sig, "base64url"));
    for (const bad of [
      `${value}!`,
      `${value}=`,
      `${value} `,
      `${t}.${flag}.${sig.slice(0, 20)}!${sig.slice(20)}`,
      `${t}.${flag}.${Buffer.from(sig, "base64url").toString("base64")}`,
      `${t}.${flag}.${sig.slice(0, 42)}${sameBytes}`,
      `${t.toUpperCase()}.${flag}.${sig}`,
      ` ${value}`,
    ]) {
      expect(decodeSessionCookie(config, bad), bad).toBeNull();
    }
    expect(decodeSessionCookie(config, value)).toMatchObject({ token, persistent: true });
  });

  it("remembers only cookies that verified, under the configuration they verified with, and a bounded number of them", () => {
    const config = testConfig({ DASHBOARD_SECRET: SECRET_A });
    const value = encodeSessionCookie(config, { token, persistent: true });
    expect(decodeSessionCookie(config, `${value.slice(0, -1)}${value.endsWith("A") ? "B" : "A"}`)).toBeNull();
    expect(verifiedCookiesKept(config)).toBe(0);
    const first = decodeSessionCookie(config, value);
    expect(decodeSessionCookie(config, value)).toBe(first);
    expect(verifiedCookiesKept(config)).toBe(1);
    // Another secret: what verified under the first configuration counts for nothing here.
    expect(decodeSessionCookie(testConfig({ DASHBOARD_SECRET: SECRET_B }), value)).toBeNull();
    for (let i = 0; i < VERIFIED_COOKIES_KEPT + 5; i++) {
      decodeSessionCookie(config, encodeSessionCookie(config, { token: generateSessionToken(), persistent: false }));
    }
    expect(verifiedCookiesKept(config)).toBe(VERIFIED_COOKIES_KEPT);
    // Pushed out, the first one still verifies: it only costs its MAC again.
    expect(decodeSessionCookie(config, value)).toEqual(first);
    expect(decodeSessionCookie(config, value)).not.toBe(first);
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
