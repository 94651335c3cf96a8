import Link from "next/link";
import type { ReactNode } from "react";
import { DeviceIcon } from "@/components/device-icon";
import { RelativeTime } from "@/components/time";
import { PendingLink } from "@/components/pending-link";
import { Badge, buttonClass } from "@/components/ui";
import type { SessionRowView } from "@/lib/sessions/view-model";

type Props = {
  session: SessionRowView;
  /** The session's own page, with everything the row leaves out. */
  detailsHref: string;
  /** Where Revoke leads: this page with the confirmation open and scrolled to. */
  confirmHref: string;
  /** The confirmation step, when open for this session (a form; works without JavaScript). */
  confirmation?: ReactNode;
};

/** One row of the Sessions list: which device, where and when, how it signed in, and Details / Revoke. */
export function SessionCard({ session, detailsHref, confirmHref, confirmation }: Props) {
  const headingId = `session-${session.id}-title`;
  return (
    <li id={`session-${session.id}`} aria-labelledby={headingId} data-testid="session-card" className={session.current ? "bg-emerald-50/40" : undefined}>
      {/* Two lines beside the icon; on a phone the actions take a third, under the text. */}
      <div className="grid grid-cols-[auto_minmax(0,1fr)] items-center gap-x-3 gap-y-2 px-4 py-3 sm:grid-cols-[auto_minmax(0,1fr)_auto] sm:px-5">
        <div className={`row-span-2 self-start rounded-lg p-2 sm:row-span-1 sm:self-center ${session.current ? "bg-emerald-100 text-emerald-700" : "bg-slate-100 text-slate-600"}`}>
          <DeviceIcon type={session.deviceType} />
          <span className="sr-only" data-testid="session-device">
            {session.device}
          </span>
        </div>
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <h3 id={headingId} title={session.userAgent ?? undefined} className="text-sm font-semibold text-slate-900">
              {session.title}
            </h3>
            {session.current && <Badge tone="green">This device</Badge>}
          </div>
          <p className="mt-1 break-words text-sm text-slate-600">
            <Badge tone={session.method === "SSO" ? "indigo" : "slate"}>{session.method}</Badge> <span>{session.where}</span>
            <span aria-hidden="true"> · </span>
            {session.current ? <span className="text-emerald-700">Active now</span> : <>Active <RelativeTime time={session.lastActive} /></>}
          </p>
        </div>
        <div className="col-start-2 flex items-center gap-2 sm:col-start-3">
          <Link href={detailsHref} className={buttonClass.secondary} aria-label={`Details for ${session.title}, ${session.tokenEnding}`}>
            Details
          </Link>
          {!session.current && !confirmation && (
            <PendingLink href={confirmHref} className={buttonClass.dangerOutline} aria-label={`Revoke session ${session.title}, ${session.tokenEnding}`}>
              Revoke
            </PendingLink>
          )}
        </div>
      </div>
      {confirmation}
    </li>
  );
}
