import { timeView, type TimeView } from "../time-view";

/** What an alert says about the sign-in (AlertJson's fields). */
type Device = { browser: string | null; os: string | null };
type Where = { ipAddress: string | null; country: string | null; city: string | null };

/** "Firefox on Linux"; "Firefox" or "a Linux device" when half is unknown; "an unknown device". */
export function deviceWords(alert: Device): string {
  if (alert.browser && alert.os) return `${alert.browser} on ${alert.os}`;
  if (alert.browser) return alert.browser;
  if (alert.os) return `a ${alert.os} device`;
  return "an unknown device";
}

/** "203.0.113.4 (Berlin, DE)"; "an unknown address" when there was none. */
export function whereWords(alert: Where): string {
  const place = [alert.city, alert.country].filter(Boolean).join(", ");
  const address = alert.ipAddress ?? "an unknown address";
  return place ? `${address} (${place})` : address;
}

/**
 * The banner's two answers to an alert, the values of its form's `answer` button: "This was me"
 * dismisses it, "Sign it out" ends that session.
 */
export const ALERT_ANSWERS = ["dismiss", "report"] as const;
export type AlertAnswer = (typeof ALERT_ANSWERS)[number];

/** The query parameter "This was me" comes back with, so the page says the alert was dismissed. */
export const DISMISSED_PARAM = "alertDismissed";

/** An open alert as the banner shows it: words and a time, worked out where the alert was read. */
export type AlertView = { id: string; device: string; where: string; at: TimeView };

export const toAlertView = (alert: Device & Where & { id: string; createdAt: Date | string }, now: Date): AlertView => ({
  id: alert.id,
  device: deviceWords(alert),
  where: whereWords(alert),
  at: timeView(alert.createdAt, now),
});
