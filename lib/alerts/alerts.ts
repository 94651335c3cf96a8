import { z } from "zod";
import { actorOf, type SignedIn } from "../actor";
import { authEventRow, type AuthEventInput } from "../audit";
import type { Config } from "../config";
import { TRANSACTION_LIMITS, type Database, type OpenAlertRow, type Prisma } from "../db";
import { fail } from "../errors";
import type { RequestInfo } from "../request/types";
import { activePart, activeSessionWhere, pendingForceLogout, type PendingForceLogout } from "../sessions/active";
import { pendingForceLogoutFor } from "../sessions/force-logout";
import { recordRevocation, revokeInTransaction, type Revocation } from "../sessions/revoke";
import { recordSessionsEnded } from "../metrics/metrics";
import { withSpan } from "../tracing";
import { deviceKey, deviceOf, knownSince, sameDevice } from "./new-device";
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

const alertNotFound = () => fail("alert_not_found");

/** Still open: neither dismissed nor reported, and younger than the known-device window. */
function stillOpen(userId: string, now: Date) {
  return { userId, dismissedAt: null, reportedAt: null, createdAt: { gte: knownSince(now) } };
}

const ownDevice = (owner: AlertOwner) => deviceKey({ userAgent: owner.session.userAgent, ip: owner.session.ipAddress });

/**
 * Whether the asking session's device is under an open alert, whatever became of the alerted
 * session. A session from such a device — the alerted one, a later one from the same device, or
 * another new device whose own alert is open — is as unknown to us as the next sign-in, and would
 * otherwise make the alerts about it go away before the person's known devices see them: it sees
 * none and answers none. The database compares the families, this the network.
 */
async function underOpenAlert(db: Database, owner: AlertOwner, now: Date): Promise<boolean> {
  const own = ownDevice(owner);
  const rows = await db.prisma.sessionAlert.findMany({
    where: { ...stillOpen(owner.user.id, now), browserFamily: own.browserFamily || null, osFamily: own.osFamily || null },
    select: { browserFamily: true, osFamily: true, ipAddress: true },
  });
  return rows.some((row) => sameDevice(deviceOf(row), own));
}

/**
 * Of open alerts, those left to answer: about a session that still works, or about one that no
 * longer does while another session from its device still works (ending the alerted session does
 * not undo its device's sign-in). Reads the person's active sessions only when one is needed.
 */
async function leftToAnswer(db: Database, config: Config, userId: string, now: Date, pending: PendingForceLogout | null, rows: OpenAlertRow[]): Promise<OpenAlertRow[]> {
  if (rows.every((row) => row.sessionActive)) return rows;
  const sessions = await db.prisma.session.findMany({
    where: { AND: [{ userId }, activeSessionWhere(config, now, pending)] },
    select: { browserFamily: true, osFamily: true, ipAddress: true },
  });
  const devices = sessions.map(deviceOf);
  return rows.filter((row) => row.sessionActive || devices.some((device) => sameDevice(device, deviceOf(row))));
}

/**
 * The signed-in person's open new-device alerts that this session may see (underOpenAlert) and that
 * are left to answer (leftToAnswer), newest first.
 */
