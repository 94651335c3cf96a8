import { REAUTH_MESSAGES } from "../auth/freshness";
import { OIDC_FAILURE_MESSAGES } from "../auth/oidc";
import { safeReturnPath } from "../http/return-path";
import { usernameFilter } from "../validation/admin";

/** The query parameters that open a confirmation panel on the admin pages. */
export const CONFIRM_PARAMS = ["confirm", "confirmUser", "confirmAll", "confirmDisable"] as const;

/**
 * Where an admin action returns: the page it came from (only /admin/… paths), with the outcome in
 * the query. Success closes the confirmation; an error keeps it open so the admin can correct it.
 */
export function outcomeUrl(returnTo: unknown, outcome: { done?: string; count?: number; user?: string; error?: string }) {
  const url = new URL(safeReturnPath(returnTo, "/admin/sessions"), "http://sessionboard.invalid");
  if (!url.pathname.startsWith("/admin/")) url.pathname = "/admin/sessions";
  for (const name of ["done", "count", "error", "doneUser"]) url.searchParams.delete(name);
  if (!outcome.error) for (const name of CONFIRM_PARAMS) url.searchParams.delete(name);
  if (outcome.done) url.searchParams.set("done", outcome.done);
  if (outcome.count !== undefined) url.searchParams.set("count", String(outcome.count));
  if (outcome.user) url.searchParams.set("doneUser", outcome.user);
  if (outcome.error) url.searchParams.set("error", outcome.error);
  return url.pathname + url.search;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** What the admin pages say after an action, from the query outcomeUrl wrote (anything else says nothing). */
export function outcomeMessage(params: Record<string, string>): string | null {
  const count = Number(params.count ?? 0);
  const user = usernameFilter.safeParse(params.doneUser).data;
  if (!Number.isSafeInteger(count) || count < 0 || (params.done !== "session" && params.done !== "all" && !user)) return null;
  switch (params.done) {
    case "session":
      return "Session revoked. That browser is signed out at its next request.";
    case "user":
      return `Revoked ${plural(count, "session")} of ${user}. Those browsers are signed out at their next request.`;
    case "all":
      return `Revoked ${plural(count, "session")}: everyone is signed out at their next request.`;
    case "disabled":
      return `${user} is disabled: ${plural(count, "session")} ended, and sign-ins are refused until you enable the account.`;
    case "enabled":
      return `${user} is enabled and can sign in again.`;
    default:
      return null;
  }
}

export const ERROR_MESSAGES: Record<string, string> = {
  session_not_found: "That session is no longer active: it may have expired or been revoked already.",
  user_not_found: "There is no user with that name.",
  current_session: "This is the session you are using. Use Log out to end it.",
  reauthentication_required: "Your sign-in is not recent: confirm it is you first.",
  wrong_key: REAUTH_MESSAGES.wrong_key,
  rate_limited: REAUTH_MESSAGES.rate_limited,
  sso_reauthentication_failed: OIDC_FAILURE_MESSAGES.sso_reauthentication_failed,
  cannot_disable_self: "You cannot disable your own account.",
  confirmation_mismatch: 'Type "everyone" to confirm.',
  invalid_input: "That request was not valid.",
};
