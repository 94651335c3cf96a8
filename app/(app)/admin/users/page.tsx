import Link from "next/link";
import { actionClass, Cell, DataTable, IgnoredFilters, ignoredFilter, ReasonAndKey, ReauthenticateWithSso, rowClass } from "@/components/admin/parts";
import { cancelHref, ConfirmPanel, confirmationErrorId, confirmationHref, Field } from "@/components/confirm-panel";
import { Pager } from "@/components/pager";
import { PendingLink } from "@/components/pending-link";
import { RelativeTime } from "@/components/time";
import { Alert, Badge, buttonClass } from "@/components/ui";
import { outcomeMessage, panelError } from "../outcomes";
import { isOutcomeParam } from "@/lib/http/outcome";
import { listUsers } from "@/lib/admin/users";
import { reauthenticationFor } from "@/lib/auth/freshness";
import { pageContext, adminPageSession, withPageContext, pageQuery } from "@/lib/http/page";
import { ForbiddenMessage } from "@/components/forbidden-message";
import { pageUrl } from "../page-url";
import { timeView } from "@/lib/time-view";
import { adminUsersQuerySchema } from "@/lib/validation/admin";
import { lenientQuery } from "@/lib/validation/page-query";
import { adminRevokeUserAction, disableUserAction, enableUserAction } from "../actions";
import { adminPageTitle } from "../page-title";

export const generateMetadata = adminPageTitle("Users");

