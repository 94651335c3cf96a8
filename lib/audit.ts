import { generateId } from "./auth/token";
import type { Database } from "./db";

export type AuthEventType =
  | "login.succeeded"
  | "login.failed"
  | "logout"
  | "session.expired"
  | "session.revoked"
  | "session.key_changed"
  /** A bulk revocation ("force logout all"): one event whose count says how many sessions ended. */
  | "sessions.revoked_all"
  /** A cleanup run: count = expired rows deleted. */
  | "sessions.cleaned"
  | "user.disabled"
  | "user.enabled"
  /** A new SSO account could not have the username its claims suggested (taken, or reserved for an admin). */
  | "sso.username_conflict"
  /** An operator bound an existing account to an SSO subject (CLI link-sso). */
  | "user.sso_linked"
  /** A destructive admin action's re-authentication succeeded: the session's token was replaced. */
  | "session.reauthenticated"
  /** A wrong key (or too many) at the re-authentication prompt. */
  | "reauth.failed";

export type AuthEventInput = {
  type: AuthEventType;
  username?: string | null;
  userId?: string | null;
  /** The session's public id — never its token or hash. */
  sessionId?: string | null;
  authMethod?: "static" | "oidc" | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Who caused it: the username of a person, or "system" / "cli". */
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
    detail: event.detail ?? null,
    count: event.count ?? null,
  };
}
