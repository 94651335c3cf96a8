import { z } from "zod";
import { alertIdSchema, alertListSchema, dismissedAnswerSchema } from "../../alerts/alerts";
import { reportLinkFormSchema } from "../../alerts/report-link";
import { adminCountersSchema, adminSessionAnswerSchema, adminSessionPageSchema } from "../../admin/sessions";
import { eventPageSchema } from "../../admin/events";
import { adminUserPageSchema, userStateAnswerSchema } from "../../admin/users";
import { loginAnswerSchema } from "../../auth/static-login";
import type { FailureCode } from "../../errors";
import { ownSessionAnswerSchema, sessionPageSchema } from "../../sessions/own-sessions";
import { logoutAnswerSchema, signedInAnswerSchema } from "../../sessions/present";
import { revokedAnswerSchema } from "../../sessions/revoke";
import {
  adminActionBodySchema,
  adminBulkRevokeQuerySchema,
  adminSessionCountQuerySchema,
  adminSessionsQuerySchema,
  countAnswerSchema,
  adminUsersQuerySchema,
  eventsExportQuerySchema,
  eventsQuerySchema,
  userActionParamsSchema,
  webhookDeliveriesQuerySchema,
  webhookDeliveryParamsSchema,
} from "../../validation/admin";
import { resentAnswerSchema, webhookDeliveryListSchema } from "../../webhooks/delivery";
import { backchannelLogoutSchema, loginSchema, oidcLoginFormSchema } from "../../validation/auth";
import { ownSessionsQuerySchema, revokeOwnScopeSchema, sessionIdSchema } from "../../validation/sessions";
import { errorBodySchema } from "../errors";
import { databaseDownAnswerSchema, healthyAnswerSchema, liveAnswerSchema, shuttingDownAnswerSchema } from "../health";

/**
 * What the JSON API serves, one entry per method and path, with the zod schemas the routes validate
 * their input with and the schemas their answers are typed by: the OpenAPI description
 * (./document.ts) is generated from this table, and tests/unit/openapi.test.ts fails when a route
 * under app/api is missing from it. Error answers are listed by code only (statuses come from the
 * catalog in lib/errors.ts); those every route of a kind shares are added by ./document.ts.
 */

export type HttpMethod = "get" | "post" | "put" | "delete" | "patch";

/**
 * Who may call: anyone (public), a signed-in session cookie, an admin's session cookie, or a
 * bearer token.
 */
export type Auth = "public" | "session" | "admin" | "bearer";

export type BodyMedia = "application/json" | "application/x-www-form-urlencoded";

export type Answer = {
  description: string;
  /** A JSON body: its schema, or the schemas it is one of. */
  json?: z.ZodType | z.ZodType[];
  /** Bodies of other media types (text/plain, text/csv, …), each with its schema. */
  content?: Record<string, z.ZodType>;
  /** Response headers worth documenting (a redirect's Location). */
  headers?: Record<string, { description: string; required?: boolean }>;
};

export type Operation = {
  method: HttpMethod;
  /** With {name} for a dynamic segment, as the route's folder [name]. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: Tag;
  auth: Auth;
  /** A destructive admin action: needs a sign-in fresher than DASHBOARD_FRESH_MINUTES, or the admin key in the body. */
  fresh?: boolean;
  /**
   * How the route meets a database outage: "refuse" (the default) answers 503 database_unavailable,
   * "reports" answers with its own 503 body (the health routes), "unused" never needs the database.
   */
  database?: "refuse" | "reports" | "unused";
  params?: z.ZodObject;
  query?: z.ZodType;
  body?: { schema: z.ZodType; media: BodyMedia[]; required: boolean };
  /** Success answers (and redirects) by status. */
  responses: Record<number, Answer>;
  /** Error codes of this route beyond those every route of its kind has (see ./document.ts). */
  errors?: FailureCode[];
};

