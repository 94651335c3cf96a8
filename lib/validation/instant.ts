/**
 * What a moment given as input is, once: filters (signedInAfter, from, …) and page cursors.
 *
 * ISO 8601 only, read strictly: a date (2026-11-23), or a date and time to the minute, second or
 * fraction (2026-11-23T10:00, …:00.123), with Z or an offset (+02:00); without one it is UTC. The
 * calendar must be real (no 2026-02-30, no 24:00), and the moment between the years 1 and 9999:
 * JavaScript reads far more than that (year 0, -271821, "Dec 5 2026" in the server's own time
 * zone), and PostgreSQL refuses years before 1 — such a value would reach the database and fail there.
 */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

const EARLIEST = Date.parse("0001-01-01T00:00:00.000Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");

/** The moment `text` names, or null when it is not one (see above). */
export function parseInstant(text: string): Date | null {
  const match = ISO_INSTANT.exec(text);
  if (!match) return null;
  const [, year, month, day, hour = "00", minute = "00", second = "00", fraction = "", zone = "Z"] = match;
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const [hours, minutes] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (hours * 60 + minutes);
  }
  // The fields as written, checked against the calendar by building them as UTC and reading them back.
  const local = new Date(0);
  local.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  local.setUTCHours(Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, "0").slice(0, 3)));
  const asWritten =
    local.getUTCFullYear() === Number(year) &&
    local.getUTCMonth() === Number(month) - 1 &&
    local.getUTCDate() === Number(day) &&
    local.getUTCHours() === Number(hour) &&
    local.getUTCMinutes() === Number(minute) &&
    local.getUTCSeconds() === Number(second);
  if (!asWritten) return null;
  const date = new Date(local.getTime() - offsetMinutes * 60_000);
  return date.getTime() >= EARLIEST && date.getTime() <= LATEST ? date : null;
}
