/** Why a session stopped working, and what /login tells the person about it. */
export const END_REASONS = {
  expired: "Session expired due to inactivity",
  "max-age": "Your session reached its maximum length. Please sign in again.",
  revoked: "Your session was revoked",
  "key-changed": "The sign-in key changed",
  disabled: "Your account has been disabled. Ask an administrator to enable it.",
  ended: "Your session has ended. Please sign in again.",
} as const;

export type EndReason = keyof typeof END_REASONS;

export const isEndReason = (value: unknown): value is EndReason =>
  typeof value === "string" && Object.hasOwn(END_REASONS, value);
