import { actorInWords } from "./actor";
import type { AuthEventType } from "./audit";

/**
 * The audit trail in words, once: what the pages call each event type (the type filter's options,
 * and the start of every event's line). The API, the CLI and the exports keep the codes.
 */
export const AUDIT_EVENT_WORDS = {
  "login.succeeded": "Signed in",
  "login.failed": "Sign-in failed",
  logout: "Signed out",
  "session.expired": "Session expired",
  "session.key_changed": "Sign-in key changed",
  "session.revoked": "Session revoked",
  "sessions.revoked_all": "Everyone signed out",
  "sessions.bulk_revoked": "Matching sessions revoked",
  "sessions.cleaned": "Ended sessions deleted",
  "user.disabled": "Account disabled",
  "user.enabled": "Account enabled",
  "sso.username_conflict": "SSO username unavailable",
  "sso.role_changed": "SSO role changed",
  "user.sso_linked": "Account linked to SSO",
  "session.reauthenticated": "Identity confirmed again",
  "reauth.failed": "Identity confirmation failed",
  "session.reported": "Reported as not them",
} as const satisfies Record<AuthEventType, string>;

/** Events that name who caused them ("… by alice"); the others are the person's own doing or the product's. */
const WITH_ACTOR = new Set<string>(["session.revoked", "sessions.revoked_all", "sessions.bulk_revoked", "user.disabled", "user.enabled"]);

/** What an expiry's detail (lib/sessions/sessions.ts) says, in brackets. */
const EXPIRY_WORDS: Record<string, string> = { "idle timeout": "idle", "absolute lifetime reached": "maximum length" };

/**
 * One event as a line on the pages: "Signed in", "Session revoked by alice", "Session expired (idle)".
 * Without an actor it names no one (where a column beside it does). A stored type this version does
 * not know (an older or newer one) shows as its code.
 */
export function auditEventWords(event: { type: string; actor?: string | null; detail?: string | null }): string {
  const words = (AUDIT_EVENT_WORDS as Record<string, string>)[event.type];
  if (words === undefined) return event.type;
  if (event.type === "session.expired") {
    const why = event.detail ? EXPIRY_WORDS[event.detail] : undefined;
    return why ? `${words} (${why})` : words;
  }
  if (WITH_ACTOR.has(event.type) && event.actor) return `${words} by ${actorInWords(event.actor)}`;
  return words;
}
