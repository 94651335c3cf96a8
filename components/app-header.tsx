"use client";

import Link from "next/link";
import { HeaderMenu } from "./header-menu";
import { NavLink } from "./nav-link";
import { Badge } from "./ui";

export type HeaderUser = { username: string; displayName: string | null; role: "admin" | "user" };

const outlineButton = "rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50";

/**
 * The app's top bar: product name, then — signed in — navigation, who you are, your role and Log
 * out; signed out (say, on a 404), a way to sign in. On a phone, everything but the name folds into
 * one Menu, so the bar stays one row. A client component, like OwnSessionsView and for the same
 * reason: on every signed-in page, the server sends who is signed in rather than this markup.
 */
export function AppHeader({ user }: { user: HeaderUser | null }) {
  return (
    <header className="relative border-b border-slate-200 bg-white">
      <a
        href="#content"
        className="sr-only rounded-lg bg-white px-3 py-2 text-sm font-medium text-slate-900 ring-2 ring-indigo-600 focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-30"
      >
        Skip to content
      </a>
      <div className="mx-auto flex max-w-5xl items-center justify-between gap-x-6 px-4 py-3 sm:px-6">
        <div className="flex items-center gap-x-5">
          <Link href="/" className="text-lg font-semibold tracking-tight text-slate-900">
            Sessionboard
          </Link>
          {user && (
            <nav aria-label="Main" className="hidden items-center gap-1 sm:flex">
              <NavLinks role={user.role} />
            </nav>
          )}
        </div>
        {user ? (
          <>
            <div className="hidden items-center gap-3 sm:flex">
              <Who user={user} testId="signed-in-user" />
              <LogOut />
            </div>
            <HeaderMenu>
              <nav aria-label="Main" className="flex flex-col gap-1">
                <NavLinks role={user.role} />
              </nav>
              <div className="mt-3 flex items-center justify-between gap-3 border-t border-slate-200 pt-3">
                <Who user={user} />
                <LogOut />
              </div>
            </HeaderMenu>
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

function Who({ user, testId }: { user: HeaderUser; testId?: string }) {
  return (
    <span className="flex min-w-0 items-center gap-2">
      <span className="truncate text-sm text-slate-700" data-testid={testId}>
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
