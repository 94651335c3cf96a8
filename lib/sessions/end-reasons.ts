/** Why a session stopped working, and what /login tells the person about it. */
export const END_REASONS = {
  expired: "Session expired due to inactivity",
  "max-age": "Your session reached its maximum length. Please sign in again.",
  revoked: "Your session was revoked",
  "key-changed": "The sign-in key changed",
  disabled: "Your account has been disabled. Ask an administrator to enable it.",
  ended: "Your session has ended. Please sign in again.",
  "idp-revoked": "Your identity provider ended this session",
  "idp-unconfirmed": "Your identity provider could not be reached to confirm this session. Please sign in again.",
} as const;

export type EndReason = keyof typeof END_REASONS;

export const isEndReason = (value: unknown): value is EndReason =>
  typeof value === "string" && Object.hasOwn(END_REASONS, value);

/**
 * What ended a session, in finer words than the login page needs: one machine code per cause, each
 * with the END_REASONS entry the person is shown when their browser next presents the session. The
 * metrics label ended sessions with these codes.
 */
export const SESSION_END_CAUSES = {
  /** The person logged out. */
  logout: "ended",
  /** The owner revoked this one session from another of theirs. */
  revoked_by_user: "revoked",
  /** An admin (or the operator CLI) revoked this one session. */
  revoked_by_admin: "revoked",
  /** Ended in bulk: "Sign out all other sessions", all of a user's by an admin, or everyone's. */
  revoked_all: "revoked",
  /** Idle past SESSION_TIMEOUT_DAYS / SESSION_REMEMBER_DAYS, noticed at its next request. */
  expired_idle: "expired",
  /** Past SESSION_MAX_DAYS since sign-in, noticed at its next request. */
  expired_absolute: "max-age",
  /** A static-key session whose key is no longer configured, noticed at its next request. */
  key_changed: "key-changed",
  /** Its user was disabled. */
  disabled: "disabled",
  /** The identity provider's back-channel logout. */
  idp_logout: "revoked",
  /** A newer sign-in pushed it over SESSION_MAX_PER_USER. */
  per_user_limit: "revoked",
  /** The identity provider refused the session's refresh (invalid_grant: user disabled, consent revoked, ended there). */
  idp_revoked: "idp-revoked",
  /** The identity provider could not be reached for longer than DASHBOARD_OIDC_RECHECK_GRACE_MINUTES. */
  idp_unreachable: "idp-unconfirmed",
} as const satisfies Record<string, EndReason>;

export type SessionEndCause = keyof typeof SESSION_END_CAUSES;

/**
 * The revokeReason the SSO re-check stores on a row it revokes, per cause: how the session check
 * tells these revocations (by the "idp" actor) apart and shows their own message.
 */
export const IDP_RECHECK_REASONS = {
  idp_revoked: "the identity provider refused the refresh",
  idp_unreachable: "the identity provider could not be reached within the grace period",
} as const satisfies Partial<Record<SessionEndCause, string>>;

/** What the person is told about a revoked row: the re-check's own words, or "revoked". */
export function revokedEndReason(row: { revokedBy: string | null; revokeReason: string | null }, idpActor: string): EndReason {
  if (row.revokedBy === idpActor) {
    for (const [cause, reason] of Object.entries(IDP_RECHECK_REASONS) as [keyof typeof IDP_RECHECK_REASONS, string][]) {
      if (row.revokeReason === reason) return SESSION_END_CAUSES[cause];
    }
  }
  return "revoked";
}
