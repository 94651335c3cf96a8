import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../config";
import type { Database } from "../db";
import { logger } from "../log";
import { issueReportLink, REPORT_LINK_DAYS } from "./report-link";
import { deviceWords, whereWords } from "./words";

type SmtpConfig = NonNullable<Config["smtp"]>;

// One transport per process and URL (nodemailer pools nothing by default; it is cheap to keep).
const holder = globalThis as unknown as { sessionboardMail?: { url: string; transport: Transporter } };

function transportFor(smtp: SmtpConfig): Transporter {
  if (holder.sessionboardMail?.url !== smtp.url) {
    holder.sessionboardMail = { url: smtp.url, transport: nodemailer.createTransport(smtp.url) };
  }
  return holder.sessionboardMail.transport;
}

/**
 * After a sign-in that raised an alert has committed: mails the user, when SMTP is configured and
 * they have an email address (SSO users, from their claims) — the one the account had before that
 * sign-in (`formerEmail`), else the one it has now: the sign-in's own claims must not choose where
 * its alert goes, or that it goes nowhere. Fire and forget — the sign-in neither waits for it nor
 * fails with it; a failure is logged (never the link, the token or the SMTP URL).
 */
export function notifyNewDevice(db: Database, config: Config, alertId: string | null, formerEmail: string | null): void {
  const smtp = config.smtp;
  if (!alertId || !smtp) return;
  setImmediate(() => {
    mailNewDeviceAlert(db, config, smtp, alertId, formerEmail).catch((error: unknown) => {
      const { code, message } = error instanceof Error ? (error as Error & { code?: string }) : { code: undefined, message: String(error) };
      logger().warn({ alertId, code, reason: message }, "New-device alert mail could not be sent");
    });
  });
}

/** Sends the alert's mail; false when there is nobody to send it to. */
async function mailNewDeviceAlert(db: Database, config: Config, smtp: SmtpConfig, alertId: string, formerEmail: string | null, now = new Date()): Promise<boolean> {
  const alert = await db.prisma.sessionAlert.findUnique({ where: { id: alertId }, include: { user: { select: { email: true, username: true } } } });
  const to = formerEmail ?? alert?.user.email;
  if (!alert || !to) return false;
  const token = await issueReportLink(db, alertId, now);
  if (!token) return false;
  const link = new URL(`/report?token=${token}`, config.publicUrl).toString();
  const words = { browser: alert.browserFamily, os: alert.osFamily, ipAddress: alert.ipAddress, country: alert.country, city: alert.city };
  const device = deviceWords(words);
  const when = `${alert.createdAt.toISOString().replace("T", " ").slice(0, 16)} UTC`;
  await transportFor(smtp).sendMail({
    from: smtp.from,
    // An address object, not a string nodemailer would read as a list.
    to: { name: "", address: to },
    subject: `New sign-in to Sessionboard: ${device}`,
    text: [
      `Hello ${alert.user.username},`,
      "",
      `Your Sessionboard account was signed in to from a device you had not used recently:`,
      "",
      `  ${device}, ${whereWords(words)}, ${when}`,
      "",
      "If this was you, there is nothing to do.",
      "",
      `If this wasn't you, open this link to sign that session out (it works once, for ${REPORT_LINK_DAYS} days, without signing in):`,
      link,
      "",
      "Then change your key or password.",
    ].join("\n"),
  });
  logger().info({ alertId }, "New-device alert mailed");
  return true;
}
