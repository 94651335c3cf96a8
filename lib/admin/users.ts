import { z } from "zod";
import type { Config } from "../config";
import { recordAuthEvent } from "../audit";
import type { Database } from "../db";
import { fail } from "../errors";
import { keysetPage } from "../pagination/cursor";
import type { Actor } from "../actor";
import { revokeSessions } from "../sessions/revoke";
import { pendingForceLogout } from "../sessions/force-logout";
import type { RequestInfo } from "../request/types";
import { isoTimeSchema } from "../sessions/present";
import { activeSessionsOf } from "./active-counts";
import { MANY_SESSIONS } from "./sessions";
import { prefixRange } from "./prefix-range";
import { userStateEvent, webhookWrites } from "../webhooks/events";

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
 */
export async function disableUser(db: Database, actor: Actor, username: string, reason: string | undefined, request: RequestInfo, now = new Date()) {
  if (username === actor.username) throw fail("cannot_disable_self");
  const user = await findUser(db, username);
  const why = reason || "account disabled";
  if (!user.disabledAt) {
    await db.prisma.$transaction([
      db.prisma.user.update({ where: { id: user.id }, data: { disabledAt: now, disabledBy: actor.username } }),
      ...webhookWrites(db.prisma, db.webhookUrls, [userStateEvent("user.disabled", { userId: user.id, username }, actor.username, now, why)]),
    ]);
  }
  const ended = await revokeSessions(
    db,
    { userId: user.id },
    { actor, cause: "disabled", reason: why, detail: `scope: user ${username} (account disabled); reason: ${why}` },
    request,
    now,
  );
  if (!user.disabledAt) {
    await recordAuthEvent(db, {
      type: "user.disabled",
      username,
      userId: user.id,
      actor: actor.username,
      ip: request.ip,
      userAgent: request.userAgent,
      detail: why,
      count: ended,
      at: now,
    });
  }
  return { sessionsEnded: ended, alreadyDisabled: user.disabledAt !== null };
}

/** Lets a disabled account sign in again. Its old sessions stay ended. */
export async function enableUser(db: Database, actor: Actor, username: string, request: RequestInfo, now = new Date()) {
  const user = await findUser(db, username);
  if (!user.disabledAt) return { alreadyEnabled: true };
  await db.prisma.$transaction([
    db.prisma.user.update({ where: { id: user.id }, data: { disabledAt: null, disabledBy: null } }),
    ...webhookWrites(db.prisma, db.webhookUrls, [userStateEvent("user.enabled", { userId: user.id, username }, actor.username, now)]),
  ]);
  await recordAuthEvent(db, {
    type: "user.enabled",
    username,
    userId: user.id,
    actor: actor.username,
    ip: request.ip,
    userAgent: request.userAgent,
    at: now,
  });
  return { alreadyEnabled: false };
}
