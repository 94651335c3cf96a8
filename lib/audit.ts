import { createHash } from "node:crypto";
import { generateId } from "./sessions/token";
import type { Config } from "./config";
import type { Database } from "./db";
import { clientBlock } from "./net/cidr";
import { plainText } from "./validation/text";

/** Every kind of audit event, once: what is recorded, and what the events page and API filter by. */
export const AUTH_EVENT_TYPES = [
  "login.succeeded",
  "login.failed",
  "logout",
  "session.expired",
  "session.key_changed",
  "session.revoked",
  /** A bulk revocation ("force logout all"): one event whose count says how many sessions ended. */
  "sessions.revoked_all",
  /** A bulk revocation by the Admin Panel's filters: one event, the filters in words and the count. */
  "sessions.bulk_revoked",
  /** A cleanup run: count = expired rows deleted. */
  "sessions.cleaned",
  "user.disabled",
  "user.enabled",
  /** A new SSO account could not have the username its claims suggested (taken, or reserved for an admin). */
  "sso.username_conflict",
  /** The groups claim at an SSO re-check (a refresh) changed the user's role. */
  "sso.role_changed",
  /** An operator bound an existing account to an SSO subject (CLI link-sso). */
  "user.sso_linked",
  /** A destructive admin action's re-authentication succeeded: the session's token was replaced. */
  "session.reauthenticated",
  /** A wrong key (or too many) at the re-authentication prompt. */
  "reauth.failed",
  /** Its owner said a new-device sign-in was not them ("Sign it out", or the mailed link): the session was revoked. */
  "session.reported",
] as const;

export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

/**
 * An event's detail is at most this long. Details quote what others sent (an identity provider's
 * error, a filter, a reason), so every one is stored as one clean line (plainText): the events page,
 * the CSV export and PostgreSQL (which refuses NUL) all take it as it is.
 */
export const AUDIT_DETAIL_MAX_LENGTH = 1000;

export type AuthEventInput = {
  type: AuthEventType;
  username?: string | null;
  userId?: string | null;
  /** The session's public id — never its token or hash. */
  sessionId?: string | null;
  authMethod?: "static" | "oidc" | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Who caused it: an Actor's username (lib/actor.ts). */
  actor?: string | null;
  detail?: string | null;
  /** How many sessions the event stands for (1 for a single session's end; N for bulk events). */
  count?: number | null;
  at?: Date;
};

export async function recordAuthEvent(db: Database, event: AuthEventInput): Promise<void> {
  await db.prisma.authEvent.create({ data: authEventRow(event) });
}

/** The row for one event; for writes that must land in the same transaction as what they record. */
export function authEventRow(event: AuthEventInput) {
  return {
    id: generateId(),
    at: event.at ?? new Date(),
    type: event.type,
    username: event.username ?? null,
    userId: event.userId ?? null,
    sessionId: event.sessionId ?? null,
    authMethod: event.authMethod ?? null,
    ip: event.ip ?? null,
    userAgent: event.userAgent ?? null,
    actor: event.actor ?? null,
    detail: event.detail == null ? null : plainText(event.detail, AUDIT_DETAIL_MAX_LENGTH),
    count: event.count ?? null,
  };
}

/**
 * A failure nobody is signed in for (a failed sign-in, an SSO callback with a made-up error). Anyone
 * can send those, so one row per client address and window (DASHBOARD_LOGIN_WINDOW_MINUTES) stands
 * for all of them: the first failure's row, with its reason, whose count grows. A flood then costs
 * one row per address and window; what signed-in people do stays one event each.
 */
export async function recordAnonymousFailure(
  db: Database,
  config: Pick<Config, "loginLimits">,
  event: Omit<AuthEventInput, "type" | "count"> & { at: Date },
): Promise<void> {
  const windowMs = config.loginLimits.windowMinutes * 60_000;
  const windowStart = Math.floor(event.at.getTime() / windowMs) * windowMs;
  // The row's id names the client (its address, or its IPv6 /64: clientBlock) and window, so every
  // replica adds to the same row, and a host's many IPv6 addresses to one.
  const client = event.ip ? clientBlock(event.ip) : "-";
  const id = `f${createHash("sha256").update(`login.failed\n${client}\n${windowStart}`).digest("base64url").slice(0, 21)}`;
  const row = authEventRow({ ...event, type: "login.failed", count: 1 });
  await db.prisma.$executeRaw`
    INSERT INTO "AuthEvent" ("id", "at", "type", "username", "userId", "sessionId", "authMethod", "ip", "userAgent", "actor", "detail", "count")
    VALUES (${id}, ${row.at}, ${row.type}, ${row.username}, ${row.userId}, ${row.sessionId}, ${row.authMethod}, ${row.ip}, ${row.userAgent},
            ${row.actor}, ${row.detail}, 1)
    ON CONFLICT ("id") DO UPDATE SET "count" = "AuthEvent"."count" + 1`;
}

export type SessionEvent = { id: string; at: Date; type: string; actor: string | null; detail: string | null };

/**
 * The audit events of one session, newest first. AuthEvent has no index on sessionId; every event
 * about a session carries its owner's username, so the [username, at] index bounds the read to the
 * owner's events since the session began.
 */
export async function listSessionEvents(
  db: Database,
  session: { id: string; username: string; since: Date },
  limit = 50,
): Promise<SessionEvent[]> {
  return db.prisma.authEvent.findMany({
    where: { username: session.username, at: { gte: session.since }, sessionId: session.id },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: limit,
    select: { id: true, at: true, type: true, actor: true, detail: true },
  });
}
