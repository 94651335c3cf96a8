import { z } from "zod";
import { actorOf, type SignedIn } from "../actor";
import { recordAuthEvent } from "../audit";
import type { Config } from "../config";
import type { Database } from "../db";
import { fail } from "../errors";
import type { RequestInfo } from "../request/types";
import { activePart } from "../sessions/active";
import { pendingForceLogoutFor } from "../sessions/force-logout";
import { revokeSessions } from "../sessions/revoke";
import { knownSince } from "./new-device";
import { deviceWords, whereWords } from "./words";

/** A new-device alert as GET /api/alerts lists it (the banner shows the same). */
export const alertJsonSchema = z.object({
  id: z.string(),
  sessionId: z.string().describe("The public id of the session that signed in from the new device"),
  browser: z.string().nullable().describe('Browser family, e.g. "Firefox"; null when unknown'),
  os: z.string().nullable().describe('Operating system family, e.g. "Linux"; null when unknown'),
  ipAddress: z.string().nullable(),
  country: z.string().nullable().describe("ISO 3166-1 alpha-2, from a trusted proxy"),
  city: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type AlertJson = z.infer<typeof alertJsonSchema>;

export const alertListSchema = z.object({ alerts: z.array(alertJsonSchema) });
export type AlertList = z.infer<typeof alertListSchema>;

export const dismissedAnswerSchema = z.object({ dismissed: z.literal(1) });
export type DismissedAnswer = z.infer<typeof dismissedAnswerSchema>;

/** An alert id (base64url, as generateId makes them). */
export const alertIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not an alert id");

/** How many open alerts a page or the API shows at most. */
const SHOWN = 20;

const alertNotFound = () => fail("alert_not_found");

/**
 * Where a person's open alerts are: theirs, neither dismissed nor reported, younger than the
 * known-device window, and about another session than the one asking (a new device is not warned
 * about itself).
 */
function openAlertsWhere(owner: SignedIn, now: Date) {
  return { userId: owner.user.id, sessionId: { not: owner.session.id }, dismissedAt: null, reportedAt: null, createdAt: { gte: knownSince(now) } };
}

/**
 * The signed-in person's open new-device alerts, newest first — about sessions still active: once
 * that session has ended (revoked from Settings > Sessions, expired) there is nothing left to answer.
 */
export async function listOpenAlerts(db: Database, config: Config, owner: SignedIn, now = new Date()): Promise<AlertJson[]> {
  const active = activePart(config, now, await pendingForceLogoutFor(db, owner));
  const rows = await db.openAlerts(owner.user.id, owner.session.id, knownSince(now), active, SHOWN);
  return rows.map((row) => ({
    id: row.id,
    sessionId: row.sessionId,
    browser: row.browserFamily,
    os: row.osFamily,
    ipAddress: row.ipAddress,
    country: row.country,
    city: row.city,
    createdAt: row.createdAt.toISOString(),
  }));
}

/** "This was me": the alert goes away. Someone else's, an unknown or a closed alert alike: 404. */
export async function dismissAlert(db: Database, owner: SignedIn, alertId: string, now = new Date()): Promise<void> {
  const { count } = await db.prisma.sessionAlert.updateMany({ where: { id: alertId, ...openAlertsWhere(owner, now) }, data: { dismissedAt: now } });
  if (count === 0) throw alertNotFound();
}

/**
 * "Sign it out": revokes the alert's session (its owner's doing, cause revoked_by_user) and marks the
 * alert reported, which the Admin Panel flags. Returns how many sessions ended (0 when it had already
 * ended). Someone else's, an unknown or a closed alert alike: 404.
 */
export async function reportAlert(db: Database, config: Config, owner: SignedIn, alertId: string, request: RequestInfo, now = new Date()): Promise<number> {
  // Closed in one statement before anything else, so that of a report and a dismissal (or two
  // reports) sent at once, only one finds it open: the others are 404.
  const claimed = await db.prisma.sessionAlert.updateManyAndReturn({ where: { id: alertId, ...openAlertsWhere(owner, now) }, data: { reportedAt: now, dismissedAt: now } });
  const alert = claimed[0];
  if (!alert) throw alertNotFound();
  const revoked = await revokeSessions(
    db,
    config,
    { id: alert.sessionId, userId: owner.user.id },
    {
      actor: actorOf(owner),
      cause: "revoked_by_user",
      reason: REPORTED_REASON,
      detail: `reported by its owner from session ${owner.session.id}: new-device sign-in not theirs`,
    },
    request,
    now,
  );
  await recordReport(db, alert, { username: owner.user.username, actor: owner.user.username }, request, now);
  return revoked;
}

type AlertRow = { id: string; userId: string; sessionId: string; browserFamily: string | null; osFamily: string | null; ipAddress: string | null; country: string | null; city: string | null };

/** The Admin Panel's flag: a session.reported event (the events page shows it, filterable by type). */
export async function recordReport(db: Database, alert: AlertRow, who: { username: string; actor: string }, request: RequestInfo, now: Date) {
  const words = { browser: alert.browserFamily, os: alert.osFamily, ipAddress: alert.ipAddress, country: alert.country, city: alert.city };
  await recordAuthEvent(db, {
    type: "session.reported",
    username: who.username,
    userId: alert.userId,
    sessionId: alert.sessionId,
    ip: request.ip,
    userAgent: request.userAgent,
    actor: who.actor,
    detail: `new-device sign-in reported as not theirs: ${deviceWords(words)}, ${whereWords(words)}`,
    count: 1,
    at: now,
  });
}

/** The revokeReason of a session its owner reported from a new-device alert; the Admin Panel flags it. */
export const REPORTED_REASON = "reported by its owner: not them";