const PAGE = "/admin/users";
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AdminUsersPage({ searchParams }: { searchParams: SearchParams }) {
  const admin = await adminPageSession();
  if (!admin) return <ForbiddenMessage />;
  const raw = await pageQuery(searchParams);
  const now = new Date();
  // One invalid parameter (a mistyped prefix, a cursor no user name can be) is named and dropped; the rest apply.
  const { data: query, problems, invalid } = lenientQuery(adminUsersQuerySchema, raw);
  const { config } = await pageContext();
  const page = await withPageContext(({ db }) => listUsers(db, config, { prefix: query.prefix, after: query.cursor, limit: query.limit }, now));
  const reauthentication = reauthenticationFor(config, admin.session, now);

  // An open confirmation stays in the state (and so in returnTo): an error keeps it open, success closes it (outcomeUrl).
  // Not the parameters the page ignored: carried into an action's return, they would take the focus its outcome should have.
  const state = new URLSearchParams(Object.entries(raw).filter(([name]) => !isOutcomeParam(name) && !invalid.includes(name)));
  const href = (changes: Record<string, string | null>) => pageUrl(PAGE, state, { confirmDisable: null, confirmUser: null, ...changes });
  const returnTo = `${PAGE}?${state}`;
  const confirmDisable = page.users.find((user) => user.username === raw.confirmDisable && !user.disabled);
  // What "Revoke all" ends: every active session of theirs but the one this admin is using.
  const revocable = (user: { username: string; activeSessions: number }) => user.activeSessions - (user.username === admin.user.username ? 1 : 0);
  const confirmUser = confirmDisable ? undefined : page.users.find((user) => user.username === raw.confirmUser && revocable(user) > 0);
  // Cancel goes back to the row whose Disable or Revoke all opened the panel.
  const opened = confirmDisable ?? confirmUser;
  const cancel = cancelHref(href({}), opened && userRowId(opened.id));
  const message = outcomeMessage(raw);
  const refused = panelError(raw);
  // What both confirmations ask first: a new sign-in at the identity provider (back to `reopen`), or a reason and the key.
  const ssoFirst = (reopen: string) =>
    reauthentication === "identity_provider" ? <ReauthenticateWithSso freshMinutes={config.freshMinutes} returnTo={reopen} cancelHref={cancel} /> : undefined;
  const reasonAndKey = (panelId: string) => (
    <ReasonAndKey
      reauthentication={reauthentication}
      freshMinutes={config.freshMinutes}
      autoFocus
      reason={refused?.kept.reason}
      invalid={refused?.field}
      errorId={confirmationErrorId(panelId)}
    />
  );

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
        <p className="mt-1 text-sm text-slate-600">Everyone who has signed in. Disabling an account ends its sessions and refuses new sign-ins.</p>
      </div>
      {message && <Alert tone="success" outcome>{message}</Alert>}
      <IgnoredFilters problems={problems} />
      {/* A refused confirmation says why in its panel, still open. */}
      {refused && !opened && <Alert tone="error" outcome>{refused.message}</Alert>}
      {confirmDisable && (
        <ConfirmPanel
          id="confirm-disable"
          title={`Disable ${confirmDisable.username}?`}
          body={`Their ${confirmDisable.activeSessions === 1 ? "1 active session ends" : `${confirmDisable.activeSessions} active sessions end`} at once, and sign-ins (key or SSO) are refused until you enable the account again.`}
          action={disableUserAction}
          fields={{ returnTo, username: confirmDisable.username }}
          confirmLabel={`Disable ${confirmDisable.username}`}
          pendingLabel="Disabling…"
          error={refused?.message}
          cancelHref={cancel}
          instead={ssoFirst(href({ confirmDisable: confirmDisable.username }))}
        >
          {reasonAndKey("confirm-disable")}
        </ConfirmPanel>
      )}
      {confirmUser && (
        <ConfirmPanel
          id="confirm-user"
          title={`Revoke every session of ${confirmUser.username}?`}
          body={`All of ${confirmUser.username}'s browsers (${revocable(confirmUser) === 1 ? "1 active session" : `${revocable(confirmUser)} active sessions`}) are signed out at their next request${confirmUser.username === admin.user.username ? " (except this one)" : ""}. The account stays ${confirmUser.disabled ? "disabled" : "enabled"}.`}
          action={adminRevokeUserAction}
          fields={{ returnTo, username: confirmUser.username }}
          confirmLabel={`Revoke all of ${confirmUser.username}'s sessions`}
          pendingLabel="Revoking…"
          error={refused?.message}
          cancelHref={cancel}
          instead={ssoFirst(href({ confirmUser: confirmUser.username }))}
        >
          {reasonAndKey("confirm-user")}
        </ConfirmPanel>
      )}
      <form method="get" action={PAGE} className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-label="Find users">
        <Field label="Username starts with" name="prefix" defaultValue={raw.prefix} errorId={ignoredFilter(invalid, "prefix")} />
        <button type="submit" className={buttonClass.primary}>
          Find
        </button>
        {query.prefix && (
          <Link href={PAGE} className={buttonClass.secondary}>
            Clear
          </Link>
        )}
      </form>
      {page.users.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 px-5 py-8 text-center text-sm text-slate-600">No users found.</p>
      ) : (
        <DataTable caption="Users" head={["User", "Role", "Signs in with", "Active sessions", "Last sign-in", ""]}>
          {page.users.map((user) => (
            <tr key={user.id} id={userRowId(user.id)} role="row" data-testid="admin-user-row" className={`${rowClass} scroll-mt-24`}>
              <Cell wide>
                <div className="font-medium text-slate-900 wrap-anywhere">{user.username}</div>
                {user.displayName && <div className="text-xs text-slate-500">{user.displayName}</div>}
                {user.disabled && (
                  <div className="mt-1">
                    <Badge tone="slate">{`Disabled${user.disabledBy ? ` by ${user.disabledBy}` : ""}`}</Badge>
                  </div>
                )}
              </Cell>
              <Cell label="Role">{user.role === "admin" ? <Badge tone="indigo">Admin</Badge> : "User"}</Cell>
              <Cell label="Signs in with">{user.authSource === "oidc" ? "SSO" : "Key"}</Cell>
              <Cell label="Active sessions">
                <Link
                  href={pageUrl("/admin/sessions", { user: user.username })}
                  className="hover:underline"
                  aria-label={`${user.activeSessions} active session${user.activeSessions === 1 ? "" : "s"} of ${user.username}`}
                >
                  {user.activeSessions}
                </Link>{" "}
                {user.flagged && <Badge tone="amber">More than 5</Badge>}
              </Cell>
              <Cell label="Last sign-in" className="lg:whitespace-nowrap">
                {user.lastLoginAt ? <RelativeTime time={timeView(user.lastLoginAt, now)} /> : "Never"}
              </Cell>
              <Cell actions>
                <Link href={pageUrl("/admin/sessions", { user: user.username })} className={actionClass.quiet} aria-label={`Sessions of ${user.username}`}>
                  Sessions
                </Link>
                <Link href={pageUrl("/admin/events", { user: user.username })} className={actionClass.quiet} aria-label={`Events of ${user.username}`}>
                  Events
                </Link>
                {revocable(user) > 0 && (
                  <PendingLink
                    href={confirmationHref(href({ confirmUser: user.username }), "confirm-user")}
                    className={actionClass.danger}
                    aria-label={`Revoke all of ${user.username}'s sessions`}
                  >
                    Revoke all
                  </PendingLink>
                )}
                {user.disabled ? (
                  <form action={enableUserAction} className="inline">
                    <input type="hidden" name="username" value={user.username} />
                    <input type="hidden" name="returnTo" value={returnTo} />
                    <button type="submit" className={actionClass.primary} aria-label={`Enable ${user.username}`}>
                      Enable
                    </button>
                  </form>
                ) : (
                  user.username !== admin.user.username && (
                    <PendingLink
                      href={confirmationHref(href({ confirmDisable: user.username }), "confirm-disable")}
                      className={actionClass.danger}
                      aria-label={`Disable ${user.username}`}
                    >
                      Disable
                    </PendingLink>
                  )
                )}
              </Cell>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager firstHref={query.cursor ? href({ cursor: null }) : null} nextHref={page.nextCursor ? href({ cursor: page.nextCursor }) : null} />
    </div>
  );
}

const userRowId = (id: string) => `user-${id}`;