export const TAGS = {
  "Sign-in": "Signing in and out with a key or single sign-on, and the current session",
  Sessions: "Your own sessions (Settings > Sessions)",
  Alerts: "New-device alerts: sign-ins to your account from a device you had not used in 90 days",
  Admin: "The Admin Panel: every session, users and the audit trail (admins only)",
  Operations: "Health probes and this description",
} as const;
export type Tag = keyof typeof TAGS;

/** The document itself (GET /api/openapi.json); described loosely, it is OpenAPI 3.1. */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** Named schemas, published under components/schemas (every answer and body schema in the table must be one). */
export const RESPONSE_SCHEMAS: Record<string, z.ZodType> = {
  Error: errorBodySchema,
  Login: loginAnswerSchema,
  SignedIn: signedInAnswerSchema,
  Logout: logoutAnswerSchema,
  Revoked: revokedAnswerSchema,
  SessionPage: sessionPageSchema,
  OwnSession: ownSessionAnswerSchema,
  AlertList: alertListSchema,
  Dismissed: dismissedAnswerSchema,
  AdminSessionPage: adminSessionPageSchema,
  AdminSession: adminSessionAnswerSchema,
  AdminCounters: adminCountersSchema,
  SessionCount: countAnswerSchema,
  AdminUserPage: adminUserPageSchema,
  UserState: userStateAnswerSchema,
  EventPage: eventPageSchema,
  Live: liveAnswerSchema,
  Healthy: healthyAnswerSchema,
  DatabaseDown: databaseDownAnswerSchema,
  ShuttingDown: shuttingDownAnswerSchema,
  OpenApiDocument: openApiDocumentSchema,
};

export const REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  LoginRequest: loginSchema,
  OidcLoginRequest: oidcLoginFormSchema,
  BackchannelLogoutRequest: backchannelLogoutSchema,
  AdminActionRequest: adminActionBodySchema,
  ReportLinkRequest: reportLinkFormSchema,
};

const seeOther = (description: string): Answer => ({
  description,
  headers: { Location: { description: "Where the browser goes next", required: true } },
});

const JSON_OR_FORM: BodyMedia[] = ["application/json", "application/x-www-form-urlencoded"];
const adminAction = { schema: adminActionBodySchema, media: JSON_OR_FORM, required: false };
const sessionIdParams = z.object({ id: sessionIdSchema });
const alertIdParams = z.object({ id: alertIdSchema });

