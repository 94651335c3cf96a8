import { pageMessage } from "@/lib/errors";
import { safeReturnPath } from "@/lib/request/return-path";
import { usernameFilter } from "@/lib/validation/admin";

/** The query parameters that open a confirmation panel on the admin pages. */
export const CONFIRM_PARAMS = ["confirm", "confirmUser", "confirmAll", "confirmDisable", "confirmFilter"] as const;

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
  if (!Number.isSafeInteger(count) || count < 0 || (params.done !== "session" && params.done !== "all" && params.done !== "filtered" && params.done !== "resent" && !user)) return null;
  switch (params.done) {
    case "session":
      return "Session revoked. That browser is signed out at its next request.";
    case "user":
      return `Revoked ${plural(count, "session")} of ${user}. Those browsers are signed out at their next request.`;
    case "all":
      return `Revoked ${plural(count, "session")}: everyone is signed out at their next request.`;
    case "filtered":
      return `Revoked ${plural(count, "session")} matching the filters. Those browsers are signed out at their next request.`;
    case "disabled":
      return `${user} is disabled: ${plural(count, "session")} ended, and sign-ins are refused until you enable the account.`;
    case "enabled":
      return `${user} is enabled and can sign in again.`;
    case "resent":
      return "The event is queued to be sent again now.";
    default:
      return null;
  }
}

/** What the admin pages say for the error code outcomeUrl wrote (a code it cannot word reads as invalid input). */
export const outcomeError = (code: string) => pageMessage(code) ?? pageMessage("invalid_input");
