import { z } from "zod";
import { cursorSchema, pageSizeSchema } from "../pagination/cursor";

/** A session's public id (base64url). Anything else cannot name a session. */
export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not a session id");

/** Which sessions a list shows: those still working (the default), the ended ones kept as history, or both. */
export const SESSION_STATES = ["active", "ended", "all"] as const;
export type SessionState = (typeof SESSION_STATES)[number];
export const sessionStateSchema = z
  .enum(SESSION_STATES, { error: 'state must be "active", "ended" or "all"' })
  .default("active")
  .describe("active: still working (the default); ended: ended within SESSION_HISTORY_DAYS; all: both");

/** GET /api/sessions and /settings/sessions: ?state=&cursor=&limit= */
export const ownSessionsQuerySchema = z.object({
  state: sessionStateSchema,
  cursor: cursorSchema.optional(),
  limit: pageSizeSchema(50, 100),
});

/** DELETE /api/sessions needs an explicit scope, so a bare DELETE never ends anything by accident. */
export const revokeOwnScopeSchema = z.object({
  scope: z.literal("others", { error: 'scope must be "others" (to end one session use DELETE /api/sessions/{id})' }),
});

/** The Settings > Sessions forms (server actions). */
export const ownSessionForms = {
  revokeSession: z.object({ sessionId: sessionIdSchema }),
  revokeOthers: z.object({}),
};

/**
 * URLSearchParams (or Next's searchParams) to a plain object: empty values (a filter form's blank
 * fields) are left out, and a repeated key keeps its first value that is not empty — the same from
 * either source, so an API route, a page and its layout read one address alike.
 */
export function queryObject(params: URLSearchParams | Record<string, string | string[] | undefined>) {
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    const first = Array.isArray(value) ? value.find((v) => v !== "") : value;
    if (first !== undefined && first !== "" && !(key in out)) out[key] = first;
  }
  return out;
}

/** A session detail page's query: the revoke confirmation lives in the URL, so it works without JavaScript. */
export const sessionPageQuerySchema = z.object({ confirm: z.literal("1").optional().catch(undefined) });
