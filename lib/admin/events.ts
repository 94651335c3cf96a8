import { z } from "zod";
import type { AuthEventType } from "../audit";
import type { Database, Prisma } from "../db";
import { encodeCursor, keysetPage, rowsAfter, type Cursor } from "../pagination/cursor";
import { isoTimeSchema } from "../sessions/present";

export type EventFilter = { type?: AuthEventType; user?: string; from?: Date; to?: Date };

/** An audit event as the API and the JSON-lines export write it. */
export const authEventJsonSchema = z.object({
  id: z.string(),
  at: isoTimeSchema,
  type: z.string().describe("login.succeeded, login.failed, logout, session.revoked, … (see the type filter)"),
  username: z.string().nullable().describe("Whom the event is about"),
  userId: z.string().nullable(),
  sessionId: z.string().nullable().describe("The session's public id (never its token)"),
  authMethod: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  actor: z.string().nullable().describe("Who caused it"),
  detail: z.string().nullable(),
  count: z.number().int().nullable().describe("How many sessions or attempts the event stands for"),
});
export type AuthEventJson = z.infer<typeof authEventJsonSchema>;

export const eventPageSchema = z.object({ events: z.array(authEventJsonSchema), nextCursor: z.string().nullable() });
export type EventPage = z.infer<typeof eventPageSchema>;

function eventWhere(filter: EventFilter, cursor?: Cursor): Prisma.AuthEventWhereInput {
  return {
    AND: [
      filter.type ? { type: filter.type } : {},
      // "user" matches the person the event is about or the one who caused it.
      filter.user ? { OR: [{ username: filter.user }, { actor: filter.user }] } : {},
      filter.from ? { at: { gte: filter.from } } : {},
      filter.to ? { at: { lt: filter.to } } : {},
      rowsAfter("at", cursor),
    ],
  };
}

const toJson = (event: Prisma.AuthEventGetPayload<object>): AuthEventJson => ({ ...event, at: event.at.toISOString() });

/** The audit trail, newest first, a page at a time (keyset on at, id; the [at, id] index). */
export async function listEvents(db: Database, filter: EventFilter, page: { cursor?: Cursor; limit: number }): Promise<EventPage> {
  const rows = await db.prisma.authEvent.findMany({
    where: eventWhere(filter, page.cursor),
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: page.limit + 1,
  });
  const shown = keysetPage(rows, page.limit, (last) => encodeCursor({ at: last.at, id: last.id }));
  return { events: shown.rows.map(toJson), nextCursor: shown.nextCursor };
}

/** Every matching event, newest first, read in batches so an export of any size stays in bounded memory. */
export async function* eachEvent(db: Database, filter: EventFilter, batchSize = 1000): AsyncGenerator<AuthEventJson> {
  let cursor: Cursor | undefined;
  for (;;) {
    const { events } = await listEvents(db, filter, { cursor, limit: batchSize });
    yield* events;
    const last = events.at(-1);
    if (events.length < batchSize || !last) return;
    cursor = { at: new Date(last.at), id: last.id };
  }
}

export const EVENT_COLUMNS = ["at", "type", "username", "actor", "sessionId", "authMethod", "ip", "userAgent", "detail", "count", "userId", "id"] as const;

/**
 * A cell a spreadsheet would run as a formula: one starting with = or @ (or a tab or carriage
 * return before one), or with + or - followed by anything but a word — "-1+cmd|' /C calc'!A0". A
 * random id or a name starting with "-" ("-AbC_d…") can call nothing and is left intact.
 */
const FORMULA = /^([=@\t\r]|[+-].*[^\w.-])/s;

/** One CSV line (RFC 4180 quoting); cells that a spreadsheet would run as a formula are defused. */
export function csvLine(values: (string | number | null)[]): string {
  return `${values
    .map((value) => {
      if (value === null) return "";
      let text = String(value);
      if (FORMULA.test(text)) text = `'${text}`;
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(",")}\r\n`;
}

/**
 * Which of the sessions a page of events names still exist, with their token hints (for the masked
 * label): one primary-key lookup for the page. Deleted sessions (past the history kept) are absent,
 * so the page links only to detail pages that answer.
 */
export async function sessionHints(db: Database, events: { sessionId: string | null }[]): Promise<Map<string, string>> {
  const ids = [...new Set(events.flatMap((event) => (event.sessionId ? [event.sessionId] : [])))];
  if (ids.length === 0) return new Map();
  const rows = await db.prisma.session.findMany({ where: { id: { in: ids } }, select: { id: true, tokenHint: true } });
  return new Map(rows.map((row) => [row.id, row.tokenHint]));
}
