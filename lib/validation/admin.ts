import { z } from "zod";
import { AUTH_EVENT_TYPES } from "../audit";
import { cursorSchema, pageSizeSchema } from "../pagination/cursor";
import { sessionIdSchema, sessionStateSchema } from "./sessions";
import { usernameOf } from "./username";
import { canStartAddress, parseCidr } from "../net/cidr";
import { DELIVERY_STATUSES } from "../webhooks/events";
import { parseInstant } from "./instant";
import { NO_CONTROL_CHARACTERS, REASON_MAX_LENGTH } from "./text";
import { decimalNumber } from "./number";

const instant = (name: string) =>
  z
    .string()
    .max(40)
    .transform((value, ctx) => {
      const date = parseInstant(value);
      if (!date) {
        ctx.addIssue({ code: "custom", message: `${name} must be a date or time in ISO 8601 (2026-11-23, 2026-11-23T10:00 in UTC, or with Z or an offset), from year 1 to 9999` });
        return z.NEVER;
      }
      return date;
    });

/** A username, or the start of one, as filters and links carry it. */
export const usernameFilter = usernameOf("user");

const IP_FILTER_MESSAGE = "ip must be an IP address, the start of one, or a CIDR block (10.0.0.0/8)";

/**
 * The filters of /admin/sessions, shared by the list, the dry-run count and the bulk revoke.
 * Intervals are half-open: signedInAfter is inclusive, signedInBefore exclusive.
 */
const adminSessionFilterFields = {
  user: usernameFilter.optional(),
  /** How `user` matches: the exact username, or usernames starting with it. */
  match: z.enum(["exact", "prefix"], { error: 'match must be "exact" or "prefix"' }).default("exact"),
  method: z.enum(["static", "oidc"], { error: 'method must be "static" or "oidc"' }).optional(),
  /** An IP address, the start of one ("10.1.", "2001:db8:"), or a CIDR block ("10.0.0.0/8", "2001:db8::/32"). */
  ip: z
    .string()
    .trim()
    .toLowerCase()
    .max(49, "ip is too long")
    .regex(/^[0-9a-f.:]+(\/\d{1,3})?$/, IP_FILTER_MESSAGE)
    .superRefine((value, ctx) => {
      if (!value.includes("/")) {
        // Else it would match nothing, which looks like "no such sessions" rather than a typo.
        if (!canStartAddress(value)) ctx.addIssue({ code: "custom", message: IP_FILTER_MESSAGE });
        return;
      }
      const cidr = parseCidr(value);
      if (typeof cidr === "string") ctx.addIssue({ code: "custom", message: `ip: ${cidr}` });
    })
    .describe('An IP address, the start of one ("10.1.", "2001:db8:"), or a CIDR block ("10.0.0.0/8", "2001:db8::/32")')
    .optional(),
  country: z
    .string()
    .trim()
    // Checked as written, then upper-cased: "ß" would otherwise become "SS".
    .regex(/^[A-Za-z][A-Za-z0-9]$/, "country must be a two-letter country code (ISO 3166-1 alpha-2, e.g. DE)")
    .toUpperCase()
    .describe("Country at sign-in (ISO 3166-1 alpha-2), as a trusted proxy reported it")
    .optional(),
  browser: z
    .string()
    .trim()
    .min(1, "browser must not be empty")
    .max(64, "browser is too long")
    .regex(/^[\p{L}\p{N} ._\-]+$/u, "browser must be a browser name such as Firefox or Chrome")
    .describe('Browser family at sign-in, exactly as shown ("Firefox", "Chrome", "Mobile Safari"); sessions signed in before browsers were recorded have none')
    .optional(),
  signedInAfter: instant("signedInAfter").describe("Signed in at or after this time (ISO 8601; a bare date or time is UTC)").optional(),
  signedInBefore: instant("signedInBefore").describe("Signed in before this time (ISO 8601; a bare date or time is UTC)").optional(),
  /** Only owners with more than this many active sessions. */
  moreThan: decimalNumber(
    z.number().int("moreThan must be a whole number").min(0, "moreThan must be at least 0").max(100_000, "moreThan must be at most 100000"),
    "moreThan must be a number",
  ).optional(),
};

/** Names of the filters beyond `user` alone: any of them on DELETE /api/admin/sessions makes it a bulk revoke by filter. */
export const FILTER_ONLY_PARAMS = ["match", "method", "ip", "country", "browser", "signedInAfter", "signedInBefore", "moreThan"] as const;

const intervalInOrder = (value: { signedInAfter?: Date; signedInBefore?: Date }, ctx: z.RefinementCtx) => {
  if (value.signedInAfter && value.signedInBefore && value.signedInAfter >= value.signedInBefore) {
    ctx.addIssue({ code: "custom", message: "signedInAfter must be earlier than signedInBefore" });
  }
};

export const adminSessionFilterSchema = z.object(adminSessionFilterFields).superRefine(intervalInOrder);
export type AdminSessionFilter = z.infer<typeof adminSessionFilterSchema>;

