import { describe, expect, it } from "vitest";
import { dismissAlert, listOpenAlerts, reportAlert } from "@/lib/alerts/alerts";
import { addressNetwork } from "@/lib/alerts/network";
import { issueReportLink, useReportLink } from "@/lib/alerts/report-link";
import { pruneDevicesAndAlerts } from "@/lib/alerts/new-device";
import { cleanupSessions } from "@/lib/sessions/cleanup";
import { activePart } from "@/lib/sessions/active";
import { deviceWords, whereWords } from "@/lib/alerts/words";
import { revokeOwnSession } from "@/lib/sessions/own-sessions";
import { endSessionByLogout, validateSessionCookie } from "@/lib/sessions/sessions";
import { USER_KEY, days, later, minutes, signIn, tempDatabase, testConfig } from "./helpers";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const FIREFOX_NEWER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const HOME = { ip: "203.0.113.4", userAgent: FIREFOX, location: { country: "DE", city: "Berlin" } };
const T0 = new Date("2026-12-01T10:00:00.000Z");

describe("the network an address belongs to", () => {
  it("is the /24 of IPv4 and the /48 of IPv6, mapped addresses counting as IPv4", () => {
    expect(addressNetwork("203.0.113.4")).toBe("203.0.113.0/24");
    expect(addressNetwork("203.0.113.250")).toBe("203.0.113.0/24");
    expect(addressNetwork("::ffff:203.0.113.9")).toBe("203.0.113.0/24");
    expect(addressNetwork("::ffff:cb00:7109")).toBe("203.0.113.0/24");
    expect(addressNetwork("2001:db8:1:2::5")).toBe("2001:db8:1::/48");
    expect(addressNetwork("2001:0db8:0001:ffff:1:2:3:4")).toBe("2001:db8:1::/48");
    expect(addressNetwork("2001:db8::1")).toBe("2001:db8::/48");
    expect(addressNetwork("[2001:DB8:1::7]")).toBe("2001:db8:1::/48");
    expect(addressNetwork("::1")).toBe("::/48");
  });

  it("is empty for an unknown or unparsable address", () => {
    expect(addressNetwork(null)).toBe("");
    expect(addressNetwork("")).toBe("");
    expect(addressNetwork("not-an-ip")).toBe("");
    expect(addressNetwork("300.1.2.3")).toBe("");
    expect(addressNetwork("2001:db8::1::2")).toBe("");
  });
});

describe("an alert's words", () => {
  it("name the device and where, saying what is unknown", () => {
    expect(deviceWords({ browser: "Firefox", os: "Linux" })).toBe("Firefox on Linux");
    expect(deviceWords({ browser: "Firefox", os: null })).toBe("Firefox");
    expect(deviceWords({ browser: null, os: "Linux" })).toBe("a Linux device");
    expect(deviceWords({ browser: null, os: null })).toBe("an unknown device");
    expect(whereWords({ ipAddress: "203.0.113.4", country: "DE", city: "Berlin" })).toBe("203.0.113.4 (Berlin, DE)");
    expect(whereWords({ ipAddress: "203.0.113.4", country: "DE", city: null })).toBe("203.0.113.4 (DE)");
    expect(whereWords({ ipAddress: null, country: null, city: null })).toBe("an unknown address");
  });
});

