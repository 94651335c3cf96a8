"use client";

import Link from "next/link";
import { HeaderMenu } from "./header-menu";
import { NavLink } from "./nav-link";
import { Badge } from "./ui";

export type HeaderUser = { username: string; displayName: string | null; role: "admin" | "user" };

const outlineButton = "whitespace-nowrap rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50";

/** The panel with the navigation, who you are and Log out: a row on a wide screen, the Menu's drop-down on a phone. */
const PANEL_ID = "header-panel";

/**
 * The app's top bar: product name, then — signed in — navigation, who you are, your role and Log
 * out; signed out (say, on a 404), a way to sign in. On a phone, everything but the name folds into
 * one Menu, so the bar stays one row: the same panel, shown under the bar while Menu is open (the
 * header's `:has`), so its links are rendered once. It lies over the page while open; without
 * JavaScript, which is what closes it when focus or a click moves on, it pushes the page down instead,
 * so nothing focusable is ever under it. A client component, like OwnSessionsView and
 * for the same reason: on every signed-in page, the server sends who is signed in rather than this
 * markup.
 */
export function AppHeader({ user }: { user: HeaderUser | null }) {
  return (
    <header className="group/header relative border-b border-slate-200 bg-white">
      <a
        href="#content"
        className="sr-only rounded-lg bg-white px-3 py-2 text-sm font-medium text-slate-900 ring-2 ring-indigo-600 focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-30"
      >
        Skip to content
      </a>
      <div className="mx-auto flex max-w-5xl items-center justify-between gap-x-5 px-4 py-3 max-sm:flex-wrap sm:px-6">
        <Link href="/" className="text-lg font-semibold tracking-tight text-slate-900">
          Sessionboard
        </Link>
        {user ? (
          <>
            <HeaderMenu panelId={PANEL_ID} />
            <div
              id={PANEL_ID}
              className="max-sm:absolute max-sm:inset-x-0 max-sm:top-full max-sm:z-20 max-sm:noscript:static max-sm:noscript:border-b-0 max-sm:noscript:px-0 max-sm:noscript:pb-0 max-sm:noscript:shadow-none max-sm:basis-full max-sm:hidden max-sm:border-b max-sm:border-slate-200 max-sm:bg-white max-sm:px-4 max-sm:pb-4 max-sm:pt-2 max-sm:shadow-md max-sm:group-has-[details[open]]/header:block sm:flex sm:min-w-0 sm:flex-1 sm:items-center sm:justify-between sm:gap-x-6"
            >
              <nav aria-label="Main" className="flex shrink-0 flex-col gap-1 sm:flex-row sm:items-center">
                <NavLinks role={user.role} />
              </nav>
              <div className="flex min-w-0 items-center justify-between gap-3 max-sm:mt-3 max-sm:border-t max-sm:border-slate-200 max-sm:pt-3">
                <Who user={user} />
                <LogOut />
              </div>
            </div>
          </>
        ) : (
          <Link href="/login" className={outlineButton}>
            Sign in
          </Link>
        )}
      </div>
    </header>
  );
}

function NavLinks({ role }: { role: HeaderUser["role"] }) {
  return (
    <>
      <NavLink href="/">Home</NavLink>
      <NavLink href="/settings/sessions" match="/settings">
        Settings
      </NavLink>
      {role === "admin" && (
        <NavLink href="/admin">
          Admin Panel
        </NavLink>
      )}
    </>
  );
}

function Who({ user }: { user: HeaderUser }) {
  return (
    <span className="flex min-w-0 items-center gap-2">
      {/* Cut short on a narrow screen: the whole name on hover, and on the Settings page. */}
      <span className="truncate text-sm text-slate-700" data-testid="signed-in-user" title={user.displayName ?? user.username}>
        {user.displayName ?? user.username}
      </span>
      <Badge tone={user.role === "admin" ? "indigo" : "slate"}>{user.role === "admin" ? "Admin" : "User"}</Badge>
    </span>
  );
}

function LogOut() {
  return (
    <form action="/api/auth/logout" method="post">
      <button type="submit" className={outlineButton}>
        Log out
      </button>
    </form>
  );
}
