import type { Config } from "../config";
import type { EndReason } from "./end-reasons";

const DAY_MS = 24 * 60 * 60 * 1000;

/** lastActiveAt/expiresAt are written at most this often per session, not on every request. */
export const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

/**
 * A session used from another address or browser is written sooner, but not more often than this:
 * a client alternating IPv4 and IPv6, or two browsers sharing a cookie, would otherwise write on
 * every request. Each place is still recorded at its next request after the interval.
 */
export const MOVED_WRITE_MIN_INTERVAL_MS = 5_000;

type ExpiryConfig = Pick<Config, "timeoutDays" | "rememberDays" | "maxDays">;

/** Idle window: SESSION_REMEMBER_DAYS with Remember Me, SESSION_TIMEOUT_DAYS without. */
export const idleWindowMs = (config: ExpiryConfig, rememberMe: boolean) =>
  (rememberMe ? config.rememberDays : config.timeoutDays) * DAY_MS;

const earlier = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);

export function initialExpiry(config: ExpiryConfig, rememberMe: boolean, now: Date) {
  const absoluteExpiresAt = new Date(now.getTime() + config.maxDays * DAY_MS);
  const expiresAt = earlier(new Date(now.getTime() + idleWindowMs(config, rememberMe)), absoluteExpiresAt);
  return { expiresAt, absoluteExpiresAt };
}

type Timed = { rememberMe: boolean; lastActiveAt: Date; expiresAt: Date; absoluteExpiresAt: Date };

/** Why the session is no longer valid at `now`, or null while it is. */
export function expiryReason(session: Timed, now: Date): EndReason | null {
  if (now.getTime() >= session.absoluteExpiresAt.getTime()) return "max-age";
  if (now.getTime() >= session.expiresAt.getTime()) return "expired";
  return null;
}

/**
 * Sliding expiry: the new lastActiveAt/expiresAt to write, or null when the last write is recent
 * enough: less than ACTIVITY_WRITE_INTERVAL_MS ago, or MOVED_WRITE_MIN_INTERVAL_MS when the session
 * is used from somewhere new (`moved`). Never extends past the absolute cap.
 */
export function slideExpiry(config: ExpiryConfig, session: Timed, now: Date, moved = false) {
  const interval = moved ? MOVED_WRITE_MIN_INTERVAL_MS : ACTIVITY_WRITE_INTERVAL_MS;
  if (now.getTime() - session.lastActiveAt.getTime() < interval) return null;
  return {
    lastActiveAt: now,
    expiresAt: earlier(new Date(now.getTime() + idleWindowMs(config, session.rememberMe)), session.absoluteExpiresAt),
  };
}
