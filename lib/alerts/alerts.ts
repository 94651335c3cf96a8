import { z } from "zod";
import { actorOf, type SignedIn } from "../actor";
import { recordAuthEvent } from "../audit";
import type { Config } from "../config";
import type { Database, OpenAlertRow } from "../db";
import { fail } from "../errors";
import type { RequestInfo } from "../request/types";
import { activePart } from "../sessions/active";
import { pendingForceLogoutFor } from "../sessions/force-logout";
import { revokeSessions } from "../sessions/revoke";
import { alertedDevice, deviceKey, knownSince, sameDevice } from "./new-device";
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

/** Who sees and answers alerts: a signed-in session, with where it signed in from (its device). */
export type AlertOwner = SignedIn & { session: { userAgent: string | null; ipAddress: string | null } };

/** How many open alerts a page or the API shows at most. */
const SHOWN = 20;
/** How many an answer reads to decide; someone with more open alerts than that answers none (answerableAlerts). */
const READ_AT_MOST = 1_000;

const alertNotFound = () => fail("alert_not_found");

/** Still open: neither dismissed nor reported, and younger than the known-device window. */
function stillOpen(owner: SignedIn, now: Date) {
  return { userId: owner.user.id, dismissedAt: null, reportedAt: null, createdAt: { gte: knownSince(now) } };
}

/**
 * The open alerts `owner` may see and answer, newest first, at most `atMost` — about sessions still
 * active (once that session has ended, revoked from Settings > Sessions or expired, there is nothing
 * left to answer). None while the owner's own device is under one: the alerted session, a later
 * session from the same device, or another new device whose own alert is open is as unknown to us
 * as the next sign-in, and would otherwise make the alerts about it go away before the person's
 * known devices see them. Whether the owner's device is among them is known only once all are
 * read: more than `atMost` are read again up to READ_AT_MOST, and beyond that none is answerable.
 */
async function answerableAlerts(db: Database, config: Config, owner: AlertOwner, now: Date, atMost: number): Promise<OpenAlertRow[]> {
  const active = activePart(config, now, await pendingForceLogoutFor(db, owner));
  const since = knownSince(now);
  let rows = await db.openAlerts(owner.user.id, since, active, atMost + 1);
  if (rows.length > atMost && atMost < READ_AT_MOST) rows = await db.openAlerts(owner.user.id, since, active, READ_AT_MOST + 1);
  if (rows.length > READ_AT_MOST) return [];
  const own = deviceKey({ userAgent: owner.session.userAgent, ip: owner.session.ipAddress });
  if (rows.some((row) => sameDevice(alertedDevice(row), own))) return [];
  return rows.slice(0, atMost);
}

/** An alert `owner` may answer (answerableAlerts), or 404: someone else's, an unknown, a closed one alike. */
async function requireAnswerable(db: Database, config: Config, owner: AlertOwner, alertId: string, now: Date): Promise<void> {
  const open = await answerableAlerts(db, config, owner, now, READ_AT_MOST);
  if (!open.some((row) => row.id === alertId)) throw alertNotFound();
}

/** The signed-in person's open new-device alerts that this session may see (answerableAlerts), newest first. */
export async function listOpenAlerts(db: Database, config: Config, owner: AlertOwner, now = new Date()): Promise<AlertJson[]> {
  const rows = await answerableAlerts(db, config, owner, now, SHOWN);
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

/** "This was me": the alert goes away. One this session may not answer (requireAnswerable): 404. */
export async function dismissAlert(db: Database, config: Config, owner: AlertOwner, alertId: string, now = new Date()): Promise<void> {
  await requireAnswerable(db, config, owner, alertId, now);
  const { count } = await db.prisma.sessionAlert.updateMany({ where: { id: alertId, ...stillOpen(owner, now) }, data: { dismissedAt: now } });
  if (count === 0) throw alertNotFound();
}

/**
 * "Sign it out": revokes the alert's session (its owner's doing, cause revoked_by_user) and marks the
 * alert reported, which the Admin Panel flags. Returns how many sessions ended (0 when it had already
 * ended). One this session may not answer (requireAnswerable): 404.
 */
export async function reportAlert(db: Database, config: Config, owner: AlertOwner, alertId: string, request: RequestInfo, now = new Date()): Promise<number> {
  await requireAnswerable(db, config, owner, alertId, now);
  // Closed in one statement before anything else, so that of a report and a dismissal (or two
  // reports) sent at once, only one finds it open: the others are 404.
  const claimed = await db.prisma.sessionAlert.updateManyAndReturn({ where: { id: alertId, ...stillOpen(owner, now) }, data: { reportedAt: now, dismissedAt: now } });
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
