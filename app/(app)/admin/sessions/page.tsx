import { lenientQuery } from "@/lib/validation/page-query";
import Link from "next/link";
import { actionClass, Cell, DataTable, FixedSetting, ReasonAndKey, ReasonField, ReauthenticateWithSso, rowClass, Select, Stat, IgnoredFilters, ignoredFilter } from "@/components/admin/parts";
import { cancelHref, ConfirmPanel, confirmationHref, Field, confirmationErrorId } from "@/components/confirm-panel";
import { Pager } from "@/components/pager";
import { PendingLink } from "@/components/pending-link";
import { RelativeTime } from "@/components/time";
import { Alert, Badge, buttonClass } from "@/components/ui";
import { outcomeMessage, panelError } from "../outcomes";
import { isOutcomeParam } from "@/lib/http/outcome";
import { countAdminSessions, listAdminSessions, MANY_SESSIONS, adminCounters } from "@/lib/admin/sessions";
import { describeFilter } from "@/lib/admin/filter-words";
import { reauthenticationFor } from "@/lib/auth/freshness";
import { pageContext, adminPageSession, withPageContext, pageQuery } from "@/lib/http/page";
import { ForbiddenMessage } from "@/components/forbidden-message";
import { pageUrl } from "../page-url";
import { toSessionView } from "@/lib/sessions/view-model";
import { adminSessionsQuerySchema, FILTER_ONLY_PARAMS, hasFilter, usernameFilter } from "@/lib/validation/admin";
import { adminRevokeAllAction, adminRevokeFilteredAction, adminRevokeSessionAction, adminRevokeUserAction } from "../actions";
import { adminPageTitle } from "../page-title";

export const generateMetadata = adminPageTitle("Sessions");

