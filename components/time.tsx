import { exactUtc, type TimeView } from "@/lib/time-view";
import { LocalTime } from "./local-time";

/** A timestamp in the viewer's time zone (UTC without JavaScript), with UTC on hover. */
export function Time({ value }: { value: Date }) {
  return <LocalTime iso={value.toISOString()} utc={exactUtc(value)} />;
}

/** The exact time of a TimeView, as Time shows it. */
export function ExactTime({ time }: { time: TimeView }) {
  return <LocalTime iso={time.iso} utc={time.exact} />;
}

/** Relative time ("5 minutes ago") with the exact UTC time on hover and for assistive technology. */
export function RelativeTime({ time }: { time: TimeView }) {
  return (
    <time dateTime={time.iso} title={time.exact}>
      {time.relative}
    </time>
  );
}
