import type { Metadata } from "next";
import { cache } from "react";
import Link from "next/link";
import { ReasonField } from "@/components/admin/parts";
import { cancelHref, ConfirmPanel, confirmationErrorId, confirmationHref } from "@/components/confirm-panel";
import { PendingLink } from "@/components/pending-link";
import { SessionActivity, SessionEvents, SessionFacts, SessionHeading } from "@/components/sessions/session-detail";
import { Alert, Badge, buttonClass } from "@/components/ui";
import { getAdminSessionDetail } from "@/lib/admin/sessions";
import { listSessionEvents } from "@/lib/audit";
import { adminPageSession, withPageContext, pageQuery } from "@/lib/http/page";
import { ForbiddenMessage } from "@/components/forbidden-message";
import { NOT_FOUND_TITLE } from "@/components/not-found-message";
import { toActivityView, toSessionView } from "@/lib/sessions/view-model";
import { timeView } from "@/lib/time-view";
import { sessionIdSchema, sessionPageQuerySchema } from "@/lib/validation/sessions";
import { adminRevokeSessionAction } from "../../actions";
import { notFoundAnswer } from "../../../not-found-answer";
import { outcomeMessage, panelError } from "../../outcomes";
import { adminTitle } from "../../page-title";

const LIST = "/admin/sessions";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * The session with its events, read once per request for the page and its title: "forbidden" for
 * someone not an admin, null for a 404.
 */
const loadSession = cache(async (rawId: string) => {
  const admin = await adminPageSession();
  if (!admin) return "forbidden" as const;
  const id = sessionIdSchema.safeParse(rawId);
  if (!id.success) return null;
  const now = new Date();
  return withPageContext(async ({ db, config }) => {
    const detail = await getAdminSessionDetail(db, config, admin.session.id, id.data, now);
    return detail && { now, detail, events: await listSessionEvents(db, { id: detail.id, username: detail.user.username, since: new Date(detail.createdAt) }) };
  });
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const found = await loadSession((await params).id);
  return { title: found === null ? NOT_FOUND_TITLE : adminTitle("Session", found !== "forbidden") };
}

/** Any one session, active or ended, for admins: its owner, everything about it, where it was used, its events; revoke. */
export default async function AdminSessionPage({ params, searchParams }: Props) {
  const found = await loadSession((await params).id);
  if (found === "forbidden") return <ForbiddenMessage />;
  if (!found) return notFoundAnswer();
  const { detail, now } = found;
  const session = toSessionView(detail, now, { as: "admin", owner: detail.user.username });
  const raw = await pageQuery(searchParams);
  const query = sessionPageQuerySchema.parse(raw);
  const confirming = query.confirm === "1" && !session.current && !session.ended;
  const message = outcomeMessage(raw);
  const refused = panelError(raw);
  const here = `${LIST}/${session.id}`;
  const owner = detail.user.username;

  return (
    <div className="space-y-6">
      <Link href={LIST} className="text-sm font-medium text-indigo-700 hover:text-indigo-900">
        ← All sessions
      </Link>

      <div className="flex flex-wrap items-start justify-between gap-4">
        <SessionHeading session={session} badges={detail.flagged ? <Badge tone="amber">{detail.ownerActiveSessions} sessions</Badge> : undefined} />
        {!session.current && !session.ended && !confirming && (
          <PendingLink id={REVOKE_BUTTON} href={confirmationHref(`${here}?confirm=1`, "confirm-session")} className={buttonClass.dangerOutline} aria-label={`Revoke ${owner}'s session ${session.tokenEnding}`}>
            Revoke
          </PendingLink>
        )}
      </div>

      {session.current && <p className="text-sm text-slate-600">This is the session you are using.</p>}
      {message && <Alert tone="success" outcome>{message}</Alert>}

      {confirming && (
        <ConfirmPanel
          id="confirm-session"
          title={`Revoke this session of ${owner}?`}
          body={`${session.title} (${session.maskedToken}), ${session.ip}, last active ${session.lastActive.relative}. It is signed out at its next request.`}
          action={adminRevokeSessionAction}
          // Back here either way: refused, the panel stays open with why; done, the page shows the session ended.
          fields={{ returnTo: `${here}?confirm=1`, sessionId: session.id }}
          confirmLabel="Revoke session"
          pendingLabel="Revoking…"
          error={refused?.message}
          cancelHref={cancelHref(here, REVOKE_BUTTON)}
        >
          <ReasonField reason={refused?.kept.reason} errorId={refused?.field === "reason" ? confirmationErrorId("confirm-session") : undefined} />
        </ConfirmPanel>
      )}

      <SessionFacts
        session={session}
        extra={[
          {
            label: "User",
            value: (
              <Link href={`${LIST}?user=${encodeURIComponent(owner)}`} className="font-medium text-indigo-700 hover:underline">
                {owner}
                {detail.user.disabled ? " (disabled)" : ""}
              </Link>
            ),
          },
          { label: "Their active sessions", value: String(detail.ownerActiveSessions) },
        ]}
      />
      <SessionActivity activity={detail.activity.map((entry) => toActivityView(entry, now))} />
      <SessionEvents events={found.events.map((event) => ({ ...event, at: timeView(event.at, now) }))} />
    </div>
  );
}

/** The Revoke button, where its confirmation's Cancel comes back to. */
const REVOKE_BUTTON = "revoke";
