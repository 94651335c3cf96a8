import { actorOf, type SignedIn } from "../actor";
import type { Config } from "../config";
import type { Database } from "../db";
import { cursorAfter, encodeCursor, keysetPage, partBound, type Cursor } from "../pagination/cursor";
import { activeSessionWhere, mergeListParts, sessionListParts } from "./active";
import type { SessionState } from "../validation/sessions";
import { z } from "zod";
import { activityField, listSessionActivity } from "./activity";
import { presentSession, sessionJsonSchema, type SessionJson } from "./present";
import { currentSessionConflict, revokeSessions, sessionNotFound } from "./revoke";
import { asMarked, pendingForceLogoutFor } from "./force-logout";
import type { RequestInfo } from "../request/types";

/** A page of sessions; pass nextCursor back as ?cursor= for the next one (null: the last page). */
export const sessionPageSchema = z.object({ sessions: z.array(sessionJsonSchema), nextCursor: z.string().nullable() });
export type SessionPage = z.infer<typeof sessionPageSchema>;

/** GET /api/sessions/{id}: the same object the list shows. */
export const sessionDetailJsonSchema = sessionJsonSchema.extend(activityField);
export type SessionDetailJson = z.infer<typeof sessionDetailJsonSchema>;

export const ownSessionAnswerSchema = z.object({ session: sessionDetailJsonSchema });
export type OwnSessionAnswer = z.infer<typeof ownSessionAnswerSchema>;

/**
 * One page of the owner's sessions in `page.state` (active by default; ended: the history kept
 * SESSION_HISTORY_DAYS), newest activity first — ended ones most recently ended first (keyset on
 * that time and the id; the active list is read through the [userId, lastActiveAt] index, on
 * PostgreSQL partial to active rows; the ended ones in two parts, see sessionListParts). Only ever
 * the owner's rows: the user id comes from the verified session, never from input.
 */
export async function listOwnSessions(db: Database, config: Config, owner: SignedIn, page: OwnListPage, now = new Date()): Promise<SessionPage> {
  const [listed] = await listOwnSessionPages(db, config, owner, [page], now);
  return listed;
}

/** A page of one of the owner's lists, as listOwnSessions takes it. */
type OwnListPage = { state?: SessionState; cursor?: Cursor; limit: number };

/** listOwnSessions for several lists at once: every part of every list in one Database.userSessions read (one statement on PostgreSQL). */
async function listOwnSessionPages(db: Database, config: Config, owner: SignedIn, pages: OwnListPage[], now: Date): Promise<SessionPage[]> {
  const pending = await pendingForceLogoutFor(db, owner);
  const lists = await Promise.all(
    pages.map(async (page) => ({ page, take: page.limit + 1, parts: await sessionListParts(db, config, page.state ?? "active", now, pending, "lastActiveAt") })),
  );
  const read = await db.userSessions(
    owner.user.id,
    lists.flatMap(({ page, take, parts }) => parts.map((part, index) => ({ part, after: partBound(page.cursor, index), take }))),
  );
  let next = 0;
  return lists.map(({ page, take, parts }) => {
    const rows = mergeListParts(parts, take, read.slice(next, (next += parts.length)));
    const shown = keysetPage(rows, page.limit, (last) => encodeCursor(cursorAfter(last)));
    return { sessions: shown.rows.map(({ row }) => presentSession(asMarked(pending, row), owner.session.id, now)), nextCursor: shown.nextCursor };
  });
}

/**
 * One of the owner's active sessions by its public id, as the list shows it; null for an unknown,
 * ended or someone else's id alike, so a caller cannot tell them apart. `config` decides what is
 * still active (a static session whose key changed has ended).
 */
export async function getOwnSession(db: Database, config: Config, owner: SignedIn, id: string, now = new Date()): Promise<SessionJson | null> {
  const row = await db.prisma.session.findFirst({ where: { AND: [{ id, userId: owner.user.id }, activeSessionWhere(config, now, await pendingForceLogoutFor(db, owner))] } });
  return row ? presentSession(row, owner.session.id, now) : null;
}


/**
 * One of the owner's sessions, active or ended (while its history is kept), with where it has been
 * used from (GET /api/sessions/{id}, its page); null for an unknown or someone else's id alike.
 */
export async function getOwnSessionDetail(db: Database, _config: Config, owner: SignedIn, id: string, now = new Date()): Promise<SessionDetailJson | null> {
  const row = await db.prisma.session.findFirst({ where: { id, userId: owner.user.id } });
  return row && { ...presentSession(asMarked(await pendingForceLogoutFor(db, owner), row), owner.session.id, now), activity: await listSessionActivity(db, row.id) };
}

/**
 * Settings > Sessions' order: the device in hand first on the first page (even when another one was
 * used more recently), then the others newest activity first; later pages leave it out, so it is
 * never listed twice. The cursor still follows listOwnSessions' keyset.
 */
async function currentFirst(db: Database, config: Config, owner: SignedIn, listed: SessionPage, cursor: Cursor | undefined, now: Date): Promise<SessionPage> {
  const others = listed.sessions.filter((session) => !session.current);
  if (cursor) return { ...listed, sessions: others };
  const current = listed.sessions.find((session) => session.current) ?? (await getOwnSession(db, config, owner, owner.session.id, now));
  return { ...listed, sessions: current ? [current, ...others] : others };
}

/**
 * What Settings > Sessions lists, in one read (listOwnSessionPages): a page of the active sessions in its order
 * (currentFirst; null: the page link was not valid, so none), and the `endedShown` most recently ended.
 */
export async function listSettingsSessions(
  db: Database,
  config: Config,
  owner: SignedIn,
  active: { cursor?: Cursor; limit: number } | null,
  endedShown: number,
  now = new Date(),
): Promise<{ active: SessionPage | null; ended: SessionJson[] }> {
  const ended: OwnListPage = { state: "ended", limit: endedShown };
  if (!active) return { active: null, ended: (await listOwnSessions(db, config, owner, ended, now)).sessions };
  const [page, endedPage] = await listOwnSessionPages(db, config, owner, [active, ended], now);
  return { active: await currentFirst(db, config, owner, page, active.cursor, now), ended: endedPage.sessions };
}

/**
 * Revokes one of the owner's other sessions, by its public id. Someone else's id gets the same
 * 404 as an unknown one, so the answer never reveals which ids exist. The current session is a
 * 409: it ends only by Log out, which also clears this browser's cookie.
 */
export async function revokeOwnSession(
  db: Database,
  owner: SignedIn,
  sessionId: string,
  request: RequestInfo,
  now = new Date(),
): Promise<void> {
  if (sessionId === owner.session.id) {
    throw currentSessionConflict();
  }
  const revoked = await revokeSessions(
    db,
    { id: sessionId, userId: owner.user.id },
    { actor: actorOf(owner), cause: "revoked_by_user", reason: "revoked by its owner", detail: `revoked by its owner from session ${owner.session.id}` },
    request,
    now,
  );
  if (revoked === 0) throw sessionNotFound();
}

/** "Sign out all other sessions": every active session of the owner except this one. */
export async function revokeOtherOwnSessions(
  db: Database,
  owner: SignedIn,
  request: RequestInfo,
  now = new Date(),
): Promise<number> {
  return revokeSessions(
    db,
    { userId: owner.user.id, id: { not: owner.session.id } },
    {
      actor: actorOf(owner),
      cause: "revoked_all",
      reason: "signed out from another session",
      detail: `"Sign out all other sessions" from session ${owner.session.id}`,
    },
    request,
    now,
  );
}
