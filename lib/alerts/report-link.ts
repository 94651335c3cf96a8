import { z } from "zod";
import { EMAIL_LINK_ACTOR } from "../actor";
import type { Database } from "../db";
import { fail } from "../errors";
import type { RequestInfo } from "../request/types";
import { generateSessionToken, hashSessionToken, SESSION_TOKEN_PATTERN } from "../sessions/token";
import { reportDevice, REPORTED_REASON, type AlertJson } from "./alerts";

/**
 * The "This wasn't me" link of a mailed new-device alert: a random single-use token, stored only as
 * its SHA-256 on the alert, good for REPORT_LINK_DAYS and for one thing only — revoking that alert's
 * session. It is not the session's token and cannot sign anyone in; looked up nowhere else.
 */
export const REPORT_LINK_DAYS = 7;

/** The link's token as it travels (?token= on the page, `token` in the form). */
export const reportTokenSchema = z.string().regex(new RegExp(`^${SESSION_TOKEN_PATTERN}$`), "not a report link token");
export const reportLinkFormSchema = z.object({ token: reportTokenSchema });

/** Makes the alert's link (once: an alert that has one keeps it). Returns the raw token, or null. */
export async function issueReportLink(db: Database, alertId: string, now = new Date()): Promise<string | null> {
  const token = generateSessionToken();
  const { count } = await db.prisma.sessionAlert.updateMany({
    where: { id: alertId, reportTokenHash: null },
    data: { reportTokenHash: hashSessionToken(token), reportTokenExpiresAt: new Date(now.getTime() + REPORT_LINK_DAYS * 24 * 60 * 60_000) },
  });
  return count === 1 ? token : null;
}

/** The report page's `outcome` after its form used the link: words of success for a link that is used. */
export const JUST_USED = "revoked";

export type ReportLinkState =
  | { state: "valid"; alert: Pick<AlertJson, "browser" | "os" | "ipAddress" | "country" | "city" | "createdAt"> }
  | { state: "used" }
  | { state: "invalid" };

/** What the confirmation page shows for a token: the sign-in it names, or why it cannot be used. */
export async function readReportLink(db: Database, token: string, now = new Date()): Promise<ReportLinkState> {
  const parsed = reportTokenSchema.safeParse(token);
  if (!parsed.success) return { state: "invalid" };
  const row = await db.prisma.sessionAlert.findUnique({ where: { reportTokenHash: hashSessionToken(parsed.data) } });
  if (!row || !row.reportTokenExpiresAt) return { state: "invalid" };
  if (row.reportTokenUsedAt) return { state: "used" };
  if (row.reportTokenExpiresAt <= now) return { state: "invalid" };
  return {
    state: "valid",
    alert: { browser: row.browserFamily, os: row.osFamily, ipAddress: row.ipAddress, country: row.country, city: row.city, createdAt: row.createdAt.toISOString() },
  };
}

/**
 * Uses the link: marks it used (one statement, so only one use ever wins), reports the alert and
 * signs its device out (reportDevice: all or nothing; cause revoked_by_user, actor "email-link").
 * Returns how many sessions ended (0 when they had ended already). A used link: report_link_used;
 * unknown or expired: report_link_invalid.
 */
export async function useReportLink(db: Database, token: string, request: RequestInfo, now = new Date()): Promise<number> {
  const hash = hashSessionToken(token);
  const revoked = await reportDevice(
    db,
    async (tx) => {
      const [alert] = await tx.sessionAlert.updateManyAndReturn({
        where: { reportTokenHash: hash, reportTokenUsedAt: null, reportTokenExpiresAt: { gt: now } },
        data: { reportTokenUsedAt: now, reportedAt: now, dismissedAt: now },
      });
      if (!alert) return null;
      const owner = await tx.user.findUniqueOrThrow({ where: { id: alert.userId }, select: { username: true } });
      return { ...alert, username: owner.username };
    },
    { actor: EMAIL_LINK_ACTOR, cause: "revoked_by_user", reason: REPORTED_REASON, detail: (alert) => `reported from new-device alert ${alert.id}'s emailed link` },
    request,
    now,
  );
  if (revoked === null) {
    const state = await readReportLink(db, token, now);
    throw fail(state.state === "used" ? "report_link_used" : "report_link_invalid");
  }
  return revoked;
}