describe("new-device alerts", () => {
  it("raise nothing on a first sign-in or from a known device, and one from a new browser or network", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const first = await signIn(db, config, "alice", USER_KEY, false, HOME, T0);
    expect(first.session.id).toBeTruthy();
    // The same browser family in a newer version, on another address of the same /24: known.
    await signIn(db, config, "alice", USER_KEY, false, { ...HOME, ip: "203.0.113.77", userAgent: FIREFOX_NEWER }, later(T0, minutes(1)));
    expect(await db.prisma.sessionAlert.count()).toBe(0);

    // Another browser on a known network: new.
    await signIn(db, config, "alice", USER_KEY, false, { ...HOME, userAgent: CHROME }, later(T0, minutes(2)));
    // A known browser on another network: new.
    const travel = await signIn(db, config, "alice", USER_KEY, false, { ip: "198.51.100.7", userAgent: FIREFOX, location: { country: "FR", city: "Paris" } }, later(T0, minutes(3)));
    const alerts = await db.prisma.sessionAlert.findMany({ orderBy: { createdAt: "asc" } });
    expect(alerts.map((a) => [a.browserFamily, a.osFamily, a.ipAddress])).toEqual([
      ["Chrome", "Windows", "203.0.113.4"],
      ["Firefox", "Linux", "198.51.100.7"],
    ]);
    expect(alerts[1]).toMatchObject({ sessionId: travel.session.id, country: "FR", city: "Paris", dismissedAt: null, reportedAt: null });
    // Each is known from then on.
    await signIn(db, config, "alice", USER_KEY, false, { ...HOME, ip: "198.51.100.8" }, later(T0, minutes(4)));
    expect(await db.prisma.sessionAlert.count()).toBe(2);
    // Another user's devices are not alice's.
    await signIn(db, config, "bob", USER_KEY, false, HOME, T0);
    expect(await db.prisma.sessionAlert.count({ where: { user: { username: "bob" } } })).toBe(0);
  });

  it("remember a device for 90 days after its last sign-in, whether or not its sessions still exist", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    await signIn(db, config, "carol", USER_KEY, false, HOME, T0);
    const other = { ip: "192.0.2.10", userAgent: CHROME };
    await signIn(db, config, "carol", USER_KEY, false, other, later(T0, days(1)));
    expect(await db.prisma.sessionAlert.count()).toBe(1);
    // Every session gone (ended sessions are deleted): the devices stay known.
    await db.prisma.session.deleteMany({});
    await signIn(db, config, "carol", USER_KEY, false, HOME, later(T0, days(80)));
    expect(await db.prisma.sessionAlert.count()).toBe(1);
    // 91 days after the other device's last sign-in it is new again, and it is pruned from the table.
    await signIn(db, config, "carol", USER_KEY, false, other, later(T0, days(92)));
    expect(await db.prisma.sessionAlert.count({ where: { ipAddress: other.ip } })).toBe(1);
    // The first alert (older than 90 days) was deleted by that sign-in's pruning.
    expect((await db.prisma.sessionAlert.findMany()).map((a) => a.createdAt.toISOString())).toEqual([later(T0, days(92)).toISOString()]);
    expect(await db.prisma.knownDevice.count()).toBe(2);
  });

  it("are pruned with the devices of users who stopped signing in, after 90 days", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    await signIn(db, config, "gone", USER_KEY, false, HOME, T0);
    await signIn(db, config, "gone", USER_KEY, false, { ip: "192.0.2.10", userAgent: CHROME }, later(T0, days(10)));
    await signIn(db, config, "still", USER_KEY, false, HOME, later(T0, days(60)));
    expect(await pruneDevicesAndAlerts(db, later(T0, days(95)))).toEqual({ knownDevices: 1, alerts: 0 });
    // The periodic cleanup does it too.
    await cleanupSessions(db, config, { now: later(T0, days(101)) });
    expect(await db.prisma.sessionAlert.count()).toBe(0);
    expect((await db.prisma.knownDevice.findMany({ include: { user: true } })).map((d) => d.user.username)).toEqual(["still"]);
  });

  it("are raised once for sign-ins at the same moment: one for a new device signing in many times at once, one for two devices' first sign-ins", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    await signIn(db, config, "gil", USER_KEY, false, HOME, T0);
    // A script signing in eight times at once from a new device: one alert, not one per sign-in.
    const script = { ip: "198.51.100.7", userAgent: "curl/8.5.0" };
    await Promise.all(Array.from({ length: 8 }, (_, i) => signIn(db, config, "gil", USER_KEY, false, script, later(T0, minutes(1) + i))));
    expect(await db.prisma.sessionAlert.count({ where: { user: { username: "gil" } } })).toBe(1);

    // Someone's very first two sign-ins, on two devices at once: the second device is new to the first.
    await Promise.all([
      signIn(db, config, "hal", USER_KEY, false, HOME, later(T0, minutes(2))),
      signIn(db, config, "hal", USER_KEY, false, { ip: "198.51.100.8", userAgent: CHROME }, later(T0, minutes(2))),
    ]);
    expect(await db.prisma.sessionAlert.count({ where: { user: { username: "hal" } } })).toBe(1);
  });

  it("are answered once when This was me and Sign it out arrive together: one wins, the others find no open alert", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const laptop = await signIn(db, config, "fay", USER_KEY, false, HOME, T0);
    const other = await signIn(db, config, "fay", USER_KEY, false, { ip: "198.51.100.7", userAgent: CHROME }, later(T0, minutes(1)));
    const now = later(T0, minutes(2));
    const owner = { user: { id: laptop.session.userId, username: "fay" }, session: laptop.session };
    const [alert] = await listOpenAlerts(db, config, owner, now);
    // Reports first, as a double click sends them, with a dismissal from another tab among them.
    const answers = await Promise.allSettled([
      reportAlert(db, config, owner, alert.id, HOME, now),
      reportAlert(db, config, owner, alert.id, HOME, now),
      dismissAlert(db, config, owner, alert.id, now),
      reportAlert(db, config, owner, alert.id, HOME, now),
    ]);
    const won = answers.filter((answer) => answer.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const answer of answers) if (answer.status === "rejected") expect(answer.reason).toMatchObject({ code: "alert_not_found", status: 404 });
    const row = await db.prisma.sessionAlert.findUniqueOrThrow({ where: { id: alert.id } });
    const reported = answers[2].status === "rejected";
    // Reported: the session is signed out, once; dismissed: it still works, and nothing is reported.
    expect(Boolean(row.reportedAt)).toBe(reported);
    expect((await validateSessionCookie(db, config, other.cookie, HOME, now)).status).toBe(reported ? "ended" : "active");
    expect(await db.prisma.authEvent.count({ where: { type: "session.reported" } })).toBe(reported ? 1 : 0);
    expect(await db.prisma.authEvent.count({ where: { type: "session.revoked", sessionId: other.session.id } })).toBe(reported ? 1 : 0);
  });

  it("are reported all or nothing: a failure after the claim leaves the alert open and its device signed in, to be answered again", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const laptop = await signIn(db, config, "ida", USER_KEY, false, HOME, T0);
    const other = await signIn(db, config, "ida", USER_KEY, false, { ip: "198.51.100.7", userAgent: CHROME }, later(T0, minutes(1)));
    const now = later(T0, minutes(2));
    const owner = { user: { id: laptop.session.userId, username: "ida" }, session: laptop.session };
    const [alert] = await listOpenAlerts(db, config, owner, now);
    const token = await issueReportLink(db, alert.id, now);
    if (!token) throw new Error("no report link");
    const devicesBefore = await db.prisma.knownDevice.count();

    // The report's audit event cannot be written: the last step of a report fails.
    const failing = db.backend === "postgres"
      ? [
          `CREATE FUNCTION fail_reports() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'reports are failing'; END $$`,
          `CREATE TRIGGER fail_reports BEFORE INSERT ON "AuthEvent" FOR EACH ROW WHEN (NEW.type = 'session.reported') EXECUTE FUNCTION fail_reports()`,
        ]
      : [`CREATE TRIGGER fail_reports BEFORE INSERT ON "AuthEvent" WHEN NEW.type = 'session.reported' BEGIN SELECT RAISE(ABORT, 'reports are failing'); END`];
    for (const statement of failing) await db.prisma.$executeRawUnsafe(statement);
    await expect(reportAlert(db, config, owner, alert.id, HOME, now)).rejects.toThrow();
    await expect(useReportLink(db, token, HOME, now)).rejects.toThrow();

    const row = await db.prisma.sessionAlert.findUniqueOrThrow({ where: { id: alert.id } });
    expect([row.dismissedAt, row.reportedAt, row.reportTokenUsedAt]).toEqual([null, null, null]);
    expect((await validateSessionCookie(db, config, other.cookie, HOME, now)).status).toBe("active");
    expect(await db.prisma.knownDevice.count()).toBe(devicesBefore);
    expect(await db.prisma.authEvent.count({ where: { type: { in: ["session.revoked", "session.reported"] } } })).toBe(0);

    // Once reports can be written again, the same link works.
    await db.prisma.$executeRawUnsafe(db.backend === "postgres" ? `DROP TRIGGER fail_reports ON "AuthEvent"` : "DROP TRIGGER fail_reports");
    expect(await useReportLink(db, token, HOME, now)).toBe(1);
    expect((await validateSessionCookie(db, config, other.cookie, HOME, now)).status).toBe("ended");
    expect(await db.prisma.authEvent.count({ where: { type: "session.reported" } })).toBe(1);
    expect(await db.prisma.knownDevice.count()).toBe(devicesBefore - 1);
  });

  it("show on the user's other sessions only, go away when dismissed, and sign the session out when reported", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const laptop = await signIn(db, config, "dave", USER_KEY, false, HOME, T0);
    const intruder = await signIn(db, config, "dave", USER_KEY, false, { ip: "198.51.100.7", userAgent: CHROME }, later(T0, minutes(1)));
    const now = later(T0, minutes(2));
    const owner = (s: typeof laptop) => ({ user: { id: s.session.userId, username: "dave" }, session: s.session });

    expect(await listOpenAlerts(db, config, owner(intruder), now)).toEqual([]);
    const [alert] = await listOpenAlerts(db, config, owner(laptop), now);
    expect(alert).toMatchObject({ sessionId: intruder.session.id, browser: "Chrome", os: "Windows", ipAddress: "198.51.100.7" });

    // The new session cannot dismiss or report its own alert, nor can another user.
    await expect(dismissAlert(db, config, owner(intruder), alert.id, now)).rejects.toMatchObject({ code: "alert_not_found", status: 404 });
    const erin = await signIn(db, config, "erin", USER_KEY, false, HOME, T0);
    await expect(reportAlert(db, config, { user: { id: erin.session.userId, username: "erin" }, session: erin.session }, alert.id, HOME, now)).rejects.toMatchObject({ code: "alert_not_found" });

    expect(await reportAlert(db, config, owner(laptop), alert.id, HOME, now)).toBe(1);
    expect(await validateSessionCookie(db, config, intruder.cookie, HOME, now)).toEqual({ status: "ended", reason: "revoked" });
    const row = await db.prisma.sessionAlert.findUniqueOrThrow({ where: { id: alert.id } });
    expect(row.reportedAt?.toISOString()).toBe(now.toISOString());
    expect(await listOpenAlerts(db, config, owner(laptop), now)).toEqual([]);
    await expect(reportAlert(db, config, owner(laptop), alert.id, HOME, now)).rejects.toMatchObject({ code: "alert_not_found" });
    const event = await db.prisma.authEvent.findFirstOrThrow({ where: { type: "session.revoked", sessionId: intruder.session.id } });
    expect(event).toMatchObject({ actor: "dave" });
    // Flagged for the Admin Panel's events page.
    expect(await db.prisma.authEvent.findMany({ where: { type: "session.reported" } })).toEqual([
      expect.objectContaining({ sessionId: intruder.session.id, username: "dave", actor: "dave", detail: "new-device sign-in reported as not theirs: Chrome on Windows, 198.51.100.7" }),
    ]);

    // "This was me" on another alert.
    const phone = await signIn(db, config, "dave", USER_KEY, false, { ip: "192.0.2.1", userAgent: FIREFOX }, later(T0, minutes(3)));
    const [second] = await listOpenAlerts(db, config, owner(laptop), now);
    expect(second.sessionId).toBe(phone.session.id);
    await dismissAlert(db, config, owner(laptop), second.id, now);
    expect(await listOpenAlerts(db, config, owner(laptop), now)).toEqual([]);
    await expect(dismissAlert(db, config, owner(laptop), second.id, now)).rejects.toMatchObject({ code: "alert_not_found" });
    expect(await validateSessionCookie(db, config, phone.cookie, HOME, now)).toMatchObject({ status: "active" });

    // An alert whose session has ended otherwise (revoked from Settings > Sessions) is not shown.
    const tablet = await signIn(db, config, "dave", USER_KEY, false, { ip: "192.0.2.99", userAgent: CHROME }, later(T0, minutes(4)));
    expect((await listOpenAlerts(db, config, owner(laptop), now)).map((a) => a.sessionId)).toEqual([tablet.session.id]);
    await revokeOwnSession(db, owner(laptop), tablet.session.id, HOME, now);
    expect(await listOpenAlerts(db, config, owner(laptop), now)).toEqual([]);
  });

  it("are neither shown to nor answered by a device under an open alert: a later session from the alerted device, or another new device", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const laptop = await signIn(db, config, "heidi", USER_KEY, false, HOME, T0);
    const owner = (s: typeof laptop) => ({ user: { id: s.session.userId, username: "heidi" }, session: s.session });
    // Someone with the key signs in from a new device (alerted), then again from the same one.
    const intruder = await signIn(db, config, "heidi", USER_KEY, false, { ip: "198.51.100.7", userAgent: CHROME }, later(T0, minutes(1)));
    const again = await signIn(db, config, "heidi", USER_KEY, false, { ip: "198.51.100.8", userAgent: CHROME }, later(T0, minutes(2)));
    // And from a second new device, alerted too.
    const second = await signIn(db, config, "heidi", USER_KEY, false, { ip: "192.0.2.50", userAgent: FIREFOX }, later(T0, minutes(3)));
    const now = later(T0, minutes(4));
    const [newest, first] = await listOpenAlerts(db, config, owner(laptop), now);
    expect([newest.sessionId, first.sessionId]).toEqual([second.session.id, intruder.session.id]);

    for (const device of [intruder, again, second]) {
      expect(await listOpenAlerts(db, config, owner(device), now)).toEqual([]);
      for (const alert of [newest, first]) {
        await expect(dismissAlert(db, config, owner(device), alert.id, now)).rejects.toMatchObject({ code: "alert_not_found", status: 404 });
        await expect(reportAlert(db, config, owner(device), alert.id, HOME, now)).rejects.toMatchObject({ code: "alert_not_found", status: 404 });
      }
    }
    expect(await db.prisma.sessionAlert.count({ where: { dismissedAt: null, reportedAt: null } })).toBe(2);

    // Once the owner says the second device was theirs, it is a known device like the laptop.
    await dismissAlert(db, config, owner(laptop), newest.id, now);
    expect((await listOpenAlerts(db, config, owner(second), now)).map((a) => a.id)).toEqual([first.id]);
    // A later sign-in from the laptop's own device sees what the laptop sees.
    const laptopAgain = await signIn(db, config, "heidi", USER_KEY, false, { ...HOME, ip: "203.0.113.9" }, later(T0, minutes(5)));
    expect((await listOpenAlerts(db, config, owner(laptopAgain), now)).map((a) => a.id)).toEqual([first.id]);
    // Both sessions from the intruder's device end.
    expect(await reportAlert(db, config, owner(laptopAgain), first.id, HOME, now)).toBe(2);
  });

  it("stay with their device: ending the alerted session neither hides the alert while the device is signed in, nor frees the device", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const laptop = await signIn(db, config, "ivan", USER_KEY, false, HOME, T0);
    const owner = (s: typeof laptop) => ({ user: { id: s.session.userId, username: "ivan" }, session: s.session });
    const intruder = await signIn(db, config, "ivan", USER_KEY, false, { ip: "198.51.100.7", userAgent: CHROME }, later(T0, minutes(1)));
    const again = await signIn(db, config, "ivan", USER_KEY, false, { ip: "198.51.100.8", userAgent: CHROME }, later(T0, minutes(2)));
    const signedIn = await validateSessionCookie(db, config, intruder.cookie, HOME, later(T0, minutes(3)));
    if (signedIn.status !== "active") throw new Error(signedIn.status);
    await endSessionByLogout(db, signedIn.session, signedIn.user, HOME, later(T0, minutes(3)));
    const now = later(T0, minutes(4));
    const [alert] = await listOpenAlerts(db, config, owner(laptop), now);
    expect(alert).toMatchObject({ sessionId: intruder.session.id });
    // The device's later session is still under it: it answers no alert, a new device's included.
    const second = await signIn(db, config, "ivan", USER_KEY, false, { ip: "192.0.2.50", userAgent: FIREFOX }, later(T0, minutes(5)));
    const [about] = (await listOpenAlerts(db, config, owner(laptop), now)).filter((a) => a.sessionId === second.session.id);
    expect(await listOpenAlerts(db, config, owner(again), now)).toEqual([]);
    await expect(dismissAlert(db, config, owner(again), about.id, now)).rejects.toMatchObject({ code: "alert_not_found" });

    // "Sign it out" signs the device out: its later session too, and its next sign-in is new again.
    expect(await reportAlert(db, config, owner(laptop), alert.id, HOME, now)).toBe(1);
    expect(await validateSessionCookie(db, config, again.cookie, HOME, now)).toEqual({ status: "ended", reason: "revoked" });
    const back = await signIn(db, config, "ivan", USER_KEY, false, { ip: "198.51.100.9", userAgent: CHROME }, later(T0, minutes(6)));
    expect(await db.prisma.sessionAlert.count({ where: { sessionId: back.session.id } })).toBe(1);
    // Once every session from it has ended, there is nothing left to answer.
    await revokeOwnSession(db, owner(laptop), back.session.id, HOME, now);
    expect((await listOpenAlerts(db, config, owner(laptop), now)).map((a) => a.sessionId)).toEqual([second.session.id]);
  });

  it("with more open alerts than a page shows, any number, still lists the newest and still knows a device under one", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const laptop = await signIn(db, config, "judy", USER_KEY, false, HOME, T0);
    const owner = (s: typeof laptop) => ({ user: { id: s.session.userId, username: "judy" }, session: s.session });
    const intruder = await signIn(db, config, "judy", USER_KEY, false, { ip: "198.51.100.7", userAgent: CHROME }, later(T0, minutes(1)));
    // 24 more new devices, each its own network, after the intruder's: its alert is not among the newest 21.
    for (let i = 0; i < 24; i++) await signIn(db, config, "judy", USER_KEY, false, { ip: `10.${i}.0.1`, userAgent: FIREFOX }, later(T0, minutes(2 + i)));
    const now = later(T0, minutes(30));
    expect(await listOpenAlerts(db, config, owner(laptop), now)).toHaveLength(20);
    // However many there are: a flood of alerts hides none from the person's known devices.
    await db.prisma.sessionAlert.createMany({
      data: Array.from({ length: 1_000 }, (_, i) => ({ id: `flood${i}`, userId: laptop.session.userId, sessionId: intruder.session.id, browserFamily: "Firefox", osFamily: "Linux", ipAddress: `10.${100 + (i % 100)}.${Math.floor(i / 100)}.1`, createdAt: later(T0, minutes(26)) })),
    });
    expect(await listOpenAlerts(db, config, owner(intruder), now)).toEqual([]);
    const flooded = await listOpenAlerts(db, config, owner(laptop), now);
    expect(flooded).toHaveLength(20);
    const newest = flooded[0];
    await expect(dismissAlert(db, config, owner(intruder), newest.id, now)).rejects.toMatchObject({ code: "alert_not_found" });
  });

  it("cost a signed-in page two short prepared statements, never a Prisma query (every page asks)", async () => {
    const sent: string[] = [];
    const { db } = await tempDatabase({ onQuery: (sql) => sent.push(sql) });
    const config = testConfig();
    const laptop = await signIn(db, config, "frank", USER_KEY, false, HOME, T0);
    const owner = { user: { id: laptop.session.userId, username: "frank" }, session: laptop.session };
    sent.length = 0;
    expect(await listOpenAlerts(db, config, owner, later(T0, minutes(1)))).toEqual([]);
    const own = [expect.stringMatching(/FROM "ForceLogoutCutoff"/), expect.stringMatching(/^(SELECT row_to_json\(t\) AS "row" FROM \()?SELECT a\."id", .* FROM "SessionAlert" a LEFT JOIN "Session" s ON/)];
    expect(sent).toEqual(own);

    // With one to show, it is listed by the same two.
    const intruder = await signIn(db, config, "frank", USER_KEY, false, { ip: "198.51.100.7", userAgent: CHROME }, later(T0, minutes(1)));
    sent.length = 0;
    expect((await listOpenAlerts(db, config, owner, later(T0, minutes(2)))).map((a) => a.sessionId)).toEqual([intruder.session.id]);
    expect(sent).toEqual(own);
  });

  it("leave out an alert whose session no longer works: its key changed, or a force logout still marking its rows ends it", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const laptop = await signIn(db, config, "grace", USER_KEY, false, HOME, T0);
    const intruder = await signIn(db, config, "grace", USER_KEY, false, { ip: "198.51.100.7", userAgent: CHROME }, later(T0, minutes(1)));
    const owner = { user: { id: laptop.session.userId, username: "grace" }, session: laptop.session };
    const now = later(T0, minutes(2));
    expect((await listOpenAlerts(db, config, owner, now)).map((a) => a.sessionId)).toEqual([intruder.session.id]);
    expect(await listOpenAlerts(db, testConfig({ DASHBOARD_KEY: "a-brand-new-shared-key" }), owner, now)).toEqual([]);

    const pending = { at: later(T0, minutes(1)), revokedBy: "root", revokeReason: "incident", endReason: "revoked_all" as const };
    const listed = (keepSessionId: string | null) =>
      db.openAlerts(owner.user.id, T0, activePart(config, now, { ...pending, keepSessionId }), 20).then((rows) => rows.map((row) => [row.sessionId, row.sessionActive]));
    expect(await listed(null)).toEqual([[intruder.session.id, false]]);
    expect(await listed(intruder.session.id)).toEqual([[intruder.session.id, true]]);
  });
});
