"use client";

import { useSyncExternalStore } from "react";

// Spelled out: dateStyle/timeStyle do not combine with timeZoneName. Reads like exactUtc's text.
const localFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
const noChanges = () => () => {};

/**
 * An exact time in the viewer's own time zone, with UTC on hover. The server renders UTC (it does
 * not know the viewer's zone), which is also what shows without JavaScript; the browser swaps in
 * its local time once the page is hydrated.
 */
export function LocalTime({ iso, utc }: { iso: string; utc: string }) {
  const text = useSyncExternalStore(
    noChanges,
    () => localFormat.format(new Date(iso)),
    () => utc,
  );
  return (
    <time dateTime={iso} title={utc}>
      {text}
    </time>
  );
}
