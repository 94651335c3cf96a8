import Link from "next/link";
import { DeviceIcon } from "@/components/device-icon";
import { RelativeTime } from "@/components/time";
import type { SessionRowView } from "@/lib/sessions/view-model";

/**
 * Settings > Sessions' "Recently ended": each ended session kept as history, one compact row —
 * which device, where, when it ended and why — linking to its page.
 */
export function RecentlyEnded({ sessions, detailsHref, historyDays }: { sessions: SessionRowView[]; detailsHref: (id: string) => string; historyDays: number }) {
  return (
    <section aria-labelledby="recently-ended" className="space-y-2">
      <h2 id="recently-ended" className="text-base font-semibold text-slate-900">
        Recently ended
      </h2>
      {sessions.length === 0 ? (
        <p className="text-sm text-slate-600">
          {historyDays === 0 ? "Ended sessions are not kept." : `No session ended in the last ${historyDays} day${historyDays === 1 ? "" : "s"}.`}
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white text-sm shadow-sm" aria-label="Your recently ended sessions">
          {sessions.map((session) => (
            <li key={session.id} data-testid="ended-session" className="grid grid-cols-[auto_minmax(0,1fr)] items-center gap-x-3 px-4 py-2.5 sm:px-5">
              <div className="rounded-lg bg-slate-100 p-1.5 text-slate-500">
                <DeviceIcon type={session.deviceType} />
              </div>
              <div className="min-w-0">
                <Link href={detailsHref(session.id)} className="font-medium text-slate-900 hover:underline" aria-label={`Details for ${session.title}, ${session.tokenEnding}`}>
                  {session.title}
                </Link>
                <span className="break-words text-slate-600"> · {session.where}</span>
                {session.ended && (
                  <p className="text-slate-600">
                    <span data-testid="end-reason" className="text-slate-800">
                      {session.ended.why}
                    </span>
                    <span aria-hidden="true"> · </span>
                    <RelativeTime time={session.ended.at} />
                  </p>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
