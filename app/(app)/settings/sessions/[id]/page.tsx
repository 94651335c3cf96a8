import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { cancelHref, confirmationHref } from "@/components/confirm-panel";
import { PendingLink } from "@/components/pending-link";
import { RevokeConfirmation, revokeConfirmationId } from "@/components/sessions/revoke-confirmation";
import { SessionActivity, SessionEvents, SessionFacts, SessionHeading } from "@/components/sessions/session-detail";
import { buttonClass } from "@/components/ui";
import { listSessionEvents } from "@/lib/audit";
import { requireSession, withPageContext, pageQuery } from "@/lib/http/page";
import { getOwnSessionDetail } from "@/lib/sessions/own-sessions";
import { toActivityView, toSessionView } from "@/lib/sessions/view-model";
import { timeView } from "@/lib/time-view";
import { sessionIdSchema, sessionPageQuerySchema } from "@/lib/validation/sessions";
import { revokeSessionAction } from "../actions";
import { notFoundAnswer } from "../../../not-found-answer";
import { NOT_FOUND_TITLE } from "@/components/not-found-message";

const LIST = "/settings/sessions";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** One of the signed-in person's sessions with its events, read once per request for the page and its title; null: a 404. */
const loadOwnSession = cache(async (rawId: string) => {
  const owner = await requireSession();
  const id = sessionIdSchema.safeParse(rawId);
  if (!id.success) return null;
  const now = new Date();
  return withPageContext(async ({ db, config }) => {
    const own = await getOwnSessionDetail(db, config, owner, id.data, now);
    return own && { owner, now, own, events: await listSessionEvents(db, { id: own.id, username: owner.user.username, since: new Date(own.createdAt) }) };
  });
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await loadOwnSession((await params).id)) ? "Session" : NOT_FOUND_TITLE };
}

/** Everything about one of your sessions, active or ended (with how it ended). Anyone else's or a made-up id: the same 404. */
export default async function SessionPage({ params, searchParams }: Props) {
  const found = await loadOwnSession((await params).id);
  if (!found) return notFoundAnswer();
  const { owner, now } = found;
  const session = toSessionView(found.own, now, { as: "owner", username: owner.user.username });
  const confirming = sessionPageQuerySchema.parse(await pageQuery(searchParams)).confirm === "1" && !session.current && !session.ended;
  const here = `${LIST}/${session.id}`;

  return (
    <div className="space-y-6">
      <Link href={LIST} className="text-sm font-medium text-indigo-700 hover:text-indigo-900">
        ← All sessions
      </Link>

      <div className="flex flex-wrap items-start justify-between gap-4">
        <SessionHeading session={session} />
        {!session.current && !session.ended && !confirming && (
          <PendingLink
            id={REVOKE_BUTTON}
            href={confirmationHref(`${here}?confirm=1`, revokeConfirmationId(session.id))}
            className={buttonClass.dangerOutline}
            aria-label={`Revoke session ${session.title}, ${session.tokenEnding}`}
          >
            Revoke
          </PendingLink>
        )}
      </div>

      {session.current && (
        <p className="text-sm text-slate-600">
          This is the session you are using. Use <strong className="font-medium text-slate-800">Log out</strong> to end it.
        </p>
      )}

      {confirming && <RevokeConfirmation session={session} action={revokeSessionAction} cancelHref={cancelHref(here, REVOKE_BUTTON)} />}

      <SessionFacts session={session} />
      <SessionActivity activity={found.own.activity.map((entry) => toActivityView(entry, now))} />
      <SessionEvents events={found.events.map((event) => ({ ...event, at: timeView(event.at, now) }))} />
    </div>
  );
}

/** The Revoke button, where its confirmation's Cancel comes back to. */
const REVOKE_BUTTON = "revoke";
