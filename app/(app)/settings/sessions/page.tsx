import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { Pager } from "@/components/pager";
import { PendingLink } from "@/components/pending-link";
import { RevokeConfirmation, revokeConfirmationId } from "@/components/sessions/revoke-confirmation";
import { SessionCard } from "@/components/sessions/session-card";
import { RecentlyEnded } from "@/components/sessions/recently-ended";
import { ConfirmPanel, confirmationHref } from "@/components/confirm-panel";
import { Alert, buttonClass } from "@/components/ui";
import { pageMessage, type FailureCode } from "@/lib/errors";
import { requireSession, withPageContext } from "@/lib/http/page";
import { listOwnSessions, listOwnSessionsCurrentFirst } from "@/lib/sessions/own-sessions";
import { toSessionView } from "@/lib/sessions/view-model";
import { ownSessionsQuerySchema, queryObject, sessionIdSchema } from "@/lib/validation/sessions";
import { revokeOtherSessionsAction, revokeSessionAction } from "./actions";

export const metadata: Metadata = { title: "Sessions" };

const PAGE = "/settings/sessions";
/** "Recently ended" shows this many; GET /api/sessions?state=ended pages through the rest. */
const ENDED_SHOWN = 10;

/** Page state in the URL, so every step (confirm, result) works without client JavaScript. */
const pageParamsSchema = z.object({
  confirm: z.union([z.literal("others"), sessionIdSchema]).optional().catch(undefined),
  revoked: z.literal("1").optional().catch(undefined),
  signedOutOthers: z.coerce.number().int().min(0).optional().catch(undefined),
  error: z.enum(["session_not_found", "current_session"] satisfies FailureCode[]).optional().catch(undefined),
});

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const owner = await requireSession();
  const raw = queryObject(await searchParams);
  const params = pageParamsSchema.parse(raw);
  const query = ownSessionsQuerySchema.safeParse({ cursor: raw.cursor });
  const now = new Date();
  const page = query.success
    ? await withPageContext(({ db, config }) => listOwnSessionsCurrentFirst(db, config, owner, query.data, now))
    : null;
  const sessions = page?.sessions.map((session) => toSessionView(session, now)) ?? [];
  const ended = await withPageContext(async ({ db, config }) => ({
    historyDays: config.historyDays,
    sessions: (await listOwnSessions(db, config, owner, { state: "ended", limit: ENDED_SHOWN }, now)).sessions.map((session) =>
      toSessionView(session, now, { as: "owner", username: owner.user.username }),
    ),
  }));
  const firstPage = !raw.cursor;
  const hasOthers = sessions.some((s) => !s.current) || Boolean(page?.nextCursor) || !firstPage;
  const pageHref = (extra: Record<string, string>) => `${PAGE}?${new URLSearchParams({ ...(raw.cursor ? { cursor: raw.cursor } : {}), ...extra })}`;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="max-w-2xl">
          <h1 className="text-2xl font-semibold tracking-tight">Sessions</h1>
          <p className="mt-1 text-sm text-slate-600">
            Where <strong className="font-medium text-slate-900">{owner.user.username}</strong> is signed in. Revoke any device
            you don&apos;t recognise: it is signed out at its next request.
          </p>
        </div>
        {hasOthers && params.confirm !== "others" && (
          <PendingLink href={confirmationHref(`${PAGE}?confirm=others`, "sign-out-others")} className={buttonClass.dangerOutline}>
            Sign out all other sessions
          </PendingLink>
        )}
      </div>

      {params.revoked && <Alert tone="success">Session revoked. That device is signed out at its next request.</Alert>}
      {params.signedOutOthers !== undefined && (
        <Alert tone="success">
          {params.signedOutOthers === 0
            ? "There were no other sessions to sign out."
            : `Signed out ${params.signedOutOthers} other session${params.signedOutOthers === 1 ? "" : "s"}. Only this device is still signed in.`}
        </Alert>
      )}
      {params.error && <Alert tone="error">{pageMessage(params.error)}</Alert>}

      {params.confirm === "others" && (
        <ConfirmPanel
          id="sign-out-others"
          title="Sign out all other sessions?"
          body="Every other browser and device signed in as you is signed out at its next request. This device stays signed in."
          action={revokeOtherSessionsAction}
          confirmLabel="Sign out all other sessions"
          pendingLabel="Signing out…"
          cancelHref={pageHref({})}
        />
      )}

      {!page ? (
        <Alert tone="error">
          This page link is no longer valid.{" "}
          <Link href={PAGE} className="font-medium underline">
            Show the newest sessions
          </Link>
        </Alert>
      ) : (
        <section aria-labelledby="active-sessions" className="space-y-2">
          {/* The cards' device names are h3s: this keeps the outline h1 → h2 → h3. */}
          <h2 id="active-sessions" className="text-base font-semibold text-slate-900">
            Active sessions
          </h2>
          <ul className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm" aria-label="Your active sessions">
            {sessions.map((session) => (
              <SessionCard
                key={session.id}
                session={session}
                detailsHref={`${PAGE}/${session.id}`}
                confirmHref={confirmationHref(pageHref({ confirm: session.id }), revokeConfirmationId(session.id))}
                confirmation={
                  params.confirm === session.id && !session.current ? (
                    <RevokeConfirmation session={session} action={revokeSessionAction} cancelHref={`${pageHref({})}#session-${session.id}`} inset />
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
            firstHref={firstPage ? null : PAGE}
            nextHref={page.nextCursor ? `${PAGE}?${new URLSearchParams({ cursor: page.nextCursor })}` : null}
            firstLabel="← Newest sessions"
            nextLabel="Older sessions →"
          />
        </section>
      )}

      <RecentlyEnded sessions={ended.sessions} historyDays={ended.historyDays} detailsHref={(id) => `${PAGE}/${id}`} />
    </div>
  );
}
