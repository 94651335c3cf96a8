import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReportLink, useReportLink } from "@/lib/alerts/report-link";
import { signInSsoUser } from "@/lib/auth/sso-identity";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { reportLinkIn, startSmtpServer } from "../support/smtp";
import { USER_KEY, days, later, minutes, signIn, tempDatabase, testConfig } from "./helpers";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const HOME = { ip: "203.0.113.4", userAgent: FIREFOX, location: { country: "DE", city: "Berlin" } };
const AWAY = { ip: "198.51.100.7", userAgent: CHROME, location: { country: "FR", city: "Paris" } };
const SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15";
const THIRD = { ip: "192.0.2.99", userAgent: SAFARI, location: { country: "NL", city: "Amsterdam" } };
const recipients = (mail: Awaited<ReturnType<typeof smtp.waitFor>>[number]) => (mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : null);

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(() => smtp?.stop());

describe("new-device alert mail", () => {
  it("mails a user with an email address a link that signs that device out on use, once", async () => {
    const { db } = await tempDatabase();
    const config = testConfig({ DASHBOARD_URL: "https://sessions.example.com", DASHBOARD_SMTP_URL: smtp.url, DASHBOARD_SMTP_FROM: "Sessionboard <sessions@example.com>" });
    const before = smtp.messages.length;
    const t0 = new Date();
    const laptop = await signIn(db, config, "mailed", USER_KEY, false, HOME, t0);
    await db.prisma.user.update({ where: { username: "mailed" }, data: { email: "mailed@example.com" } });
    const away = await signIn(db, config, "mailed", USER_KEY, false, AWAY, later(t0, minutes(1)));

    const mail = (await smtp.waitFor(before + 1))[before];
    expect(mail.subject).toBe("New sign-in to Sessionboard: Chrome on Windows");
    expect(mail.from?.text).toBe('"Sessionboard" <sessions@example.com>');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : null).toBe("mailed@example.com");
    expect(mail.text).toContain("Chrome on Windows, 198.51.100.7 (Paris, FR)");
    const link = reportLinkIn(mail);
    expect(link.origin + link.pathname).toBe("https://sessions.example.com/report");
    const token = link.searchParams.get("token") ?? "";
    // Not the session's token, and stored only hashed.
    expect(away.token).not.toBe(token);
    const row = await db.prisma.sessionAlert.findFirstOrThrow({ where: { sessionId: away.session.id } });
    expect(JSON.stringify(row)).not.toContain(token);

    // Reading it changes nothing.
    expect(await readReportLink(db, token)).toMatchObject({ state: "valid", alert: { browser: "Chrome", os: "Windows", ipAddress: "198.51.100.7" } });
    expect(await validateSessionCookie(db, config, away.cookie, AWAY)).toMatchObject({ status: "active" });

    // Using it revokes that session only, once.
    expect(await useReportLink(db, token, HOME)).toBe(1);
    expect(await validateSessionCookie(db, config, away.cookie, AWAY)).toEqual({ status: "ended", reason: "revoked" });
    expect(await validateSessionCookie(db, config, laptop.cookie, HOME)).toMatchObject({ status: "active" });
    await expect(useReportLink(db, token, HOME)).rejects.toMatchObject({ code: "report_link_used", status: 409 });
    expect(await readReportLink(db, token)).toEqual({ state: "used" });
    const event = await db.prisma.authEvent.findFirstOrThrow({ where: { type: "session.revoked", sessionId: away.session.id } });
    expect(event.actor).toBe("email-link");
    expect(await db.prisma.authEvent.findMany({ where: { type: "session.reported" } })).toEqual([
      expect.objectContaining({ sessionId: away.session.id, username: "mailed", actor: "email-link" }),
    ]);
    expect(await db.prisma.sessionAlert.findFirstOrThrow({ where: { sessionId: away.session.id } })).toMatchObject({ reportedAt: expect.any(Date) });
  });

  it("mails the address the account had before the sign-in that raised the alert: that sign-in's claims cannot redirect or silence it", async () => {
    const { db, env } = await tempDatabase();
    const config = testConfig({
      ...env,
      DASHBOARD_OIDC_ISSUER: "https://id.example.test",
      DASHBOARD_OIDC_CLIENT_ID: "sessionboard",
      DASHBOARD_SMTP_URL: smtp.url,
      DASHBOARD_SMTP_FROM: "sessions@example.com",
    });
    const oidc = config.oidc;
    if (!oidc) throw new Error("OIDC not configured");
    const sso = async (sub: string, claims: { email?: string; email_verified?: boolean }, from: typeof HOME) => {
      const result = await signInSsoUser(db, config, oidc, { iss: "https://id.example.test", sub, preferred_username: sub, ...claims }, { rememberMe: false }, from);
      if (!result.ok) throw new Error(result.code);
    };

    // With the victim's password at the provider, someone verifies an address of their own there and signs in from a new device.
    let before = smtp.messages.length;
    await sso("victim", { email: "victim@example.com", email_verified: true }, HOME);
    await sso("victim", { email: "attacker@evil.example", email_verified: true }, AWAY);
    expect(recipients((await smtp.waitFor(before + 1))[before])).toEqual(["victim@example.com"]);

    // Or changes it unverified, which the sign-in stores as no address at all.
    before = smtp.messages.length;
    await sso("quiet", { email: "quiet@example.com", email_verified: true }, HOME);
    await sso("quiet", { email: "quiet@evil.example", email_verified: false }, AWAY);
    expect(recipients((await smtp.waitFor(before + 1))[before])).toEqual(["quiet@example.com"]);

    // A claim that is two addresses is none: neither stored nor mailed.
    before = smtp.messages.length;
    await sso("split", { email: "split@example.com", email_verified: true }, HOME);
    await sso("split", { email: "split@example.com, copy@evil.example", email_verified: true }, AWAY);
    expect(recipients((await smtp.waitFor(before + 1))[before])).toEqual(["split@example.com"]);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { username: "split" } })).email).toBeNull();
    await sso("split", { email: "split@example.com", email_verified: true }, THIRD);
    expect(recipients((await smtp.waitFor(before + 2))[before + 1])).toEqual(["split@example.com"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.messages.length).toBe(before + 2);
  });

  it("expires the link after 7 days, and refuses a token that is not one", async () => {
    const { db } = await tempDatabase();
    const config = testConfig({ DASHBOARD_SMTP_URL: smtp.url, DASHBOARD_SMTP_FROM: "sessions@example.com" });
    const before = smtp.messages.length;
    const t0 = new Date();
    await signIn(db, config, "late", USER_KEY, false, HOME, t0);
    await db.prisma.user.update({ where: { username: "late" }, data: { email: "late@example.com" } });
    const away = await signIn(db, config, "late", USER_KEY, false, AWAY, t0);
    const token = reportLinkIn((await smtp.waitFor(before + 1))[before]).searchParams.get("token") ?? "";
    await expect(useReportLink(db, token, HOME, later(t0, days(7) + minutes(1)))).rejects.toMatchObject({ code: "report_link_invalid", status: 404 });
    expect(await readReportLink(db, token, later(t0, days(8)))).toEqual({ state: "invalid" });
    expect(await validateSessionCookie(db, config, away.cookie, AWAY)).toMatchObject({ status: "active" });
    expect(await readReportLink(db, "0".repeat(64))).toEqual({ state: "invalid" });
    expect(await readReportLink(db, "not a token")).toEqual({ state: "invalid" });
    await expect(useReportLink(db, "f".repeat(64), HOME)).rejects.toMatchObject({ code: "report_link_invalid" });
  });

  it("sends nothing to a user without an email address, and a dead mail server does not fail the sign-in", async () => {
    const { db } = await tempDatabase();
    const before = smtp.messages.length;
    const config = testConfig({ DASHBOARD_SMTP_URL: smtp.url, DASHBOARD_SMTP_FROM: "sessions@example.com" });
    await signIn(db, config, "nomail", USER_KEY, false, HOME);
    await signIn(db, config, "nomail", USER_KEY, false, AWAY);
    expect(await db.prisma.sessionAlert.count()).toBe(1);

    const dead = testConfig({ DASHBOARD_SMTP_URL: "smtp://127.0.0.1:1", DASHBOARD_SMTP_FROM: "sessions@example.com" });
    await signIn(db, dead, "unlucky", USER_KEY, false, HOME);
    await db.prisma.user.update({ where: { username: "unlucky" }, data: { email: "unlucky@example.com" } });
    const started = performance.now();
    const signedIn = await signIn(db, dead, "unlucky", USER_KEY, false, AWAY);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(signedIn.session.id).toMatch(/^[A-Za-z0-9_-]+$/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.messages.length).toBe(before);
  });
});
