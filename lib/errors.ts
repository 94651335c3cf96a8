import { END_REASONS, type EndReason } from "./sessions/end-reasons";
import { REASON_MAX_LENGTH } from "./validation/text";

/** Why server.mjs could not hand a request to the app. */
const BAD_REQUEST = {
  target: "The request target must be a path starting with /",
  encoding: "The address is not valid percent-encoded UTF-8",
  http: "The request is not valid HTTP",
} as const;

/**
 * Every error code the product answers with, once: its HTTP status, what the API (and the CLI)
 * says, and — where a page must word it differently (it cannot carry the details, or a person
 * needs other advice) — what pages say. Codes and statuses are part of the API: clients depend on
 * them (tests/unit/errors.test.ts pins them). `status: null` marks outcomes only pages show (the
 * single sign-on callback redirects to /login with them, an admin form names a refused field with
 * one); nothing throws those.
 */
export const ERRORS = {
  invalid_input: { status: 400, message: "That request was not valid." },
  reason_required: { status: 400, message: "Give a reason: it is recorded in the audit trail." },
  malformed_json: { status: 400, message: "Request body is not valid JSON" },
  malformed_body: { status: 400, message: "Request body is not valid UTF-8" },
  /** The client stopped sending (or hung up) before the body's end: usually no one is left to read it. */
  incomplete_body: { status: 400, message: "The request body ended before all of it arrived" },
  /** Answered by server.mjs, like bad_request. */
  malformed_router_state: { status: 400, message: "The Next-Router-State-Tree header is not one this dashboard's pages send" },
  malformed_form: { status: 400, message: "The posted form cannot be read: its body is not valid multipart/form-data (or, for a server action's arguments, a JSON array)" },
  /**
   * Answered by server.mjs (plain JavaScript, before Next), as are the other codes it writes
   * (tests/unit/errors.test.ts holds its copies to these words).
   */
  bad_request: { status: 400, message: (p: { problem: keyof typeof BAD_REQUEST }) => BAD_REQUEST[p.problem] },
  host_mismatch: { status: 400, message: "The Host header (or X-Forwarded-Host) must name this dashboard's address, as DASHBOARD_URL does" },
  invalid_logout_token: { status: 400, message: (p: { why: string }) => `Invalid logout token: ${p.why}` },
  unauthenticated: { status: 401, message: "Sign in to continue" },
  invalid_credentials: { status: 401, message: "Invalid username or key." },
  metrics_unauthorized: { status: 401, message: "Send the metrics token as Authorization: Bearer <token>" },
  session_ended: { status: 401, message: (p: { reason: EndReason }) => END_REASONS[p.reason] },
  forbidden: { status: 403, message: "Only administrators can do this" },
  cross_site_request: { status: 403, message: "Cross-site requests are not allowed" },
  account_disabled: { status: 403, message: END_REASONS.disabled },
  sso_account: { status: 403, message: "This account signs in with single sign-on. Use “Sign in with SSO”." },
  reauthentication_required: {
    status: 403,
    message: (p: { freshMinutes: number; via: "admin_key" | "identity_provider" }) =>
      `You signed in more than ${p.freshMinutes} minute${p.freshMinutes === 1 ? "" : "s"} ago: ${p.via === "admin_key" ? "enter your admin key again to confirm." : "confirm it is you at your identity provider first."}`,
    page: "Your sign-in is not recent: confirm it is you first.",
  },
  wrong_key: { status: 403, message: "That key is not right. Enter your admin key to confirm." },
  not_found: { status: 404, message: "There is nothing at this address" },
  session_not_found: { status: 404, message: "That session is no longer active: it may have expired or been revoked already." },
  user_not_found: { status: 404, message: "There is no user with that name." },
  alert_not_found: { status: 404, message: "That alert is no longer open: it may have been dismissed or reported already." },
  report_link_invalid: { status: 404, message: "That link is not valid, or it has expired." },
  sso_not_configured: { status: 404, message: "Single sign-on is not configured on this server." },
  method_not_allowed: {
    status: 405,
    // CONNECT: nothing is allowed with its target, so no Allow list to name.
    message: (p: { method: string; allow: string }) =>
      p.allow ? `${p.method} is not allowed here; this address accepts ${p.allow}` : `${p.method} is not allowed: this server is not a proxy`,
  },
  current_session: { status: 409, message: "This is the session you are using. Use Log out to end it." },
  report_link_used: { status: 409, message: "That link was already used: the sign-in it named has been signed out." },
  cannot_disable_self: { status: 409, message: "You cannot disable your own account." },
  webhook_delivery_busy: { status: 409, message: "That delivery is being sent right now; try again in a moment." },
  webhook_delivery_not_found: { status: 404, message: "There is no such webhook delivery (finished ones are kept 30 days)." },
  confirmation_mismatch: { status: 409, message: 'Type "everyone" to confirm.' },
  count_changed: {
    status: 409,
    message: (p: { count: number; confirmed: number }) =>
      `Nothing was revoked: ${p.count} ${p.count === 1 ? "session matches" : "sessions match"} these filters now, not the ${p.confirmed} you confirmed. Look at them again and confirm the new count.`,
    page: "Nothing was revoked: the number of matching sessions changed since you looked. Check the list and confirm again.",
  },
  sso_account_conflict: {
    status: 409,
    message: (p: { owner: string }) => `That single sign-on subject already has its own account (${p.owner}).`,
    page: "No account could be set up for this single sign-on identity. Ask an administrator.",
  },
  request_timeout: { status: 408, message: "The request took too long to arrive" },
  payload_too_large: { status: 413, message: (p: { maxBytes: number }) => `Request body must be at most ${p.maxBytes} bytes` },
  unsupported_media_type: { status: 415, message: (p: { accepted: string }) => `Send ${p.accepted}` },
  rate_limited: { status: 429, message: tooManyAttempts, page: tooManyAttempts },
  headers_too_large: { status: 431, message: "The request headers are too large" },
  internal_error: { status: 500, message: "Something went wrong" },
  database_unavailable: { status: 503, message: "The session database is unavailable. Try again shortly." },
  sso_unavailable: {
    status: 503,
    message: "Single sign-on is unavailable right now (the identity provider did not answer). Sign in with a key, or try again shortly.",
  },
  sso_cancelled: { status: null, message: "Single sign-on was cancelled." },
  sso_expired: { status: null, message: "That sign-in took too long or was already used. Please start again." },
  sso_state: { status: null, message: "That sign-in response did not match this browser. Please start again." },
  sso_failed: { status: null, message: "Single sign-on failed. Please try again." },
  sso_reauthentication_failed: { status: null, message: "Your identity provider did not confirm it is you, so nothing was done. Try again." },
  // An Admin Panel form whose reason the schema refused (the API answers invalid_input, with the details).
  invalid_reason: {
    status: null,
    message: `A reason is one line of at most ${REASON_MAX_LENGTH} characters, without control characters or invisible formatting (direction marks, zero-width spaces).`,
  },
} as const satisfies Record<string, CatalogEntry>;