/** Whether any filter is set (a bulk revoke by filter needs one: everyone is ?scope=all). */
export const hasFilter = (filter: AdminSessionFilter) =>
  Boolean(
    filter.user ||
      filter.method ||
      filter.ip ||
      filter.country ||
      filter.browser ||
      filter.signedInAfter ||
      filter.signedInBefore ||
      filter.moreThan !== undefined,
  );

/** Filters, sort and page of /admin/sessions and GET /api/admin/sessions. */
export const adminSessionsQuerySchema = z
  .object({
    ...adminSessionFilterFields,
    state: sessionStateSchema,
    sort: z
      .enum(["lastActive", "created"], { error: 'sort must be "lastActive" or "created"' })
      .default("lastActive")
      .describe("Newest activity or newest sign-in first; state=ended is always most recently ended first"),
    cursor: cursorSchema.optional(),
    limit: pageSizeSchema(50, 200),
  })
  .superRefine(intervalInOrder);

const NO_FILTER_MESSAGE = "pass at least one filter (user, method, ip, country, browser, signedInAfter, signedInBefore, moreThan)";

/**
 * GET /api/admin/sessions/count: the filters, at least one; the count covers every page. Strict, as
 * the revoke it is the dry run of: a parameter dropped unread would count more than was meant.
 */
export const adminSessionCountQuerySchema = z.strictObject(adminSessionFilterFields).superRefine((filter, ctx) => {
  intervalInOrder(filter, ctx);
  if (!hasFilter(filter)) ctx.addIssue({ code: "custom", message: NO_FILTER_MESSAGE });
});

export const countAnswerSchema = z.object({ count: z.number().int().min(0).describe("Active sessions matching the filters, the caller's own session not included") });
export type CountAnswer = z.infer<typeof countAnswerSchema>;

export type AdminSessionsQuery = z.infer<typeof adminSessionsQuerySchema>;

/** Why an admin revokes; kept on the row and in the audit trail. */
export const reasonSchema = z
  .string()
  .trim()
  .max(REASON_MAX_LENGTH, `reason must be at most ${REASON_MAX_LENGTH} characters`)
  .regex(NO_CONTROL_CHARACTERS, "reason must be one line of text, without control characters")
  .optional();

/** Body of destructive admin requests (JSON or form): a reason, and the admin key when the sign-in is not fresh. */
export const adminActionBodySchema = z.object({
  reason: reasonSchema,
  key: z.string().max(1024).optional(),
});

/** What every Admin Panel form carries: the page to return to, and why (see adminActionBodySchema). */
const adminFormSchema = adminActionBodySchema.extend({ returnTo: z.string().max(2048).optional() });

/** POST /api/admin/webhooks/{id}/resend. */
export const webhookDeliveryParamsSchema = z.object({
  // One spelling per delivery ("1", never "01" or "1.0"), as ids are in every other address.
  id: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, "the delivery id must be a number")
    .transform(Number)
    .pipe(z.number().max(2 ** 31 - 1, "the delivery id must be a number")),
});

/** The Admin Panel's forms (server actions), one schema each. */
export const adminForms = {
  revokeSession: adminFormSchema.extend({ sessionId: sessionIdSchema }),
  revokeUser: adminFormSchema.extend({ username: usernameFilter }),
  /** `confirm` is checked by the action, so a mismatch is explained rather than called invalid. */
  /** The button pressed says whether the admin's own session ends too (as the API's includeSelf); none (a script) keeps it. */
  revokeAll: adminFormSchema.extend({ confirm: z.string().max(64).optional(), includeSelf: z.enum(["true", "false"]).optional() }),
  /** The filters the confirmation showed, and the count it showed (checked again: count_changed). */
  revokeFiltered: adminFormSchema.extend({
    ...adminSessionFilterFields,
    confirm: decimalNumber(z.number().int().min(0), "confirm must be the count you were shown"),
  }),
  disableUser: adminFormSchema.extend({ username: usernameFilter }),
  enableUser: adminFormSchema.extend({ username: usernameFilter }),
  resendWebhook: z.object({ delivery: webhookDeliveryParamsSchema.shape.id, returnTo: z.string().max(2048).optional() }),
};

/** Whether a force logout's confirmation says "everyone" (in any case, as a person may type it), for the page and the API alike. */
export const confirmsEveryone = (confirm: string | undefined) => confirm?.trim().toLowerCase() === "everyone";

/**
 * DELETE /api/admin/sessions, one of three requests, told apart without guessing:
 * - `scope=all&confirm=everyone[&includeSelf=true]`: everyone (no filter may come with it);
 * - any filter beyond `user` alone (match, method, ip, country, browser, signedInAfter,
 *   signedInBefore, moreThan), or a numeric `confirm`: the sessions matching the filters, with
 *   `confirm=<count>` the count GET /api/admin/sessions/count answered (refused if it moved);
 * - `user=NAME` alone: all of that user's sessions.
 */
