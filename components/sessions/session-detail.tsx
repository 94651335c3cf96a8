import { DeviceIcon } from "@/components/device-icon";
import { ExactTime, RelativeTime } from "@/components/time";
import { Badge, DetailList } from "@/components/ui";
import { auditEventWords } from "@/lib/audit-words";
import type { ActivityView, SessionView } from "@/lib/sessions/view-model";
import type { TimeView } from "@/lib/time-view";

/** The device icon, "Firefox 128 on Linux", its badges and where it signed in: a detail page's heading. */
export function SessionHeading({ session, badges }: { session: SessionView; badges?: React.ReactNode }) {
  return (
    <div className="flex min-w-0 items-start gap-3">
      <div className={`shrink-0 rounded-lg p-2 ${session.current ? "bg-emerald-100 text-emerald-700" : "bg-slate-100 text-slate-600"}`}>
        <DeviceIcon type={session.deviceType} />
      </div>
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight break-words">{session.title}</h1>
        <div className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
          {session.current && <Badge tone="green">This device</Badge>}
          {session.ended && <Badge tone="slate">Ended</Badge>}
          <Badge tone={session.method === "SSO" ? "indigo" : "slate"}>{session.method}</Badge>
          {badges}
          <span className="break-words">{session.where}</span>
        </div>
      </div>
    </div>
  );
}

/** Everything known about the session itself, and its user agent in full. */
export function SessionFacts({ session, extra = [] }: { session: SessionView; extra?: { label: string; value: React.ReactNode }[] }) {
  return (
    <section aria-labelledby="session-details" className="rounded-xl border border-slate-200 bg-white px-4 py-4 shadow-sm sm:px-5">
      <h2 id="session-details" className="sr-only">
        Details
      </h2>
      <DetailList
        className="grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-3 sm:gap-x-6"
        items={[
          ...extra,
          { label: "Session", value: <span className="font-mono">{session.maskedToken}</span> },
          { label: "Browser", value: session.browser },
          { label: "Operating system", value: session.os },
          { label: "Device type", value: <span data-testid="session-device">{session.device}</span> },
          { label: "IP address", value: <span className="break-all">{session.ip}</span> },
          session.location !== null && { label: "Location (approximate)", value: session.location },
          { label: "Signed in with", value: session.method },
          { label: "Remember me", value: session.rememberMe },
          { label: "Signed in", value: <When time={session.created} /> },
          { label: "Last active", value: <When time={session.lastActive} /> },
          ...(session.ended
            ? [
                { label: "Ended", value: <When time={session.ended.at} /> },
                { label: "Why it ended", value: <span data-testid="end-reason">{session.ended.why}</span> },
              ]
            : [{ label: "Expires if idle", value: <When time={session.expires} /> }]),
        ]}
      />
      <DetailList
        className="mt-4 border-t border-slate-100 pt-4"
        items={[{ label: "User agent", value: <span className="break-all font-mono text-xs">{session.userAgent ?? "Not sent"}</span> }]}
      />
    </section>
  );
}

/** "Where it was used": each address and browser, with its place, first and last seen. */
export function SessionActivity({ activity }: { activity: ActivityView[] }) {
  return (
    <section aria-labelledby="session-activity" className="space-y-2">
      <h2 id="session-activity" className="text-base font-semibold text-slate-900">
        Where it was used
      </h2>
      <p className="text-sm text-slate-600">Each address and browser this session has been used from, most recent first.</p>
      <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white text-sm shadow-sm" data-testid="session-activity">
        {activity.map((entry) => (
          <li key={entry.key} className="grid gap-x-6 gap-y-1 px-4 py-2.5 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)] sm:px-5">
            <div className="min-w-0">
              <div className="break-all font-medium text-slate-900">{entry.ip}</div>
              <div className="text-slate-600">{[entry.place, entry.browser].filter(Boolean).join(" · ")}</div>
            </div>
            <div>
              <span className="text-xs text-slate-500 sm:block">First seen </span>
              <When time={entry.firstSeen} />
            </div>
            <div>
              <span className="text-xs text-slate-500 sm:block">Last seen </span>
              <When time={entry.lastSeen} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export type SessionEventView = { id: string; type: string; actor: string | null; detail: string | null; at: TimeView };

/** The session's audit events, newest first: in words, with the code the events page filters by. */
export function SessionEvents({ events }: { events: SessionEventView[] }) {
  return (
    <section aria-labelledby="session-events" className="space-y-2">
      <h2 id="session-events" className="text-base font-semibold text-slate-900">
        Audit events
      </h2>
      {events.length === 0 ? (
        <p className="text-sm text-slate-600">None recorded for this session.</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white text-sm shadow-sm">
          {events.map((event) => (
            <li key={event.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 px-4 py-2.5 sm:px-5">
              <span>
                <span className="text-slate-900">{auditEventWords(event)}</span>{" "}
                <span className="ml-1 font-mono text-xs text-slate-500">{event.type}</span>
              </span>
              <When time={event.at} inline />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** "3 days ago", and the exact UTC time under it (or beside it). */
function When({ time, inline = false }: { time: TimeView; inline?: boolean }) {
  return (
    <span>
      <RelativeTime time={time} />
      <span className={`text-xs text-slate-500 ${inline ? "ml-2" : "block"}`}>
        <ExactTime time={time} />
      </span>
    </span>
  );
}
