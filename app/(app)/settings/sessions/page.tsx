import type { Metadata } from "next";
import { z } from "zod";
import { pageMessage, type FailureCode } from "@/lib/errors";
import { requireSession, withPageContext, pageQuery } from "@/lib/http/page";
import { listSettingsSessions } from "@/lib/sessions/own-sessions";
import { toSessionRowView } from "@/lib/sessions/view-model";
import { ownSessionsQuerySchema, sessionIdSchema } from "@/lib/validation/sessions";
import { OwnSessionsView } from "@/components/sessions/own-sessions-view";
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
  const raw = await pageQuery(searchParams);
  const params = pageParamsSchema.parse(raw);
  const query = ownSessionsQuerySchema.safeParse({ cursor: raw.cursor });
  const now = new Date();
  const { lists, historyDays } = await withPageContext(async ({ db, config }) => ({
    lists: await listSettingsSessions(db, config, owner, query.success ? query.data : null, ENDED_SHOWN, now),
    historyDays: config.historyDays,
  }));
  const page = lists.active;
  return (
    <OwnSessionsView
      page={PAGE}
      username={owner.user.username}
      cursor={raw.cursor ?? null}
      sessions={page?.sessions.map((session) => toSessionRowView(session, now)) ?? null}
      nextCursor={page?.nextCursor ?? null}
      ended={lists.ended.map((session) => toSessionRowView(session, now, { as: "owner", username: owner.user.username }))}
      historyDays={historyDays}
      confirming={params.confirm ? { what: params.confirm, action: params.confirm === "others" ? revokeOtherSessionsAction : revokeSessionAction } : undefined}
      revoked={Boolean(params.revoked)}
      signedOutOthers={params.signedOutOthers}
      error={params.error && (pageMessage(params.error) ?? undefined)}
    />
  );
}
