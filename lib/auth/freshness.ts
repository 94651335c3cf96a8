import type { Config } from "../config";
import { DomainError } from "../errors";
import { expectedKeyFor, keysMatch } from "./keys";

/** Whether a sign-in is recent enough for destructive actions without typing the key again. */
export const isFreshSignIn = (config: Config, signedInAt: Date, now = new Date()) =>
  now.getTime() - signedInAt.getTime() <= config.freshMinutes * 60_000;

/**
 * Destructive admin actions (revoke a whole user, everyone; disable a user) need a sign-in newer
 * than DASHBOARD_FRESH_MINUTES, or the admin's key typed again — a stolen, long-lived cookie alone
 * is not enough.
 */
export function assertFreshSignIn(
  config: Config,
  admin: { username: string; signedInAt: Date },
  typedKey: string | undefined,
  now = new Date(),
): void {
  if (isFreshSignIn(config, admin.signedInAt, now)) return;
  if (typedKey !== undefined && typedKey !== "" && keysMatch(typedKey, expectedKeyFor(config, admin.username).key)) return;
  throw new DomainError(
    "forbidden",
    typedKey ? "wrong_key" : "reauthentication_required",
    typedKey
      ? "That key is not right. Enter your admin key to confirm."
      : `You signed in more than ${config.freshMinutes} minutes ago: enter your admin key again to confirm.`,
  );
}