const PAGE = "/admin/sessions";
/** How the list names what ?state= shows. */
const STATE_WORDS = { active: "active sessions", ended: "ended sessions", all: "sessions" } as const;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AdminSessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const admin = await adminPageSession();
  if (!admin) return <ForbiddenMessage />;
  const raw = await pageQuery(searchParams);
  const now = new Date();
  const { data: query, problems, valid, invalid } = lenientQuery(adminSessionsQuerySchema, raw);
  const { config } = await pageContext();
  const filtered = hasFilter(query);
  // The count a bulk revoke would end (every page, this session not included), shown on its button.
  const [counters, page, matching] = await withPageContext(({ db }) =>
    Promise.all([
      adminCounters(db, config, now),
      listAdminSessions(db, config, admin.session.id, query, now),
      filtered ? countAdminSessions(db, config, admin.session.id, query, now) : null,
    ]),
  );
  // A user with many sessions is flagged once, on their first row on this page, not on every row.
  const seenUsers = new Set<string>();
  const rows = page.sessions.map((session) => {
    const firstOfUser = !seenUsers.has(session.user.id);
    seenUsers.add(session.user.id);
    return { ...session, flagged: session.flagged && firstOfUser, view: toSessionView(session, now, { as: "admin", owner: session.user.username }) };
  });
  const stateWords = STATE_WORDS[query.state];
  const reauthentication = reauthenticationFor(config, admin.session, now);
  const ssoFirst = (returnTo: string, cancel: string) =>
    reauthentication === "identity_provider" ? <ReauthenticateWithSso freshMinutes={config.freshMinutes} returnTo={returnTo} cancelHref={cancel} /> : undefined;

  // Not the filters the page ignored: carried into an action's return, they would take the focus its outcome should have.
  const state = new URLSearchParams(Object.entries(raw).filter(([name]) => !isOutcomeParam(name) && !invalid.includes(name)));
  const href = (changes: Record<string, string | null>) =>
    pageUrl(PAGE, state, { confirm: null, confirmUser: null, confirmAll: null, confirmFilter: null, opener: null, ...changes });
  const returnTo = `${PAGE}?${state}`;
  const confirmSession = raw.confirm ? rows.find((row) => row.id === raw.confirm && !row.current) : undefined;
  const confirmUser = usernameFilter.safeParse(raw.confirmUser).data;
  const cancelTo = (openerId: string | undefined) => cancelHref(href({}), openerId);
  // "Revoke all" from a row names that row (opener); otherwise the filter's button opened it.
  const openerRow = rows.find((row) => row.id === raw.opener);
  const cancelUser = cancelTo(openerRow ? sessionRowId(openerRow.id) : query.user === confirmUser ? OPENS.user : undefined);
  const message = outcomeMessage(raw);
  const refused = panelError(raw);
  // The filters as the confirmation posts them back: what the page was given, already validated.
  const filterFields = Object.fromEntries(
    (["user", ...FILTER_ONLY_PARAMS] as const).flatMap((name) => (typeof valid[name] === "string" && valid[name] !== "" ? [[name, valid[name]]] : [])),
  );
  const confirmFilter = raw.confirmFilter === "1" && filtered && matching !== null && matching > 0;
  const panelOpen = raw.confirmAll === "1" || confirmFilter || Boolean(confirmUser) || Boolean(confirmSession);
  /** What an open confirmation gets back after a refusal: the reason typed, and which field to mark. */
  const keptFor = (panelId: string) => ({ reason: refused?.kept.reason, invalid: refused?.field, errorId: confirmationErrorId(panelId) });

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Sessions</h1>
          <p className="mt-1 text-sm text-slate-600">
            {query.state === "active"
              ? "Every active session, with its owner. Revocations take effect at the browser's next request."
              : `${query.state === "ended" ? "Sessions" : "Active sessions, and sessions"} that ended in the last ${config.historyDays} days, with when and why.`}
          </p>
        </div>
        {raw.confirmAll !== "1" && (
          <PendingLink id={OPENS.all} href={confirmationHref(href({ confirmAll: "1" }), "confirm-all")} className={buttonClass.dangerOutline}>
            Force logout everyone
          </PendingLink>
        )}
      </div>

      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
        <Stat label="Active sessions" value={counters.activeSessions} />
        <Stat label="Active users" value={counters.activeUsers} />
        <Stat label="Created (24 h)" value={counters.createdLast24h} />
        <Stat label="Revoked (24 h)" value={counters.revokedLast24h} />
        <Stat label="Expired (24 h)" value={counters.expiredLast24h} />
      </dl>

      {message && <Alert tone="success" outcome>{message}</Alert>}
      {/* A refused confirmation says why in its panel, still open. */}
      {refused && !panelOpen && <Alert tone="error" outcome>{refused.message}</Alert>}
      <IgnoredFilters problems={problems} />

      {raw.confirmAll === "1" && (
        <ConfirmPanel
          id="confirm-all"
          title="Force logout everyone?"
          body="Every active session of every user is revoked, and each browser is signed out at its next request. Choose below whether yours is kept."
          action={adminRevokeAllAction}
          fields={{ returnTo }}
          choices={{
            name: "includeSelf",
            options: [
              { value: "false", label: "Sign out everyone else" },
              { value: "true", label: "Sign out everyone, me too" },
            ],
          }}
          pendingLabel="Revoking…"
          error={refused?.message}
          cancelHref={cancelTo(OPENS.all)}
          instead={ssoFirst(href({ confirmAll: "1" }), cancelTo(OPENS.all))}
        >
          <Field
            label='Type "everyone" to confirm'
            name="confirm"
            required
            autoFocus={!refused?.field}
            defaultValue={refused?.kept.confirm}
            errorId={refused?.field === "confirm" ? confirmationErrorId("confirm-all") : undefined}
          />
          <ReasonAndKey reauthentication={reauthentication} freshMinutes={config.freshMinutes} {...keptFor("confirm-all")} />
        </ConfirmPanel>
      )}
      {confirmFilter && (
        <ConfirmPanel
          id="confirm-filter"
          title={`Revoke all ${matching} matching session${matching === 1 ? "" : "s"}?`}
          body={
            <>
              <p>
                Every active session matching <strong>{describeFilter(query)}</strong>, on every page: {matching} session{matching === 1 ? "" : "s"}, yours not included.
                Each browser is signed out at its next request.
              </p>
              <p className="mt-1">If the number has changed when you confirm, nothing is revoked and you can look again.</p>
            </>
          }
          action={adminRevokeFilteredAction}
          fields={{ returnTo, ...filterFields, confirm: String(matching) }}
          confirmLabel={`Revoke ${matching} session${matching === 1 ? "" : "s"}`}
          pendingLabel="Revoking…"
          error={refused?.message}
          cancelHref={cancelTo(OPENS.filter)}
          instead={ssoFirst(href({ confirmFilter: "1" }), cancelTo(OPENS.filter))}
        >
          <ReasonAndKey reauthentication={reauthentication} freshMinutes={config.freshMinutes} autoFocus reasonRequired {...keptFor("confirm-filter")} />
        </ConfirmPanel>
      )}
      {confirmUser && (
        <ConfirmPanel
          id="confirm-user"
          title={`Revoke every session of ${confirmUser}?`}
          body={`All of ${confirmUser}'s browsers are signed out at their next request${confirmUser === admin.user.username ? " (except this one)" : ""}.`}
          action={adminRevokeUserAction}
          fields={{ returnTo, username: confirmUser }}
          confirmLabel={`Revoke all of ${confirmUser}'s sessions`}
          pendingLabel="Revoking…"
          error={refused?.message}
          cancelHref={cancelUser}
          instead={ssoFirst(href({ confirmUser }), cancelUser)}
        >
          <ReasonAndKey reauthentication={reauthentication} freshMinutes={config.freshMinutes} autoFocus {...keptFor("confirm-user")} />
        </ConfirmPanel>
      )}
      {confirmSession && (
        <ConfirmPanel
          id="confirm-session"
          title={`Revoke this session of ${confirmSession.user.username}?`}
          body={`${confirmSession.view.title} (${confirmSession.view.maskedToken}), ${confirmSession.view.ip}, last active ${confirmSession.view.lastActive.relative}. It is signed out at its next request.`}
          action={adminRevokeSessionAction}
          fields={{ returnTo, sessionId: confirmSession.id }}
          confirmLabel="Revoke session"
          pendingLabel="Revoking…"
          error={refused?.message}
          cancelHref={cancelTo(sessionRowId(confirmSession.id))}
        >
          <ReasonField reason={refused?.kept.reason} errorId={refused?.field === "reason" ? confirmationErrorId("confirm-session") : undefined} />
        </ConfirmPanel>
      )}

      <form method="get" action={PAGE} className="grid grid-cols-2 gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-4" aria-label="Filter sessions">
        <div className="col-span-2">
          <Field label="User" name="user" defaultValue={raw.user} errorId={ignoredFilter(invalid, "user")} placeholder="username" />
        </div>
        <Select label="Match" name="match" value={query.match} options={[["exact", "Exact"], ["prefix", "Starts with"]]} />
        <Select label="Method" name="method" value={query.method ?? ""} options={[["", "Any"], ["static", "Key"], ["oidc", "SSO"]]} />
        <Field label="IP, prefix or CIDR" name="ip" defaultValue={raw.ip} errorId={ignoredFilter(invalid, "ip")} placeholder="10.0.0.0/8" />
        <Field label="Country (2 letters)" name="country" defaultValue={raw.country} errorId={ignoredFilter(invalid, "country")} placeholder="DE" />
        <Field label="Browser" name="browser" defaultValue={raw.browser} errorId={ignoredFilter(invalid, "browser")} placeholder="Firefox" />
        <Field label="More than N sessions" name="moreThan" type="number" defaultValue={raw.moreThan} errorId={ignoredFilter(invalid, "moreThan")} />
        <Field label="Signed in after (UTC)" name="signedInAfter" defaultValue={raw.signedInAfter} errorId={ignoredFilter(invalid, "signedInAfter")} placeholder="2026-11-20" />
        <Field label="Signed in before (UTC)" name="signedInBefore" defaultValue={raw.signedInBefore} errorId={ignoredFilter(invalid, "signedInBefore")} placeholder="2026-11-21" />
        <Select label="Show" name="state" value={query.state} options={[["active", "Active"], ["ended", "Ended"], ["all", "All"]]} />
        {query.state === "ended" ? (
          <FixedSetting label="Sort by" text="Most recently ended" />
        ) : (
          <Select label="Sort by" name="sort" value={query.sort} options={[["lastActive", "Last active"], ["created", "Signed in"]]} />
        )}
        <Select label="Per page" name="limit" value={String(query.limit)} options={[["25", "25"], ["50", "50"], ["100", "100"], ["200", "200"]]} />
        <div className="col-span-2 flex flex-wrap items-end gap-2 sm:col-span-4">
          <button type="submit" className={buttonClass.primary}>
            Apply filters
          </button>
          {filtered && (
            <Link href={PAGE} className={buttonClass.secondary}>
              Clear
            </Link>
          )}
          {filtered && query.state === "active" && matching !== null && matching > 0 && !confirmFilter && (
            <PendingLink id={OPENS.filter} href={confirmationHref(href({ confirmFilter: "1" }), "confirm-filter")} className={`${buttonClass.dangerOutline} ml-auto`}>
              Revoke all {matching} matching
            </PendingLink>
          )}
          {query.user && query.match === "exact" && query.state === "active" && rows.length > 0 && !confirmUser && (
            <PendingLink id={OPENS.user} href={confirmationHref(href({ confirmUser: query.user }), "confirm-user")} className={`${buttonClass.dangerOutline} ml-auto`}>
              Revoke all of {query.user}&apos;s sessions
            </PendingLink>
          )}
        </div>
      </form>

      {rows.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 px-5 py-8 text-center text-sm text-slate-600">
          <p className="font-medium text-slate-800">{filtered ? `No ${stateWords} match these filters` : `No ${stateWords}`}</p>
          {filtered && (
            <Link href={PAGE} className="mt-2 inline-block font-medium text-indigo-600 hover:underline">
              Show all sessions
            </Link>
          )}
        </div>
      ) : (
        <DataTable
          caption={stateWords[0].toUpperCase() + stateWords.slice(1)}
          head={["User", "Device", "IP address", "Method", "Signed in", "Last active", query.state === "active" ? "Expires" : "Expires / ended", ""]}
        >
          {rows.map((row) => (
            <tr key={row.id} id={sessionRowId(row.id)} role="row" data-testid="admin-session-row" className={`${rowClass} scroll-mt-24 ${row.current ? "bg-emerald-50/50" : ""}`}>
              <Cell wide>
                <Link
                  href={href({ user: row.user.username, match: "exact", cursor: null })}
                  aria-label={`Sessions of ${row.user.username}`}
                  className="font-medium text-slate-900 wrap-anywhere hover:underline"
                >
                  {row.user.username}
                </Link>
                <div className="mt-1 flex flex-wrap gap-1 empty:hidden">
                  {row.flagged && <Badge tone="amber">{`${row.ownerActiveSessions} sessions`}</Badge>}
                  {row.user.disabled && <Badge tone="slate">Disabled</Badge>}
                  {row.current && <Badge tone="green">This device</Badge>}
                </div>
              </Cell>
              <Cell label="Device" wide>
                <Link
                  href={`${PAGE}/${row.id}`}
                  title={row.view.userAgent ?? undefined}
                  className="font-medium text-indigo-700 hover:underline"
                  aria-label={`Details of ${row.user.username}'s session ${row.view.title}, ${row.view.tokenEnding}`}
                >
                  {row.view.title}
                </Link>
                <div className="text-xs text-slate-500">
                  {row.view.device} · <span className="font-mono">{row.view.maskedToken}</span>
                </div>
              </Cell>
              <Cell label="IP address">
                <div className="break-all lg:whitespace-nowrap lg:break-normal">{row.view.ip}</div>
                {row.view.location && <div className="text-xs text-slate-500">{row.view.location}</div>}
              </Cell>
              <Cell label="Method">
                {row.view.method}
                {row.rememberMe && <div className="text-xs text-slate-500">Remember me</div>}
              </Cell>
              <Cell label="Signed in" className="lg:whitespace-nowrap">
                <RelativeTime time={row.view.created} />
              </Cell>
              <Cell label="Last active" className="lg:whitespace-nowrap">
                <RelativeTime time={row.view.lastActive} />
              </Cell>
              <Cell label={row.view.ended ? "Ended" : "Expires"} className="lg:whitespace-nowrap">
                {row.view.ended ? (
                  <>
                    <Badge tone="slate">Ended</Badge> <RelativeTime time={row.view.ended.at} />
                    <div className="whitespace-normal text-xs text-slate-500 lg:min-w-40" data-testid="end-reason">
                      {row.view.ended.why}
                    </div>
                  </>
                ) : (
                  <RelativeTime time={row.view.expires} />
                )}
              </Cell>
              <Cell actions="stacked">
                {!row.current && !row.view.ended && (
                  <PendingLink
                    href={confirmationHref(href({ confirm: row.id }), "confirm-session")}
                    className={actionClass.danger}
                    aria-label={`Revoke ${row.user.username}'s session ${row.view.tokenEnding}`}
                  >
                    Revoke
                  </PendingLink>
                )}
                <PendingLink
                  href={confirmationHref(href({ confirmUser: row.user.username, opener: row.id }), "confirm-user")}
                  className={actionClass.quiet}
                  aria-label={`Revoke all of ${row.user.username}'s sessions`}
                >
                  Revoke all
                </PendingLink>
              </Cell>
            </tr>
          ))}
        </DataTable>
      )}

      <Pager firstHref={query.cursor ? href({ cursor: null }) : null} nextHref={page.nextCursor ? href({ cursor: page.nextCursor }) : null}>
        <span>Users with more than {MANY_SESSIONS} active sessions are flagged (on their first row on the page).</span>
      </Pager>
    </div>
  );
}

/** The buttons that open this page's confirmations for many sessions: where their Cancel comes back to. */
const OPENS = { all: "force-logout-everyone", filter: "revoke-matching", user: "revoke-user" } as const;
const sessionRowId = (id: string) => `session-${id}`;