export async function listOpenAlerts(db: Database, config: Config, owner: AlertOwner, now = new Date()): Promise<AlertJson[]> {
  const pending = await pendingForceLogoutFor(db, owner);
  const rows = await db.openAlerts(owner.user.id, knownSince(now), activePart(config, now, pending), SHOWN + 1);
  // Every open alert read: whether this device is under one is in them; more: asked of the database.
  const own = ownDevice(owner);
  const under = rows.length <= SHOWN ? rows.some((row) => sameDevice(deviceOf(row), own)) : await underOpenAlert(db, owner, now);
  if (under) return [];
  const shown = await leftToAnswer(db, config, owner.user.id, now, pending, rows.slice(0, SHOWN));
  return shown.map((row) => ({
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

/** An alert this session may answer: as listOpenAlerts would list it. Any other (someone else's, unknown, closed): 404. */
async function requireAnswerable(db: Database, config: Config, owner: AlertOwner, alertId: string, now: Date): Promise<void> {
  if (await underOpenAlert(db, owner, now)) throw alertNotFound();
  const row = await db.prisma.sessionAlert.findFirst({ where: { id: alertId, ...stillOpen(owner.user.id, now) } });
  if (!row) throw alertNotFound();
  const pending = await pendingForceLogoutFor(db, owner);
  const works = await db.prisma.session.count({ where: { AND: [{ id: row.sessionId, userId: owner.user.id }, activeSessionWhere(config, now, pending)] } });
  if ((await leftToAnswer(db, config, owner.user.id, now, pending, [{ ...row, sessionActive: works > 0 }])).length === 0) throw alertNotFound();
}

/** "This was me": the alert goes away. One this session may not answer (requireAnswerable): 404. */
export async function dismissAlert(db: Database, config: Config, owner: AlertOwner, alertId: string, now = new Date()): Promise<void> {
  await requireAnswerable(db, config, owner, alertId, now);
  const { count } = await db.prisma.sessionAlert.updateMany({ where: { id: alertId, ...stillOpen(owner.user.id, now) }, data: { dismissedAt: now } });
  if (count === 0) throw alertNotFound();
}

/**
 * "Sign it out": signs the alert's device out (signOutDevice; its owner's doing, cause
 * revoked_by_user) and marks the alert reported, which the Admin Panel flags. Returns how many
 * sessions ended (0 when they had already). One this session may not answer (requireAnswerable): 404.
 */
export async function reportAlert(db: Database, config: Config, owner: AlertOwner, alertId: string, request: RequestInfo, now = new Date()): Promise<number> {
  await requireAnswerable(db, config, owner, alertId, now);
  const revoked = await reportDevice(
    db,
    // Of a report and a dismissal (or two reports) sent at once, only one finds it open: the others are 404.
    async (tx) => {
      const [alert] = await tx.sessionAlert.updateManyAndReturn({ where: { id: alertId, ...stillOpen(owner.user.id, now) }, data: { reportedAt: now, dismissedAt: now } });
      return alert ? { ...alert, username: owner.user.username } : null;
    },
    {
      actor: actorOf(owner),
      cause: "revoked_by_user",
      reason: REPORTED_REASON,
      detail: () => `reported by its owner from session ${owner.session.id}: new-device sign-in not theirs`,
    },
    request,
    now,
  );
  if (revoked === null) throw alertNotFound();
  return revoked;
}

/** An alert closed as reported, with its owner's username (for the audit trail). */
type ClaimedAlert = AlertRow & { username: string };

/** Who reports, and the audit's words for a claimed alert's revocations. */
type Report = Omit<Revocation, "detail"> & { detail: (alert: AlertRow) => string };

/**
 * A report, whichever way it came (the banner, the mailed link): `claim` closes the alert in one
 * statement (null: it was not open to this answer), then its device is signed out (signOutDevice)
 * and the report recorded — all in one transaction, so that a failure on the way (the database
 * going away) leaves the alert open and the device signed in, to be answered again, never a closed
 * alert with its device still in. Returns how many sessions ended, or null when nothing was claimed.
 */
export async function reportDevice(
  db: Database,
  claim: (tx: Prisma.TransactionClient) => Promise<ClaimedAlert | null>,
  report: Report,
  request: RequestInfo,
  now: Date,
): Promise<number | null> {
  const pending = await pendingForceLogout(db);
  const revoked = await withSpan("session.revoke", async (span) => {
    recordRevocation(span, report);
    return db.prisma.$transaction(async (tx) => {
      const alert = await claim(tx);
      if (!alert) return null;
      const ended = await signOutDevice(tx, db, alert, { ...report, detail: report.detail(alert) }, request, now, pending);
      await tx.authEvent.create({ data: authEventRow(reportEvent(alert, report.actor.username, request, now)) });
      return ended;
    }, TRANSACTION_LIMITS);
  });
  if (revoked !== null) recordSessionsEnded(report.cause, revoked);
  return revoked;
}

/**
 * A reported alert's device, signed out: every session of the person from it ends — the alerted
 * one and any later one from the same device — and the device is known no more, so its next
 * sign-in raises an alert again. Returns how many sessions ended.
 */
async function signOutDevice(
  tx: Prisma.TransactionClient,
  db: Database,
  alert: AlertRow,
  by: Revocation,
  request: RequestInfo,
  now: Date,
  pending: PendingForceLogout | null,
): Promise<number> {
  const device = deviceOf(alert);
  const sessions = await tx.session.findMany({ where: { userId: alert.userId, revokedAt: null }, select: { id: true, browserFamily: true, osFamily: true, ipAddress: true } });
  const ids = sessions.filter((session) => session.id === alert.sessionId || sameDevice(deviceOf(session), device)).map((session) => session.id);
  await tx.knownDevice.deleteMany({ where: { userId: alert.userId, ...device } });
  return revokeInTransaction(tx, db, { userId: alert.userId, id: { in: ids } }, by, request, now, pending);
}

type AlertRow = { id: string; userId: string; sessionId: string; browserFamily: string | null; osFamily: string | null; ipAddress: string | null; country: string | null; city: string | null };

/** The Admin Panel's flag: a session.reported event (the events page shows it, filterable by type). */
function reportEvent(alert: ClaimedAlert, actor: string, request: RequestInfo, now: Date): AuthEventInput {
  const words = { browser: alert.browserFamily, os: alert.osFamily, ipAddress: alert.ipAddress, country: alert.country, city: alert.city };
  return {
    type: "session.reported",
    username: alert.username,
    userId: alert.userId,
    sessionId: alert.sessionId,
    ip: request.ip,
    userAgent: request.userAgent,
    actor,
    detail: `new-device sign-in reported as not theirs: ${deviceWords(words)}, ${whereWords(words)}`,
    count: 1,
    at: now,
  };
}

/** The revokeReason of a session its owner reported from a new-device alert; the Admin Panel flags it. */
export const REPORTED_REASON = "reported by its owner: not them";
