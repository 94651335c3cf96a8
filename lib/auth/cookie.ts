import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import { isSessionToken } from "./token";

/**
 * The session cookie carries `<token>.<p|s>.<hmac>`: the token, whether it is persistent (Remember
 * Me), and an HMAC-SHA256 over both under DASHBOARD_SECRET. Signed, not sealed: the token is
 * already a random secret, and an HMAC costs ≈2 µs where an iron-session unseal costs ≈400 µs.
 * The first secret signs; every secret in the list verifies (rotation).
 */
export type SessionCookie = { token: string; persistent: boolean };

const signingKeys = new WeakMap<Config, Buffer[]>();

// Derive a dedicated key per secret so the cookie MAC never shares key material with other uses.
function keysFor(config: Config): Buffer[] {
  let keys = signingKeys.get(config);
  if (!keys) {
    keys = config.secrets.map((secret) => createHmac("sha256", secret).update("sessionboard:session-cookie").digest());
    signingKeys.set(config, keys);
  }
  return keys;
}

const mac = (key: Buffer, payload: string) => createHmac("sha256", key).update(payload).digest();

export function encodeSessionCookie(config: Config, cookie: SessionCookie): string {
  const payload = `${cookie.token}.${cookie.persistent ? "p" : "s"}`;
  return `${payload}.${mac(keysFor(config)[0], payload).toString("base64url")}`;
}

/** Returns null for anything not signed by a current secret — without touching the database. */
export function decodeSessionCookie(config: Config, value: string | undefined): SessionCookie | null {
  if (!value || value.length > 200) return null;
  const parts = value.split(".");
  if (parts.length !== 3) return null;
  const [token, flag, signature] = parts;
  if (!isSessionToken(token) || (flag !== "p" && flag !== "s")) return null;
  const given = Buffer.from(signature, "base64url");
  if (given.length !== 32) return null;
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
