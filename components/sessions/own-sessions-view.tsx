"use client";

import Link from "next/link";
import { cancelHref, ConfirmPanel, confirmationHref } from "@/components/confirm-panel";
import { Pager } from "@/components/pager";
import { PendingLink } from "@/components/pending-link";
import { RecentlyEnded } from "@/components/sessions/recently-ended";
import { RevokeConfirmation, revokeConfirmationId } from "@/components/sessions/revoke-confirmation";
import { SessionCard } from "@/components/sessions/session-card";
import { Alert, buttonClass } from "@/components/ui";
import type { SessionRowView } from "@/lib/sessions/view-model";

type Action = (formData: FormData) => Promise<void>;

type Props = {
  /** The page's own path (/settings/sessions). */
  page: string;
  username: string;
  /** The page of the list shown (null: the first), kept in every link that stays on it. */
  cursor: string | null;
  /** This page of the active sessions, or null when its cursor is no longer valid. */
  sessions: SessionRowView[] | null;
  nextCursor: string | null;
  ended: SessionRowView[];
  historyDays: number;
  /**
   * The open confirmation ("others" or a session id, from the URL) and the action its form posts to.
   * Only an open one carries its action: a page that shows no form sends no action references,
   * which cost as much to send as a session's row.
   */
  confirming?: { what: string; action: Action };
  /** The last outcome, from the URL. */
  revoked: boolean;
  signedOutOthers?: number;
  error?: string;
};

/**
 * Settings > Sessions as the person sees it: their active sessions (Revoke one, or all others, each
 * with a confirmation) and the recently ended ones. A client component although it keeps no state:
 * the server sends the sessions as data rather than this markup, which a page otherwise carries twice
 * (in its HTML and in React's payload), and which Next.js serializes and parses element by element.
 */
export function OwnSessionsView(props: Props) {
  const { page, cursor, sessions, confirming } = props;
  const confirm = confirming?.what;
  const firstPage = !cursor;
  const hasOthers = (sessions ?? []).some((s) => !s.current) || Boolean(props.nextCursor) || !firstPage;
  const pageHref = (extra: Record<string, string>) => `${page}?${new URLSearchParams({ ...(cursor ? { cursor } : {}), ...extra })}`;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="max-w-2xl">
          <h1 className="text-2xl font-semibold tracking-tight">Sessions</h1>
          <p className="mt-1 text-sm text-slate-600">
            Where <strong className="font-medium text-slate-900">{props.username}</strong> is signed in. Revoke any device
            you don&apos;t recognise: it is signed out at its next request.
          </p>
        </div>
        {hasOthers && confirm !== "others" && (
          <PendingLink id={SIGN_OUT_OTHERS} href={confirmationHref(`${page}?confirm=others`, "sign-out-others")} className={buttonClass.dangerOutline}>
            Sign out all other sessions
          </PendingLink>
        )}
      </div>

      {props.revoked && <Alert tone="success" outcome>Session revoked. That device is signed out at its next request.</Alert>}
      {props.signedOutOthers !== undefined && (
        <Alert tone="success" outcome>
          {props.signedOutOthers === 0
            ? "There were no other sessions to sign out."
            : `Signed out ${props.signedOutOthers} other session${props.signedOutOthers === 1 ? "" : "s"}. Only this device is still signed in.`}
        </Alert>
      )}
      {props.error && <Alert tone="error" outcome>{props.error}</Alert>}

      {confirming?.what === "others" && (
        <ConfirmPanel
          id="sign-out-others"
          title="Sign out all other sessions?"
          body="Every other browser and device signed in as you is signed out at its next request. This device stays signed in."
          action={confirming.action}
          confirmLabel="Sign out all other sessions"
          pendingLabel="Signing out…"
          cancelHref={cancelHref(pageHref({}), SIGN_OUT_OTHERS)}
        />
      )}

      {!sessions ? (
        <Alert tone="error">
          This page link is no longer valid.{" "}
          <Link href={page} className="font-medium underline">
            Show the newest sessions
          </Link>
        </Alert>
      ) : (
        <section aria-labelledby="active-sessions" className="space-y-2">
          <h2 id="active-sessions" className="text-base font-semibold text-slate-900">
            Active sessions
          </h2>
          <ul className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm" aria-label="Your active sessions">
            {sessions.map((session) => (
              <SessionCard
                key={session.id}
                session={session}
                detailsHref={`${page}/${session.id}`}
                confirmHref={confirmationHref(pageHref({ confirm: session.id }), revokeConfirmationId(session.id))}
                confirmation={
                  confirming?.what === session.id && !session.current ? (
                    <RevokeConfirmation session={session} action={confirming.action} cancelHref={cancelHref(pageHref({}), `session-${session.id}`)} inset />
                  ) : undefined
                }
              />
            ))}
          </ul>
          {firstPage && !hasOthers && (
            <div className="rounded-xl border border-dashed border-slate-300 px-5 py-6 text-center text-sm text-slate-600">
              <p className="font-medium text-slate-800">No other active sessions</p>
              <p className="mt-1">When you sign in on another browser or device, it appears here.</p>
            </div>
          )}
          {!firstPage && sessions.length === 0 && <p className="text-sm text-slate-600">No older sessions.</p>}
          <Pager
            firstHref={firstPage ? null : page}
            nextHref={props.nextCursor ? `${page}?${new URLSearchParams({ cursor: props.nextCursor })}` : null}
            firstLabel="← Newest sessions"
            nextLabel="Older sessions →"
          />
        </section>
      )}

      <RecentlyEnded sessions={props.ended} historyDays={props.historyDays} detailsHref={(id) => `${page}/${id}`} />
    </div>
  );
}

/** The button that opens "Sign out all other sessions": where its Cancel comes back to. */
const SIGN_OUT_OTHERS = "sign-out-others-button";
