"use client";

import { useSyncExternalStore } from "react";

const localFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZoneName: "short" });
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
