import type { PendingForceLogout } from "./sessions/active";

/**
 * Who acts, once: a signed-in person (with the session they act from), the operator CLI, or the
 * product itself — "system" (session limit, expiry, cleanup) and "idp" (the identity provider's
 * back-channel logout). Its username is what a revoked row's revokedBy and the audit trail's actor
 * record.
 */
export type Actor = { username: string; sessionId: string | null };

export const CLI_ACTOR: Actor = { username: "cli", sessionId: null };
export const SYSTEM_ACTOR: Actor = { username: "system", sessionId: null };
export const IDENTITY_PROVIDER_ACTOR: Actor = { username: "idp", sessionId: null };
/** Whoever holds a mailed new-device alert's "This wasn't me" link (lib/alerts/report-link.ts). */
export const EMAIL_LINK_ACTOR: Actor = { username: "email-link", sessionId: null };

/**
 * A signed-in session, as the session check gives it: the person and the session they act from,
 * and the force logout in progress that the check read with it (null: none), which the request's
 * lists then use (absent where a caller builds a SignedIn itself: they read it).
 */
export type SignedIn = { user: { id: string; username: string }; session: { id: string }; forceLogout?: PendingForceLogout | null };

/** Who did something, in words for the pages: the product's own actors named, a person as they are. */
export function actorInWords(actor: string): string {
  switch (actor) {
    case CLI_ACTOR.username:
      return "the operator CLI";
    case SYSTEM_ACTOR.username:
      return "Sessionboard";
    case IDENTITY_PROVIDER_ACTOR.username:
      return "the identity provider";
    case EMAIL_LINK_ACTOR.username:
      return "the new-device email link";
    default:
      return actor;
  }
}

export const actorOf = (signedIn: SignedIn): Actor => ({ username: signedIn.user.username, sessionId: signedIn.session.id });
