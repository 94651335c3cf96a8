import { describe, expect, it } from "vitest";
import { listOpenAlerts } from "@/lib/alerts/alerts";
import { listSettingsSessions } from "@/lib/sessions/own-sessions";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { USER_KEY, later, minutes, signIn, tempDatabase, testConfig } from "./helpers";

const T0 = new Date("2026-12-01T10:00:00.000Z");
const HOME = { ip: "203.0.113.4", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" };
const CHROME = { ip: "198.51.100.7", userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36" };

/** A statement that reads the cutoff on its own (the backends' statement, or Prisma's, schema-qualified), not joined in. */
const readsCutoff = (sql: string) => /\bFROM\s+(?:"\w+"\.)?"?ForceLogoutCutoff"?/i.test(sql);

/** What Settings > Sessions reads for one request: the check, the alert banner, the active list and "Recently ended". */
async function pageReads(db: Awaited<ReturnType<typeof tempDatabase>>["db"], cookie: string, now: Date) {
  const config = testConfig();
  const check = await validateSessionCookie(db, config, cookie, HOME, now);
  if (check.status !== "active") return { check, alerts: [], active: [], ended: [] };
  const alerts = await listOpenAlerts(db, config, check, now);
  const lists = await listSettingsSessions(db, config, check, { limit: 20 }, 10, now);
  return { check, alerts: alerts.map((a) => a.sessionId), active: lists.active?.sessions.map((s) => s.id) ?? [], ended: lists.ended.map((s) => s.id) };
}

describe("a signed-in page's reads", () => {
  it("take the force logout in progress from the session check's own statement, not from a read of their own each", async () => {
    const sent: string[] = [];
    const { db } = await tempDatabase({ onQuery: (sql) => sent.push(sql) });
    const config = testConfig();
    const laptop = await signIn(db, config, "erin", USER_KEY, false, HOME, T0);
    const intruder = await signIn(db, config, "erin", USER_KEY, false, CHROME, later(T0, minutes(1)));
    const now = later(T0, minutes(2));

    sent.length = 0;
    const before = await pageReads(db, laptop.cookie, now);
    expect(before.check.status).toBe("active");
    expect(before.alerts).toEqual([intruder.session.id]);
    expect(new Set(before.active)).toEqual(new Set([laptop.session.id, intruder.session.id]));
    expect(before.ended).toEqual([]);
    expect(sent.filter(readsCutoff)).toEqual([]);

    // A force logout that keeps the laptop and is still marking rows: the intruder's session is gone
    // from the banner and the active list at once, though its row is not marked yet.
    await db.prisma.forceLogoutCutoff.create({
      data: { id: 1, at: later(T0, minutes(1)), keepSessionId: laptop.session.id, revokedBy: "root", revokeReason: "incident", endReason: "revoked_all" },
    });
    sent.length = 0;
    const during = await pageReads(db, laptop.cookie, now);
    expect(during.check.status).toBe("active");
    expect(during.alerts).toEqual([]);
    expect(during.active).toEqual([laptop.session.id]);
    expect(sent.filter(readsCutoff)).toEqual([]);
  });
});
