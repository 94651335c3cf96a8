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
  /** The identity provider refused the session's refresh (invalid_grant: user disabled, consent revoked, ended there; or any other refusal, invalid_client say). */
  idp_revoked: "idp-revoked",
  /** The identity provider could not be reached for longer than DASHBOARD_OIDC_RECHECK_GRACE_MINUTES. */
  idp_unreachable: "idp-unconfirmed",
} as const satisfies Record<string, EndReason>;

export type SessionEndCause = keyof typeof SESSION_END_CAUSES;

/**
 * The revokeReason the SSO re-check stores on a row it revokes, per cause (the words an admin
 * reads; the cause itself is stored as endReason).
 */
export const IDP_RECHECK_REASONS = {
  idp_revoked: "the identity provider refused the refresh",
  idp_unreachable: "the identity provider could not be reached within the grace period",
} as const satisfies Partial<Record<SessionEndCause, string>>;

export const SESSION_END_CAUSE_CODES = Object.keys(SESSION_END_CAUSES) as [SessionEndCause, ...SessionEndCause[]];

export const isSessionEndCause = (value: unknown): value is SessionEndCause =>
  typeof value === "string" && Object.hasOwn(SESSION_END_CAUSES, value);

/** Which limit an expired session met first, in SQL for the statements that mark expiries in bulk (both backends; as sessionEnd in present.ts). */
export const EXPIRY_CAUSE_SQL = `CASE WHEN "absoluteExpiresAt" <= "expiresAt" THEN 'expired_absolute' ELSE 'expired_idle' END`;

/**
 * What /login tells the device of an ended row: its cause's words; "revoked" for rows ended before
 * causes were stored.
 */
export const endReasonOfCause = (code: string | null): EndReason => (isSessionEndCause(code) ? SESSION_END_CAUSES[code] : "revoked");

/**
 * The columns every end of a session writes, once (each end path updates only rows whose revokedAt
 * is still null): when it ended (revokedAt), who ended it (revokedBy: a username, or system, idp,
 * cli, email-link), what ended it (endReason) and, for revocations, the words given (revokeReason).
 * Cleanup deletes the row SESSION_HISTORY_DAYS after revokedAt.
 */
export const endedColumns = (end: { cause: SessionEndCause; by: string; at: Date; reason?: string | null }) => ({
  revokedAt: end.at,
  revokedBy: end.by,
  endReason: end.cause,
  revokeReason: end.reason ?? null,
});
