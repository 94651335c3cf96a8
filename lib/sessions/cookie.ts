import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import { purposeKeys } from "../secret-keys";
import { hashSessionToken, SESSION_TOKEN_PATTERN } from "./token";

/**
 * The session cookie carries `<token>.<p|s>.<hmac>`: the token, whether it is persistent (Remember
 * Me), and an HMAC-SHA256 over both under DASHBOARD_SECRET. Signed, not sealed: the token is
 * already a random secret, and an HMAC costs ≈2 µs where an iron-session unseal costs ≈400 µs.
 * The first secret signs; every secret in the list verifies (rotation).
 */
export type SessionCookie = { token: string; persistent: boolean };
/** A cookie that verified, with the hash its session is stored under. */
export type VerifiedCookie = SessionCookie & { tokenHash: string };

const keysFor = (config: Config) => purposeKeys(config, "sessionboard:session-cookie");

const mac = (key: Buffer, payload: string) => createHmac("sha256", key).update(payload).digest();

export function encodeSessionCookie(config: Config, cookie: SessionCookie): string {
  const payload = `${cookie.token}.${cookie.persistent ? "p" : "s"}`;
  return `${payload}.${mac(keysFor(config)[0], payload).toString("base64url")}`;
}

/**
 * Exactly what encodeSessionCookie writes: the token, the flag and the 32-byte MAC in unpadded
 * base64url. Checked before decoding, because Buffer.from(…, "base64url") skips characters it does
 * not know, so junk after or inside the signature would otherwise still verify.
 */
const COOKIE_FORMAT = new RegExp(`^(${SESSION_TOKEN_PATTERN})\\.([ps])\\.([A-Za-z0-9_-]{43})$`);

/**
 * The cookies that verified, per configuration, with their token's hash. A browser sends the same
 * cookie at every request, and a MAC that verified once verifies for as long as the secrets stay
 * (they are read once, at start-up). Measured in a running server, the MAC, its base64url and the
 * token's SHA-256 cost ≈ 40 µs of each session check there (≈ 4 µs in a loop: between requests,
 * Next's own work evicts theirs from the CPU's caches); a look-up here costs ≈ 1 µs. Only cookies
 * that verified go in, so a forged one always meets the MAC. Not a cache of sessions: the row is
 * read at every request, and a revoked session ends at its next one.
 */
const verifiedCookies = new WeakMap<Config, Map<string, VerifiedCookie>>();
/** A few MB at most: the oldest entry leaves first, and only costs its next request a MAC again. */
export const VERIFIED_COOKIES_KEPT = 10_000;

/** Returns null for anything not signed by a current secret — without touching the database. */
export function decodeSessionCookie(config: Config, value: string | undefined): VerifiedCookie | null {
  if (value === undefined) return null;
  let verified = verifiedCookies.get(config);
  const known = verified?.get(value);
  if (known) return known;
  const cookie = verifySessionCookie(config, value);
  if (!cookie) return null;
  if (!verified) verifiedCookies.set(config, (verified = new Map()));
  if (verified.size >= VERIFIED_COOKIES_KEPT) verified.delete(verified.keys().next().value as string);
  const entry = Object.freeze({ ...cookie, tokenHash: hashSessionToken(cookie.token) });
  verified.set(value, entry);
  return entry;
}

/** How many verified cookies are kept for `config` (bounded by VERIFIED_COOKIES_KEPT). */
export const verifiedCookiesKept = (config: Config) => verifiedCookies.get(config)?.size ?? 0;

function verifySessionCookie(config: Config, value: string): SessionCookie | null {
  const match = COOKIE_FORMAT.exec(value);
  if (!match) return null;
  const [, token, flag, signature] = match;
  const given = Buffer.from(signature, "base64url");
  // 43 characters carry 258 bits for 256: only the one spelling the encoder writes is accepted.
  if (given.toString("base64url") !== signature) return null;
  const payload = `${token}.${flag}`;
  for (const key of keysFor(config)) {
    if (timingSafeEqual(mac(key, payload), given)) return { token, persistent: flag === "p" };
  }
  return null;
}

export const isSecureDeployment = (config: Config) => config.publicUrl.protocol === "https:";

/** `__Host-` on https: the browser then refuses a Domain attribute and insists on Secure and Path=/. */
export const sessionCookieName = (config: Config) =>
  isSecureDeployment(config) ? "__Host-session_token" : "session_token";

export type CookieOptions = {
  httpOnly: true;
  sameSite: "lax";
  path: "/";
  secure: boolean;
  maxAge?: number;
};

/** The one place that decides the session cookie's attributes. */
export function sessionCookieOptions(config: Config, persistent: boolean): CookieOptions {
  return {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: isSecureDeployment(config),
    // Remember Me: a persistent cookie lasting as long as the idle window; otherwise it dies
    // with the browser session.
    ...(persistent ? { maxAge: config.rememberDays * 24 * 60 * 60 } : {}),
  };
}

export function expiredSessionCookieOptions(config: Config): CookieOptions {
  return { ...sessionCookieOptions(config, false), maxAge: 0 };
}

/** Where a cookie is set: a route's `response.cookies`, or `cookies()` in a server action. */
export type CookieJar = { set(name: string, value: string, options: CookieOptions): unknown };

export function setSessionCookie(jar: CookieJar, config: Config, cookie: SessionCookie): void {
  jar.set(sessionCookieName(config), encodeSessionCookie(config, cookie), sessionCookieOptions(config, cookie.persistent));
}

export function clearSessionCookie(jar: CookieJar, config: Config): void {
  jar.set(sessionCookieName(config), "", expiredSessionCookieOptions(config));
}
