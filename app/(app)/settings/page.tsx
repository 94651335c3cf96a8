import type { Metadata } from "next";
import Link from "next/link";
import { BarChart, CHART_COLOURS } from "@/components/charts/bar-chart";
import { DeviceIcon } from "@/components/device-icon";
import { RelativeTime } from "@/components/time";
import { requireSession, withPageContext } from "@/lib/http/page";
import { HISTORY_DAYS, signInHistory } from "@/lib/sessions/sign-in-history";
import { DEVICE_LABELS, METHOD_LABELS } from "@/lib/sessions/view-model";
import { timeView } from "@/lib/time-view";

export const metadata: Metadata = { title: "Settings" };

/** How many sign-ins the list shows; the chart and the table count them all. */
const LISTED = 10;

const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
const longDayFormat = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

/** Settings overview: when and where you signed in over the last 30 days. */
export default async function SettingsPage() {
  const owner = await requireSession();
  const now = new Date();
  const history = await withPageContext(({ db }) => signInHistory(db, owner.user.username, now));
  const buckets = history.perDay.map((day) => ({ label: dayFormat.format(day.start), longLabel: longDayFormat.format(day.start), values: { signIns: day.signIns } }));

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Your sign-ins</h1>
        <p className="mt-1 text-sm text-slate-600">
          When and where you signed in over the last {HISTORY_DAYS} days. Something you do not recognise? End it under{" "}
          <Link href="/settings/sessions" className="font-medium text-indigo-700 underline hover:text-indigo-900">
            Sessions
          </Link>
          .
        </p>
      </div>

      <BarChart
        id="my-sign-ins"
        headingLevel={2}
        title={`Sign-ins, last ${HISTORY_DAYS} days`}
        caption={history.truncated ? "Per day, UTC; the latest 500 sign-ins" : "Per day, UTC"}
        bucketHeading="Day (UTC)"
        series={[{ key: "signIns", label: "Sign-ins", ...CHART_COLOURS[0] }]}
        buckets={buckets}
      />

      <section aria-labelledby="recent-heading" className="space-y-3">
        <h2 id="recent-heading" className="text-lg font-semibold">
          Recent sign-ins
        </h2>
        {history.signIns.length === 0 ? (
          <p className="text-sm text-slate-600">No sign-ins in the last {HISTORY_DAYS} days.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="sign-in-list">
            {history.signIns.slice(0, LISTED).map((signIn, index) => (
              <li key={`${signIn.at.toISOString()}-${index}`} className="flex items-start gap-3 px-4 py-3">
                <span className="mt-0.5 text-slate-500">
                  <DeviceIcon type={signIn.deviceType} />
                </span>
                <div className="min-w-0 flex-1 text-sm">
                  <p className="font-medium text-slate-900">
                    {signIn.browser && signIn.os ? `${signIn.browser} on ${signIn.os}` : (signIn.browser ?? signIn.os ?? DEVICE_LABELS[signIn.deviceType])}
                    {signIn.method && <span className="font-normal text-slate-500"> · {METHOD_LABELS[signIn.method] ?? signIn.method}</span>}
                  </p>
                  <p className="break-words text-slate-600">
                    {[signIn.place, signIn.network ? `network ${signIn.network}` : "address unknown"].filter(Boolean).join(" · ")}
                  </p>
                </div>
                <span className="shrink-0 text-sm text-slate-600">
                  <RelativeTime time={timeView(signIn.at, now)} />
                </span>
              </li>
            ))}
          </ul>
        )}
        {history.signIns.length > LISTED && (
          <p className="text-xs text-slate-500">
            The {LISTED} latest of {history.signIns.length}
            {history.truncated ? "+" : ""} sign-ins; the chart&apos;s table counts them by day.
          </p>
        )}
      </section>
    </div>
  );
}
