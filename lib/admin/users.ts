import { z } from "zod";
import type { Config } from "../config";
import { authEventRow } from "../audit";
import { TRANSACTION_LIMITS, type Database, type Prisma } from "../db";
import { fail } from "../errors";
import { keysetPage } from "../pagination/cursor";
import type { Actor } from "../actor";
import { pendingForceLogout, revocableSessionWhere } from "../sessions/active";
import { revokeSessions } from "../sessions/revoke";
import type { RequestInfo } from "../request/types";
import { isoTimeSchema } from "../sessions/present";
import { activeSessionsOf } from "./active-counts";
import { MANY_SESSIONS } from "./sessions";
import { prefixRange } from "./prefix-range";
import { enqueueWebhookEvents, userStateEvent } from "../webhooks/events";

export const adminUserJsonSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
  role: z.string().describe("As of the user's latest sign-in; the role itself is derived at every request"),
  authSource: z.string().describe("static or oidc"),
  activeSessions: z.number().int().min(0),
  flagged: z.boolean().describe(`More than ${MANY_SESSIONS} active sessions`),
  lastLoginAt: isoTimeSchema.nullable(),
  createdAt: isoTimeSchema,
  disabled: z.boolean(),
  disabledAt: isoTimeSchema.nullable(),
  disabledBy: z.string().nullable(),
});
export type AdminUserJson = z.infer<typeof adminUserJsonSchema>;

/** A page of users; nextCursor is the last username, passed back as ?cursor=. */
export const adminUserPageSchema = z.object({ users: z.array(adminUserJsonSchema), nextCursor: z.string().nullable() });
export type AdminUserPage = z.infer<typeof adminUserPageSchema>;

/** POST /api/admin/users/{username}/disable and …/enable: the account's state after the action. */
export const userStateAnswerSchema = z.union([
  z.object({
    username: z.string(),
    disabled: z.literal(true),
    changed: z.boolean().describe("false when the account was disabled already"),
    sessionsEnded: z.number().int().min(0),
  }),
  z.object({ username: z.string(), disabled: z.literal(false), changed: z.boolean().describe("false when the account was enabled already") }),
]);
export type UserStateAnswer = z.infer<typeof userStateAnswerSchema>;

/** Known users in username order, a page at a time (keyset on the unique username). */
export async function listUsers(
  db: Database,
  config: Config,
  query: { prefix?: string; after?: string; limit: number },
  now = new Date(),
): Promise<AdminUserPage> {
  const rows = await db.prisma.user.findMany({
    where: {
      AND: [query.prefix ? { username: prefixRange(query.prefix) } : {}, query.after ? { username: { gt: query.after } } : {}],
    },
    orderBy: { username: "asc" },
    take: query.limit + 1,
  });
  const shown = keysetPage(rows, query.limit, (last) => last.username);
  const counts = await activeSessionsOf(db, config, shown.rows.map((user) => user.id), now, await pendingForceLogout(db));
  return {
    users: shown.rows.map((user) => {
      const activeSessions = counts.get(user.id) ?? 0;
      return {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        email: user.email,
        role: user.role,
        authSource: user.authSource,
        activeSessions,
        flagged: activeSessions > MANY_SESSIONS,
        lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
        createdAt: user.createdAt.toISOString(),
        disabled: user.disabledAt !== null,
        disabledAt: user.disabledAt?.toISOString() ?? null,
        disabledBy: user.disabledBy,
      };
    }),
    nextCursor: shown.nextCursor,
  };
}

async function findUser(db: Database, username: string) {
  const user = await db.prisma.user.findUnique({ where: { username } });
  if (!user) throw fail("user_not_found");
  return user;
}

/**
 * Disables an account: every session of it ends at its next request ("Your account has been
 * disabled") and sign-ins are refused until an admin enables it again. Admins cannot lock
 * themselves out. Returns how many sessions ended.
 *
 * The account's new state, its audit event and its webhook event commit together, and only once
 * however many admins disable it at the same moment (only the write that finds it enabled counts).
 * From that commit on the session check refuses every session of it; marking them ended afterwards
 * is bookkeeping, which disabling it again finishes if it stopped part-way.
 */
export async function disableUser(db: Database, actor: Actor, username: string, reason: string | undefined, request: RequestInfo, now = new Date()) {
  if (username === actor.username) throw fail("cannot_disable_self");
  const user = await findUser(db, username);
  const why = reason || "account disabled";
  // The sessions it ends, as revokeSessions picks them: its audit event counts those.
  const active = revocableSessionWhere(now, await pendingForceLogout(db));
  const disabledNow = await changeUserState(db, actor, user, request, now, { reason: why, active });
  const ended = await revokeSessions(
    db,
    { userId: user.id },
    { actor, cause: "disabled", reason: why, detail: `scope: user ${username} (account disabled); reason: ${why}` },
    request,
    now,
  );
  return { sessionsEnded: ended, alreadyDisabled: !disabledNow };
}

/** Lets a disabled account sign in again. Its old sessions stay ended. */
export async function enableUser(db: Database, actor: Actor, username: string, request: RequestInfo, now = new Date()) {
  const user = await findUser(db, username);
  return { alreadyEnabled: !(await changeUserState(db, actor, user, request, now)) };
}

/** What a disable ends, in the words of its audit event, and which of the account's sessions it ends (those that still work). */
type Disabling = { reason: string; active: Prisma.SessionWhereInput };

/**
 * Disables (`disabling` given) or enables the account in one transaction with its audit event (a
 * disable's carries how many sessions it ends) and webhook event, if it is not in that state
 * already: false when it was.
 */
async function changeUserState(
  db: Database,
  actor: Actor,
  user: { id: string; username: string },
  request: RequestInfo,
  now: Date,
  disabling?: Disabling,
): Promise<boolean> {
  const type = disabling ? "user.disabled" : "user.enabled";
  return db.prisma.$transaction(async (tx) => {
    const { count } = await tx.user.updateMany({
      where: { id: user.id, disabledAt: disabling ? null : { not: null } },
      data: disabling ? { disabledAt: now, disabledBy: actor.username } : { disabledAt: null, disabledBy: null },
    });
    if (count === 0) return false;
    const ending = disabling ? await tx.session.count({ where: { AND: [{ userId: user.id }, disabling.active] } }) : undefined;
    const reason = disabling?.reason;
    await tx.authEvent.create({
      data: authEventRow({ type, username: user.username, userId: user.id, actor: actor.username, ip: request.ip, userAgent: request.userAgent, detail: reason, count: ending, at: now }),
    });
    await enqueueWebhookEvents(tx, db.webhookUrls, [userStateEvent(type, { userId: user.id, username: user.username }, actor.username, now, reason)]);
    return true;
  }, TRANSACTION_LIMITS);
}
