// No dependencies beyond Intl, so client components can import it without the session model.

/** A moment as the pages show it: relative ("5 minutes ago"), exact (UTC) and machine-readable. */
export type TimeView = { iso: string; exact: string; relative: string };

/** en-GB's short month names, as Intl writes them (September is "Sept"). */
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"];
const twoDigits = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * "23 Nov 2026, 11:55 UTC": how every page writes an exact time — en-GB's medium date and short
 * time, as Intl.DateTimeFormat writes them (the tests hold it to that), spelled out because a list
 * page writes dozens and Intl takes a microsecond each.
 */
export const exactUtc = (date: Date) =>
  `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())} UTC`;

export function timeView(value: Date | string, now: Date): TimeView {
  const date = typeof value === "string" ? new Date(value) : value;
  return { iso: date.toISOString(), exact: exactUtc(date), relative: relativeTime(date, now) };
}

const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** [unit, its length in seconds, use it below this many seconds]: thresholds like moment.js's. */
const UNITS: [Intl.RelativeTimeFormatUnit, number, number][] = [
  ["minute", MINUTE, 45 * MINUTE],
  ["hour", HOUR, 22 * HOUR],
  ["day", DAY, 45 * DAY],
  ["month", 30 * DAY, 320 * DAY],
  ["year", 365 * DAY, Infinity],
];

/**
 * "just now", "5 minutes ago", "yesterday", "in 7 days", "last month": rounded to the nearest
 * unit, so a 7-day session reads "in 7 days" rather than "in 6 days" a second after sign-in.
 */
export function relativeTime(date: Date, now: Date): string {
  const seconds = (date.getTime() - now.getTime()) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds <= 0 ? "just now" : "in less than a minute";
  const [unit, size] = UNITS.find(([, , below]) => abs < below) ?? UNITS[UNITS.length - 1];
  return relativeFormat.format(Math.sign(seconds) * Math.max(1, Math.round(abs / size)), unit);
}
