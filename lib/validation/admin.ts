import { z } from "zod";
import { AUTH_EVENT_TYPES } from "../audit";
import { cursorSchema, pageSizeSchema } from "../pagination/cursor";
import { sessionIdSchema } from "./sessions";
import { usernameOf } from "./username";

/** A username, or the start of one, as filters and links carry it. */
export const usernameFilter = usernameOf("user");

/** Filters, sort and page of /admin/sessions and GET /api/admin/sessions. */
export const adminSessionsQuerySchema = z.object({
  user: usernameFilter.optional(),
  /** How `user` matches: the exact username, or usernames starting with it. */
  match: z.enum(["exact", "prefix"], { error: 'match must be "exact" or "prefix"' }).default("exact"),
  method: z.enum(["static", "oidc"], { error: 'method must be "static" or "oidc"' }).optional(),
  /** An IP address, or the start of one ("10.1.", "2001:db8:"). */
  ip: z
    .string()
    .trim()
    .toLowerCase()
    .max(45, "ip is too long")
    .regex(/^[0-9A-Fa-f.:]+$/, "ip must be an IP address or the start of one")
    .optional(),
  /** Only owners with more than this many active sessions. */
  moreThan: z.coerce.number({ error: "moreThan must be a number" }).int().min(0).max(100_000).optional(),
  sort: z.enum(["lastActive", "created"], { error: 'sort must be "lastActive" or "created"' }).default("lastActive"),
  cursor: cursorSchema.optional(),
  limit: pageSizeSchema(50, 200),
});

export type AdminSessionsQuery = z.infer<typeof adminSessionsQuerySchema>;

/** Why an admin revokes; kept on the row and in the audit trail. */
export const reasonSchema = z.string().trim().max(200, "reason must be at most 200 characters").optional();

/** Body of destructive admin requests (JSON or form): a reason, and the admin key when the sign-in is not fresh. */
export const adminActionBodySchema = z.object({
  reason: reasonSchema,
  key: z.string().max(1024).optional(),
});

/** What every Admin Panel form carries: the page to return to, and why (see adminActionBodySchema). */
const adminFormSchema = adminActionBodySchema.extend({ returnTo: z.string().max(2048).optional() });

/** The Admin Panel's forms (server actions), one schema each. */
export const adminForms = {
  revokeSession: adminFormSchema.extend({ sessionId: sessionIdSchema }),
  revokeUser: adminFormSchema.extend({ username: usernameFilter }),
  /** `confirm` is checked by the action, so a mismatch is explained rather than called invalid. */
  revokeAll: adminFormSchema.extend({ confirm: z.string().max(64).optional(), includeSelf: z.literal("on").optional() }),
  disableUser: adminFormSchema.extend({ username: usernameFilter }),
  enableUser: adminFormSchema.extend({ username: usernameFilter }),
};

/** DELETE /api/admin/sessions: exactly one of ?user=NAME or ?scope=all&confirm=everyone. */
export const adminBulkRevokeQuerySchema = z.union(
  [
    z.object({ user: usernameFilter }),
    z.object({
      scope: z.literal("all"),
      confirm: z.literal("everyone", { error: 'to revoke every session, pass confirm=everyone' }),
      includeSelf: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
    }),
  ],
  { error: "pass ?user=NAME, or ?scope=all&confirm=everyone" },
);

/** GET /api/admin/users: ?prefix=&cursor=<last username>&limit= */
export const adminUsersQuerySchema = z.object({
  prefix: usernameFilter.optional(),
  cursor: usernameFilter.optional(),
  limit: pageSizeSchema(50, 200),
});

export const userActionParamsSchema = z.object({
  username: z.string().transform(safeDecode).pipe(usernameFilter),
  action: z.enum(["disable", "enable"], { error: 'the action must be "disable" or "enable"' }),
});

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const instant = (name: string) =>
  z
    .string()
    .max(40)
    .transform((value, ctx) => {
      // A bare date or a datetime-local value ("2026-11-23T10:00") is read as UTC.
      const text = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(value) ? `${value.length === 10 ? `${value}T00:00` : value}Z` : value;
      const date = new Date(text);
      if (Number.isNaN(date.getTime())) {
        ctx.addIssue({ code: "custom", message: `${name} must be a date or time (ISO 8601, UTC)` });
        return z.NEVER;
      }
      return date;
    });

/** Filters and page of /admin/events, GET /api/admin/events and the exports. */
export const eventsQuerySchema = z.object({
  type: z.enum(AUTH_EVENT_TYPES, { error: `type must be one of ${AUTH_EVENT_TYPES.join(", ")}` }).optional(),
  user: usernameFilter.optional(),
  from: instant("from").optional(),
  to: instant("to").optional(),
  cursor: cursorSchema.optional(),
  limit: pageSizeSchema(50, 500),
  format: z.enum(["csv", "jsonl"], { error: 'format must be "csv" or "jsonl"' }).optional(),
});
