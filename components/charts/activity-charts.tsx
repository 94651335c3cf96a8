import { SERIES_NAMES, type ActivityBucket, type ActivitySeries } from "@/lib/admin/activity-stats";
import { BarChart, CHART_COLOURS, type ChartBucket, type ChartSeries } from "./bar-chart";

const SERIES_LABELS: Record<ActivitySeries, string> = { signIns: "Sign-ins", failedSignIns: "Failed sign-ins", revocations: "Revocations" };

const SERIES: ChartSeries[] = SERIES_NAMES.map((key, index) => ({ key, label: SERIES_LABELS[key], ...CHART_COLOURS[index % CHART_COLOURS.length]! }));

const hourFormat = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
const longDayFormat = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

const values = (bucket: ActivityBucket) => Object.fromEntries(SERIES_NAMES.map((key) => [key, bucket[key]]));

function hourBuckets(buckets: ActivityBucket[]): ChartBucket[] {
  return buckets.map((bucket) => {
    const end = new Date(bucket.start.getTime() + 3600_000);
    return { label: hourFormat.format(bucket.start), longLabel: `${dayFormat.format(bucket.start)}, ${hourFormat.format(bucket.start)}–${hourFormat.format(end)}`, values: values(bucket) };
  });
}

const dayBuckets = (buckets: ActivityBucket[]): ChartBucket[] =>
  buckets.map((bucket) => ({ label: dayFormat.format(bucket.start), longLabel: longDayFormat.format(bucket.start), values: values(bucket) }));

/** Sign-ins, failed sign-ins and revocations per hour (24 h) and per day (30 days), in UTC. */
export function ActivityCharts({ hourly, daily }: { hourly: ActivityBucket[]; daily: ActivityBucket[] }) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <BarChart id="activity-hours" title="Last 24 hours" caption="Per hour, UTC; the current hour so far" bucketHeading="Hour (UTC)" series={SERIES} buckets={hourBuckets(hourly)} />
      <BarChart id="activity-days" title="Last 30 days" caption="Per day, UTC; today so far" bucketHeading="Day (UTC)" series={SERIES} buckets={dayBuckets(daily)} />
    </div>
  );
}