export const adminBulkRevokeQuerySchema = z
  // Strict: a misspelled filter dropped unread would widen the revoke (to all of a user's sessions, say).
  .strictObject({
    ...adminSessionFilterFields,
    match: adminSessionFilterFields.match.unwrap().optional(),
    scope: z.literal("all", { error: 'scope must be "all"' }).optional(),
    confirm: z
      .string()
      .trim()
      .max(64)
      .describe('"everyone" with scope=all; with filters, the count of matching sessions you were shown (GET /api/admin/sessions/count)')
      .optional(),
    includeSelf: z.enum(["true", "false"], { error: 'includeSelf must be "true" or "false"' }).optional(),
    cursor: z.never({ error: "a bulk revoke covers every page: leave out cursor" }).optional(),
  })
  .superRefine(intervalInOrder)
  .transform((query, ctx) => {
    const filtering = FILTER_ONLY_PARAMS.some((name) => query[name] !== undefined);
    const counted = query.confirm !== undefined && /^\d+$/.test(query.confirm);
    if (query.scope === "all") {
      if (filtering || query.user) {
        ctx.addIssue({ code: "custom", message: "scope=all revokes everyone: leave out the filters, or leave out scope=all to revoke only the matching sessions" });
        return z.NEVER;
      }
      if (!confirmsEveryone(query.confirm)) {
        ctx.addIssue({ code: "custom", message: "to revoke every session, pass confirm=everyone" });
        return z.NEVER;
      }
      return { scope: "all" as const, includeSelf: query.includeSelf === "true" };
    }
    if (query.includeSelf !== undefined) {
      ctx.addIssue({ code: "custom", message: "includeSelf goes only with scope=all: a bulk revoke by user or filter never ends your own session" });
      return z.NEVER;
    }
    if (filtering || counted) {
      if (!counted) {
        ctx.addIssue({ code: "custom", message: "to revoke the sessions matching filters, pass confirm=<count> with the count GET /api/admin/sessions/count answered" });
        return z.NEVER;
      }
      const { user, match, method, ip, country, browser, signedInAfter, signedInBefore, moreThan } = query;
      const filter: AdminSessionFilter = { user, match: match ?? "exact", method, ip, country, browser, signedInAfter, signedInBefore, moreThan };
      // `match` or a count alone filter nothing: everyone is scope=all, with its own confirmation.
      if (!hasFilter(filter)) {
        ctx.addIssue({ code: "custom", message: NO_FILTER_MESSAGE });
        return z.NEVER;
      }
      return { scope: "filter" as const, filter, confirm: Number(query.confirm) };
    }
    if (query.user && query.confirm === undefined) return { scope: "user" as const, user: query.user };
    ctx.addIssue({
      code: "custom",
      message: "pass ?user=NAME, filters with confirm=<count>, or ?scope=all&confirm=everyone",
    });
    return z.NEVER;
  });
export type AdminBulkRevokeQuery = z.output<typeof adminBulkRevokeQuerySchema>;

/** GET /api/admin/users: ?prefix=&cursor=<last username>&limit= */
export const adminUsersQuerySchema = z.object({
  prefix: usernameOf("prefix").optional(),
  cursor: usernameOf("cursor").optional(),
  limit: pageSizeSchema(50, 200),
});

/** What can be done to a user at /api/admin/users/{username}/{action}; any other action is an address with nothing at it. */
export const USER_ACTIONS = ["disable", "enable"] as const;
export const isUserAction = (action: string): action is (typeof USER_ACTIONS)[number] => (USER_ACTIONS as readonly string[]).includes(action);

export const userActionParamsSchema = z.object({
  // As Next.js gives it: decoded once already, so "%2561" stays "%61" and names no one.
  username: usernameFilter,
  action: z.enum(USER_ACTIONS, { error: 'the action must be "disable" or "enable"' }),
});

/** The audit trail's filters, shared by its page, its API and its export. */
const eventsFilterSchema = z.object({
  type: z.enum(AUTH_EVENT_TYPES, { error: `type must be one of ${AUTH_EVENT_TYPES.join(", ")}` }).optional(),
  user: usernameFilter.optional(),
  from: instant("from").optional(),
  to: instant("to").optional(),
});

/** Filters and page of /admin/events and GET /api/admin/events. */
export const eventsQuerySchema = eventsFilterSchema.extend({
  cursor: cursorSchema.optional(),
  limit: pageSizeSchema(50, 500),
});

/** GET /api/admin/events/export: the filters and the format; every matching event, no pages. */
export const eventsExportQuerySchema = eventsFilterSchema.extend({
  format: z.enum(["csv", "jsonl"], { error: 'format must be "csv" or "jsonl"' }).default("csv"),
});

/** GET /api/admin/webhooks. */
export const webhookDeliveriesQuerySchema = z.object({
  status: z.enum(DELIVERY_STATUSES, { error: `status must be one of ${DELIVERY_STATUSES.join(", ")}` }).optional(),
  limit: pageSizeSchema(100, 500),
});
