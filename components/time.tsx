import { exactUtc, type TimeView } from "@/lib/sessions/view-model";

/** A timestamp shown in UTC with the exact ISO time on hover, rendered on the server. */
export function Time({ value }: { value: Date }) {
  const iso = value.toISOString();
  return (
    <time dateTime={iso} title={iso}>
      {exactUtc(value)}
    </time>
  );
}

/** Relative time ("5 minutes ago") with the exact UTC time on hover and for assistive technology. */
export function RelativeTime({ time }: { time: TimeView }) {
  return (
    <time dateTime={time.iso} title={time.exact}>
      {time.relative}
    </time>
  );
}
