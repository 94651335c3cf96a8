import { pageMessage } from "@/lib/errors";
import { withoutOutcome, type OutcomeParam } from "@/lib/http/outcome";
import { safeReturnPath } from "@/lib/request/return-path";
import { usernameFilter } from "@/lib/validation/admin";

/** The query parameters that open a confirmation panel on the admin pages. */
export const CONFIRM_PARAMS = ["confirm", "confirmUser", "confirmAll", "confirmDisable", "confirmFilter"] as const;

/**
 * What a refused confirmation's form gets back, by its field's name, under the query parameter
 * named here: the reason and the typed confirmation word, never the key.
 */
const KEPT_FIELDS = { reason: "keptReason", confirm: "keptConfirm" } as const satisfies Record<string, OutcomeParam>;
const KEPT_MAX_LENGTH = 500;


/** The ids the admin pages give their confirmations (ConfirmPanel posts its own as `panel`). */
const PANEL_ID = /^confirm-[a-z]{1,20}$/;

/**
 * Where an admin action returns: the page it came from (only /admin/… paths), with the outcome in
 * the query. Success closes the confirmation; an error keeps it open, scrolled to (#its id), with
 * what was typed in it but the key, so the admin can correct it.
 */
export function outcomeUrl(returnTo: unknown, outcome: { done?: string; count?: number; user?: string; error?: string }, fields: Record<string, string> = {}) {
  const url = new URL(withoutOutcome(safeReturnPath(returnTo, "/admin/sessions")), "http://sessionboard.invalid");
  if (!url.pathname.startsWith("/admin/")) url.pathname = "/admin/sessions";
  if (!outcome.error) for (const name of CONFIRM_PARAMS) url.searchParams.delete(name);
  if (outcome.done) url.searchParams.set("done", outcome.done);
  if (outcome.count !== undefined) url.searchParams.set("count", String(outcome.count));
  if (outcome.user) url.searchParams.set("doneUser", outcome.user);
  if (!outcome.error) return url.pathname + url.search;
  url.searchParams.set("error", outcome.error);
  for (const [field, param] of Object.entries(KEPT_FIELDS)) {
    const typed = fields[field];
    if (typed && typed.length <= KEPT_MAX_LENGTH) url.searchParams.set(param, typed);
  }
  const panel = fields.panel && PANEL_ID.test(fields.panel) ? `#${fields.panel}` : "";
  return url.pathname + url.search + panel;
}

/** A refused confirmation, as its open panel shows it: the message, the field it is about, what was typed. */
export type PanelError = { message: string | null; field: "key" | "reason" | "confirm" | null; kept: { reason?: string; confirm?: string } };

/** The error outcomeUrl wrote into `params`, for the confirmation left open (null: none). */
export function panelError(params: Record<string, string>): PanelError | null {
  if (!params.error) return null;
  return {
    message: outcomeError(params.error),
    field: ERROR_FIELDS[params.error] ?? null,
    kept: { reason: params[KEPT_FIELDS.reason], confirm: params[KEPT_FIELDS.confirm] },
  };
}

/** The field each refusal is about. */
const ERROR_FIELDS: Partial<Record<string, PanelError["field"]>> = {
  wrong_key: "key",
  reauthentication_required: "key",
  reason_required: "reason",
  invalid_reason: "reason",
  confirmation_mismatch: "confirm",
};

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
