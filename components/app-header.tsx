import Link from "next/link";
import { NavLink } from "./nav-link";
import { Badge } from "./ui";

export type HeaderUser = { username: string; displayName: string | null; role: "admin" | "user" };

/**
 * The app's top bar: product name, then — signed in — navigation, who you are, your role and Log
 * out; signed out (say, on a 404), a way to sign in.
 */
export function AppHeader({ user }: { user: HeaderUser | null }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
        <div className="flex flex-wrap items-center gap-x-5 gap-y-2">
          <Link href="/" className="text-lg font-semibold tracking-tight text-slate-900">
            Sessionboard
          </Link>
          {user && (
            <nav aria-label="Main" className="flex items-center gap-1">
              <NavLink href="/">Home</NavLink>
              <NavLink href="/settings/sessions" match="/settings">
                Settings
              </NavLink>
              {user.role === "admin" && (
                <NavLink href="/admin/sessions" match="/admin">
                  Admin Panel
                </NavLink>
              )}
            </nav>
          )}
        </div>
        {user ? (
          <div className="flex items-center gap-3">
            <span className="text-sm text-slate-700" data-testid="signed-in-user">
              {user.displayName ?? user.username}
            </span>
            <Badge tone={user.role === "admin" ? "indigo" : "slate"}>{user.role === "admin" ? "Admin" : "User"}</Badge>
            <form action="/api/auth/logout" method="post">
              <button type="submit" className="rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
                Log out
              </button>
            </form>
          </div>
        ) : (
          <Link href="/login" className="rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
            Sign in
          </Link>
        )}
      </div>
    </header>
  );
}
