import type { ReactNode } from "react";
import { DeviceIcon } from "@/components/device-icon";
import { RelativeTime } from "@/components/time";
import { PendingLink } from "@/components/pending-link";
import { Badge, DetailList, buttonClass } from "@/components/ui";
import type { SessionView } from "@/lib/sessions/view-model";

type Props = {
  session: SessionView;
  /** Where the Revoke button leads: the same page with the confirmation open. */
  confirmHref: string;
  /** The confirmation step, when open for this session (a form; works without JavaScript). */
  confirmation?: ReactNode;
};

/** One session: what device it is, where and when it was used, and how to end it. */
export function SessionCard({ session, confirmHref, confirmation }: Props) {
  const headingId = `session-${session.id}-title`;
  return (
    <li
      id={`session-${session.id}`}
      aria-labelledby={headingId}
      data-testid="session-card"
      className={`rounded-xl border bg-white shadow-sm ${session.current ? "border-emerald-300 ring-1 ring-emerald-200" : "border-slate-200"}`}
    >
      <div className="flex flex-wrap items-start gap-x-4 gap-y-3 px-4 py-4 sm:px-5">
        <div className={`shrink-0 rounded-lg p-2 ${session.current ? "bg-emerald-50 text-emerald-700" : "bg-slate-100 text-slate-600"}`}>
          <DeviceIcon type={session.deviceType} />
        </div>
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <h3 id={headingId} title={session.userAgent ?? undefined} className="text-base font-semibold text-slate-900">
              {session.title}
            </h3>
            {session.current && <Badge tone="green">This device</Badge>}
          </div>
          <p className="mt-0.5 text-sm text-slate-600">
            <span data-testid="session-device">{session.device}</span>
            <span aria-hidden="true"> · </span>
            <span>{session.location ? `${session.ip} (${session.location})` : session.ip}</span>
          </p>
          <p className="mt-0.5 text-sm text-slate-600">
            {session.current ? "Active now" : <>Last active <RelativeTime time={session.lastActive} /></>}
          </p>
        </div>
        <div className="w-full sm:w-auto sm:text-right">
          {session.current ? (
            <p className="text-sm text-slate-600">
              Use <strong className="font-medium text-slate-800">Log out</strong> to end this session
            </p>
          ) : (
            !confirmation && (
              <PendingLink href={confirmHref} className={buttonClass.dangerOutline} aria-label={`Revoke session ${session.title}, ${session.maskedToken}`}>
                Revoke
              </PendingLink>
            )
          )}
        </div>
      </div>
      {confirmation}
      <div className="border-t border-slate-100 px-4 py-4 sm:px-5">
        <DetailList
          className="grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-3 sm:gap-x-6 lg:grid-cols-4"
          items={[
            { label: "Session", value: <span className="font-mono">{session.maskedToken}</span> },
            { label: "Browser", value: session.browser },
            { label: "Operating system", value: session.os },
            { label: "Device type", value: session.device },
            { label: "IP address", value: <span className="break-all">{session.ip}</span> },
            session.location !== null && { label: "Location (approximate)", value: session.location },
            { label: "Signed in with", value: session.method },
            { label: "Remember me", value: session.rememberMe },
            { label: "Signed in", value: <RelativeTime time={session.created} /> },
            { label: "Last active", value: <RelativeTime time={session.lastActive} /> },
            { label: "Expires if idle", value: <RelativeTime time={session.expires} /> },
          ]}
        />
      </div>
      <details className="border-t border-slate-100 px-4 py-3 text-sm sm:px-5">
        <summary className="cursor-pointer select-none font-medium text-slate-700 hover:text-slate-900">Technical details</summary>
        <DetailList
          className="mt-3 grid grid-cols-1 gap-y-2"
          items={[
            { label: "User agent", value: <span className="break-all font-mono text-xs">{session.userAgent ?? "Not sent"}</span> },
            { label: "Signed in (UTC)", value: session.created.exact },
            { label: "Last active (UTC)", value: session.lastActive.exact },
            { label: "Expires if idle (UTC)", value: session.expires.exact },
          ]}
        />
      </details>
    </li>
  );
}
