import { NavLink } from "@/components/nav-link";

/** Admin Panel > …: the section heading and its navigation. Each page checks the admin role itself. */
export default function AdminLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 pb-3">
        <p className="text-sm font-medium text-slate-500">Admin Panel</p>
        <nav aria-label="Admin Panel" className="flex flex-wrap gap-1">
          <NavLink href="/admin" exact>
            Overview
          </NavLink>
          <NavLink href="/admin/sessions">Sessions</NavLink>
          <NavLink href="/admin/users">Users</NavLink>
          <NavLink href="/admin/events">Events</NavLink>
          <NavLink href="/admin/webhooks">Webhooks</NavLink>
          <NavLink href="/admin/sso">Single sign-on</NavLink>
        </nav>
      </div>
      {children}
    </div>
  );
}