/** What a page can know about a failure from its URL: at most when to try again. */
type PageParams = { retryAfterSeconds?: number };

type CatalogEntry = {
  status: 400 | 401 | 403 | 404 | 405 | 408 | 409 | 413 | 415 | 429 | 431 | 500 | 503 | null;
  message: string | ((params: never) => string);
  page?: string | ((params: PageParams) => string);
};

/** The sign-in limiter's answer; re-authentication with the admin key counts against it too. */
function tooManyAttempts(p: PageParams): string {
  // The page reads the wait from its address, which anyone can edit: beyond the longest window
  // (DASHBOARD_LOGIN_WINDOW_MINUTES is at most a day) it is not one the limiter set.
  const wait = p.retryAfterSeconds;
  if (wait === undefined || !Number.isFinite(wait) || wait <= 0 || wait > 24 * 60 * 60) return "Too many failed sign-in attempts. Try again later.";
  const minutes = Math.max(1, Math.ceil(wait / 60));
  return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

type Catalog = typeof ERRORS;
export type ErrorCode = keyof Catalog;
/** The codes an error can be thrown with (every code that has a status). */
export type FailureCode = { [C in ErrorCode]: Catalog[C]["status"] extends number ? C : never }[ErrorCode];
/** The details a code's message needs, if any: `fail("user_not_found")`, `fail("rate_limited", { retryAfterSeconds })`. */
export type ErrorParams<C extends ErrorCode> = Catalog[C]["message"] extends (params: infer P) => string ? [params: P] : [];

/** What the API and the CLI say for `code`. */
export function errorMessage<C extends ErrorCode>(code: C, ...params: ErrorParams<C>): string {
  const message: CatalogEntry["message"] = ERRORS[code].message;
  return typeof message === "string" ? message : (message as (params: unknown) => string)(params[0]);
}

/**
 * What a page says for a code it read from its URL (anyone can write one): null for a code the
 * catalog does not know, or whose wording needs details a URL does not carry.
 */
export function pageMessage(code: string | undefined, params: PageParams = {}): string | null {
  if (code === undefined || !Object.hasOwn(ERRORS, code)) return null;
  const entry: CatalogEntry = ERRORS[code as ErrorCode];
  if (entry.page !== undefined) return typeof entry.page === "string" ? entry.page : entry.page(params);
  return typeof entry.message === "string" ? entry.message : null;
}

/**
 * A rule said no, or ("unavailable", 503) a service the product relies on could not be asked.
 * `lib/` throws these without knowing about HTTP beyond the catalog's status; the API answers them
 * in one place (lib/http/errors.ts), pages turn the code into a message. Built by code only —
 * `fail("session_not_found")` — so the wording comes from the catalog.
 */
export class DomainError extends Error {
  readonly status: number;

  protected constructor(
    readonly code: FailureCode,
    message: string,
    /** For "rate_limited": when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.status = ERRORS[code].status;
  }

  static of<C extends FailureCode>(code: C, ...params: ErrorParams<C>): DomainError {
    const details: unknown = params[0];
    const retryAfter = typeof details === "object" && details !== null && "retryAfterSeconds" in details ? details.retryAfterSeconds : undefined;
    return new DomainError(code, errorMessage(code, ...params), typeof retryAfter === "number" ? retryAfter : undefined);
  }
}

/** The error for `code`, worded by the catalog: `throw fail("session_not_found")`. */
export const fail = <C extends FailureCode>(code: C, ...params: ErrorParams<C>): DomainError => DomainError.of(code, ...params);