export const OPERATIONS: Operation[] = [
  {
    method: "post",
    path: "/api/auth/login",
    operationId: "login",
    summary: "Sign in with a username and key",
    description:
      "Starts a new session and sets the session cookie (persistent with rememberMe). Admin usernames must use the admin key. " +
      "The login form posts the same fields form-encoded and is answered with redirects instead of JSON.",
    tag: "Sign-in",
    auth: "public",
    body: { schema: loginSchema, media: JSON_OR_FORM, required: true },
    responses: {
      200: { description: "Signed in (JSON request); the answer sets the session cookie", json: loginAnswerSchema },
      303: seeOther("Form request: to `next` when signed in, otherwise back to /login with the error"),
    },
    errors: ["invalid_credentials", "account_disabled", "sso_account", "rate_limited"],
  },
  {
    method: "post",
    path: "/api/auth/logout",
    operationId: "logout",
    summary: "Sign out: end this session",
    description: 'Ends the session, clears the cookie and answers with `Clear-Site-Data: "cookies"`. Reads no body.',
    tag: "Sign-in",
    auth: "public",
    responses: {
      200: { description: "JSON request", json: logoutAnswerSchema },
      303: seeOther("Form request (application/x-www-form-urlencoded): to /login"),
    },
  },
  {
    method: "get",
    path: "/api/auth/session",
    operationId: "getCurrentSession",
    summary: "Who is signed in, and this session",
    tag: "Sign-in",
    auth: "session",
    responses: { 200: { description: "The signed-in user and the session making the request", json: signedInAnswerSchema } },
  },
  {
    method: "get",
    path: "/api/auth/ended",
    operationId: "sessionEnded",
    summary: "For pages: clear an ended session's cookie and go to /login",
    description:
      "Pages cannot set cookies, so a page that meets an ended session sends the browser here (`?next=<path>`): " +
      "the cookie is cleared and /login says why, as the session's row says. A live session is never ended here; it goes back to `next`.",
    tag: "Sign-in",
    auth: "public",
    responses: { 303: seeOther("To /login, or back to `next` for a live session") },
  },
  {
    method: "post",
    path: "/api/auth/oidc/login",
    operationId: "startSingleSignOn",
    summary: "Sign in with single sign-on (a browser form)",
    description:
      "Redirects to the identity provider with a fresh sealed transaction cookie. `reauth=true`: an SSO admin confirming a destructive " +
      "action signs in again (prompt=login, max_age=0) and returns to `next`.",
    tag: "Sign-in",
    auth: "public",
    body: { schema: oidcLoginFormSchema, media: JSON_OR_FORM, required: false },
    responses: { 303: seeOther("To the identity provider, or to /login with an error (not configured, provider unavailable)") },
  },
  {
    method: "get",
    path: "/api/auth/oidc/callback",
    operationId: "finishSingleSignOn",
    summary: "The identity provider's redirect back (authorization code flow)",
    description: "Register `<DASHBOARD_URL>/api/auth/oidc/callback` as the redirect URI at the provider.",
    tag: "Sign-in",
    auth: "public",
    responses: { 303: seeOther("To `next` with the session cookie, or to /login?error=…") },
  },
  {
    method: "get",
    path: "/api/auth/oidc/logout",
    operationId: "identityProviderLogout",
    summary: "Also sign out at the identity provider",
    description:
      "The link /login offers after Log out of an SSO session. Its `hint` query parameter (the session's ID token, sealed by Log out, good for 10 " +
      "minutes) is sent to the provider as `id_token_hint`, so it signs the person out without asking; without a valid one the provider asks.",
    tag: "Sign-in",
    auth: "public",
    responses: { 303: seeOther("To the provider's end_session_endpoint, or to /login?signedOut=1 when it has none") },
  },
  {
    method: "post",
    path: "/api/auth/oidc/backchannel-logout",
    operationId: "backchannelLogout",
    summary: "OpenID Connect Back-Channel Logout (called by the identity provider)",
    description: "Ends the sessions a signed logout token names (by `sid`, or every SSO session of `sub`).",
    tag: "Sign-in",
    auth: "public",
    body: { schema: backchannelLogoutSchema, media: ["application/x-www-form-urlencoded", "application/json"], required: true },
    responses: { 200: { description: "The sessions it ended", json: revokedAnswerSchema } },
    errors: ["sso_not_configured", "invalid_logout_token", "sso_unavailable"],
  },
  {
    method: "get",
    path: "/api/sessions",
    operationId: "listOwnSessions",
    summary: "Your sessions (?state=active|ended|all; active by default), newest activity first",
    description: "`state=ended` lists the sessions that ended within SESSION_HISTORY_DAYS, each with `endedAt`, `endReason` and `endedBy`.",
    tag: "Sessions",
    auth: "session",
    query: ownSessionsQuerySchema,
    responses: { 200: { description: "A page of sessions", json: sessionPageSchema } },
  },
  {
    method: "delete",
    path: "/api/sessions",
    operationId: "revokeOtherOwnSessions",
    summary: "Sign out all your other sessions (?scope=others)",
    tag: "Sessions",
    auth: "session",
    query: revokeOwnScopeSchema,
    responses: { 200: { description: "How many sessions ended", json: revokedAnswerSchema } },
  },
  {
    method: "get",
    path: "/api/sessions/{id}",
    operationId: "getOwnSession",
    summary: "One of your sessions, active or ended",
    description: "Someone else's id gets the same 404 as an unknown one.",
    tag: "Sessions",
    auth: "session",
    params: sessionIdParams,
    responses: { 200: { description: "The session, as the list shows it", json: ownSessionAnswerSchema } },
    errors: ["session_not_found"],
  },
  {
    method: "delete",
    path: "/api/sessions/{id}",
    operationId: "revokeOwnSession",
    summary: "Revoke one of your other sessions",
    description: "Someone else's id gets the same 404 as an unknown one; the session making the request ends only by logging out (409).",
    tag: "Sessions",
    auth: "session",
    params: sessionIdParams,
    responses: { 200: { description: "Revoked", json: revokedAnswerSchema } },
    errors: ["session_not_found", "current_session"],
  },
  {
    method: "get",
    path: "/api/alerts",
    operationId: "listAlerts",
    summary: "Your open new-device alerts, newest first",
    description:
      "Sign-ins to your account from a device (browser family, OS family, address network) you had not used in 90 days, neither dismissed nor reported, " +
      "while a session from that device still works. None while this session's own device is under an open alert.",
    tag: "Alerts",
    auth: "session",
    responses: { 200: { description: "The open alerts (at most 20)", json: alertListSchema } },
  },
  {
    method: "post",
    path: "/api/alerts/{id}/dismiss",
    operationId: "dismissAlert",
    summary: "“This was me”: dismiss a new-device alert",
    description: "Someone else's, an unknown or a closed alert gets the same 404, and so does any while this session's device is under an open alert. Reads no body.",
    tag: "Alerts",
    auth: "session",
    params: alertIdParams,
    responses: { 200: { description: "Dismissed", json: dismissedAnswerSchema } },
    errors: ["alert_not_found"],
  },
  {
    method: "post",
    path: "/api/alerts/{id}/report",
    operationId: "reportAlert",
    summary: "“Sign it out”: sign the alert's device out and report it",
    description:
      "Ends every session of yours from the new device (the alerted one and any later one), forgets the device (its next sign-in raises an alert again) " +
      "and marks the alert reported (flagged in the Admin Panel). `revoked` is how many sessions ended, 0 when they had already. Reads no body.",
    tag: "Alerts",
    auth: "session",
    params: alertIdParams,
    responses: { 200: { description: "How many sessions ended", json: revokedAnswerSchema } },
    errors: ["alert_not_found"],
  },
  {
    method: "post",
    path: "/api/alerts/report-link",
    operationId: "useReportLink",
    summary: "A mailed alert's “This wasn't me” link, confirmed: sign that device out",
    description:
      "No session needed: the single-use `token` from the mailed link (/report?token=…) is the authority; it expires after 7 days and only ever " +
      "signs the alert's device out, as reportAlert does. The confirmation page posts it form-encoded and is answered with a redirect back to it.",
    tag: "Alerts",
    auth: "public",
    body: { schema: reportLinkFormSchema, media: JSON_OR_FORM, required: true },
    responses: {
      200: { description: "JSON request: how many sessions ended (0 when they had already)", json: revokedAnswerSchema },
      303: seeOther("Form request: back to /report?token=…, which shows the link as used (signed out) or not valid"),
    },
    errors: ["report_link_invalid", "report_link_used"],
  },
  {
    method: "get",
    path: "/api/admin/sessions",
    operationId: "listAllSessions",
    summary: "Every session with its owner (?state=active|ended|all; active by default), filtered, sorted and paged",
    tag: "Admin",
    auth: "admin",
    query: adminSessionsQuerySchema,
    responses: { 200: { description: "A page of sessions", json: adminSessionPageSchema } },
  },
  {
    method: "delete",
    path: "/api/admin/sessions",
    operationId: "revokeSessionsInBulk",
    summary: "Revoke all of a user's sessions (?user=NAME), those matching filters (?<filters>&confirm=<count>), or everyone's (?scope=all&confirm=everyone)",
    description:
      "Three requests, told apart by their parameters. `scope=all` with `confirm=everyone` (and `includeSelf=true` to end your own session too) revokes every session signed in until then; no filter may come with it. " +
      "It answers once it holds — from then on every one of those sessions is refused on every replica and left out of every list and figure — with how many it ends; their rows are marked revoked after the answer (a minute or two for half a million), and then one `sessions.revoked_all` event with the count is audited. " +
      "Any filter beyond `user` alone (`match`, `method`, `ip`, `country`, `browser`, `signedInAfter`, `signedInBefore`, `moreThan`), or a numeric `confirm`, is a bulk revoke by filter: " +
      "`confirm` must be the count `GET /api/admin/sessions/count` answered for the same filters; the sessions are counted again, and if the count moved nothing is revoked (409 `count_changed`). " +
      "It needs a `reason` in the body, never ends your own session, and is audited as one `sessions.bulk_revoked` event with the filters and the count. " +
      "`user=NAME` alone revokes all of that user's sessions but your own. " +
      "The answer to an admin key in the body sets a new session cookie.",
    tag: "Admin",
    auth: "admin",
    fresh: true,
    query: adminBulkRevokeQuerySchema,
    body: adminAction,
    responses: { 200: { description: "How many sessions ended", json: revokedAnswerSchema } },
    errors: ["user_not_found", "count_changed", "reason_required"],
  },
  {
    method: "get",
    path: "/api/admin/sessions/count",
    operationId: "countSessions",
    summary: "How many active sessions the filters match: the dry run of a bulk revoke",
    description:
      "The filters of `GET /api/admin/sessions` (at least one), over every page; your own session is not counted, as a bulk revoke never ends it. " +
      "Pass the answer as `confirm` to `DELETE /api/admin/sessions` with the same filters.",
    tag: "Admin",
    auth: "admin",
    query: adminSessionCountQuerySchema,
    responses: { 200: { description: "The count, exact at the request", json: countAnswerSchema } },
  },
  {
    method: "get",
    path: "/api/admin/sessions/{id}",
    operationId: "getAnySession",
    summary: "Any one session, active or ended, with its owner and where it has been used from",
    tag: "Admin",
    auth: "admin",
    params: sessionIdParams,
    responses: { 200: { description: "The session, as the list shows it, with its activity", json: adminSessionAnswerSchema } },
    errors: ["session_not_found"],
  },
  {
    method: "delete",
    path: "/api/admin/sessions/{id}",
    operationId: "revokeAnySession",
    summary: "Revoke any one session",
    tag: "Admin",
    auth: "admin",
    params: sessionIdParams,
    body: adminAction,
    responses: { 200: { description: "Revoked", json: revokedAnswerSchema } },
    errors: ["session_not_found", "current_session"],
  },
  {
    method: "get",
    path: "/api/admin/stats",
    operationId: "getCounters",
    summary: "Active sessions and users; sessions created, revoked and expired in the last 24 hours",
    tag: "Admin",
    auth: "admin",
    responses: { 200: { description: "The counters, exact at the request", json: adminCountersSchema } },
  },
  {
    method: "get",
    path: "/api/admin/users",
    operationId: "listUsers",
    summary: "Every known user, in username order",
    tag: "Admin",
    auth: "admin",
    query: adminUsersQuerySchema,
    responses: { 200: { description: "A page of users; pass nextCursor back as ?cursor=", json: adminUserPageSchema } },
  },
  {
    method: "post",
    path: "/api/admin/users/{username}/{action}",
    operationId: "setUserState",
    summary: "Disable a user (their sessions end, sign-ins are refused) or enable them again",
    description:
      "`disable` needs a fresh sign-in or the admin key in the body (whose answer sets a new session cookie); `enable` does not. " +
      "Admins cannot disable themselves.",
    tag: "Admin",
    auth: "admin",
    fresh: true,
    params: userActionParamsSchema,
    body: adminAction,
    responses: { 200: { description: "The account's state after the action", json: userStateAnswerSchema } },
    errors: ["invalid_input", "user_not_found", "not_found", "cannot_disable_self"],
  },
  {
    method: "get",
    path: "/api/admin/webhooks",
    operationId: "listWebhookDeliveries",
    summary: "The newest webhook deliveries (one event to one URL), and how many are pending, delivered and failed",
    tag: "Admin",
    auth: "admin",
    query: webhookDeliveriesQuerySchema,
    responses: { 200: { description: "Deliveries, newest first", json: webhookDeliveryListSchema } },
  },
  {
    method: "post",
    path: "/api/admin/webhooks/{id}/resend",
    operationId: "resendWebhookDelivery",
    summary: "Send a delivery's event again now (same webhook-id), with a fresh 24 hours of retries",
    tag: "Admin",
    auth: "admin",
    params: webhookDeliveryParamsSchema,
    responses: { 200: { description: "Queued to be sent again", json: resentAnswerSchema } },
    errors: ["webhook_delivery_not_found", "webhook_delivery_busy"],
  },
  {
    method: "get",
    path: "/api/admin/events",
    operationId: "listEvents",
    summary: "The audit trail, newest first",
    description: "`user` matches the person an event is about or the one who caused it; `from`/`to` are ISO 8601 (UTC). `format` is ignored here.",
    tag: "Admin",
    auth: "admin",
    query: eventsQuerySchema,
    responses: { 200: { description: "A page of events", json: eventPageSchema } },
  },
  {
    method: "get",
    path: "/api/admin/events/export",
    operationId: "exportEvents",
    summary: "Every matching event as a download (?format=csv, the default, or jsonl)",
    description: "The same filters as GET /api/admin/events. JSON lines carry one event object (as the events list has them) per line.",
    tag: "Admin",
    auth: "admin",
    query: eventsExportQuerySchema,
    responses: {
      200: {
        description: "The events, newest first, as an attachment",
        content: { "text/csv": z.string(), "application/x-ndjson": z.string() },
        headers: { "Content-Disposition": { description: 'attachment; filename="sessionboard-events-<time>.csv|jsonl"', required: true } },
      },
    },
  },
  {
    method: "get",
    path: "/api/health",
    operationId: "health",
    summary: "Whether this replica and its database answer (for monitors and load balancers)",
    tag: "Operations",
    auth: "public",
    database: "reports",
    responses: {
      200: { description: "Up, database reachable", json: healthyAnswerSchema },
      503: { description: "The database does not answer (with Retry-After)", json: databaseDownAnswerSchema },
    },
  },
  {
    method: "get",
    path: "/api/health/live",
    operationId: "liveness",
    summary: "Liveness probe: the process answers (no database work)",
    tag: "Operations",
    auth: "public",
    database: "unused",
    responses: { 200: { description: "The process answers", json: liveAnswerSchema } },
  },
  {
    method: "get",
    path: "/api/health/ready",
    operationId: "readiness",
    summary: "Readiness probe: should this replica get traffic",
    tag: "Operations",
    auth: "public",
    database: "reports",
    responses: {
      200: { description: "Ready: the database answers and is migrated", json: healthyAnswerSchema },
      503: { description: "Not ready: a database outage, or a shutdown has begun (with Retry-After)", json: [databaseDownAnswerSchema, shuttingDownAnswerSchema] },
    },
  },
  {
    method: "get",
    path: "/api/metrics",
    operationId: "metrics",
    summary: "Prometheus metrics (with DASHBOARD_METRICS_TOKEN as a bearer token)",
    description:
      "Served here only when DASHBOARD_METRICS_TOKEN is set (otherwise 404, like any address no endpoint serves); " +
      "DASHBOARD_METRICS_PORT serves the same on a port of its own, without a token.",
    tag: "Operations",
    auth: "bearer",
    database: "unused",
    responses: { 200: { description: "The Prometheus text exposition format", content: { "text/plain": z.string() } } },
    errors: ["not_found", "metrics_unauthorized"],
  },
  {
    method: "get",
    path: "/api/openapi.json",
    operationId: "openApiDescription",
    summary: "This description of the API (OpenAPI 3.1)",
    description: "Public, like any documentation: it names no secret. Cached by clients for an hour.",
    tag: "Operations",
    auth: "public",
    database: "unused",
    responses: { 200: { description: "The OpenAPI 3.1 document", json: openApiDocumentSchema } },
  },
];
