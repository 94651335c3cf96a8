import { NavLink } from "@/components/nav-link";

/** Settings > …: the section heading and its own navigation. */
export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 pb-3">
        <p className="text-sm font-medium text-slate-500">Settings</p>
        <nav aria-label="Settings" className="flex gap-1">
          <NavLink href="/settings" exact>
            Overview
          </NavLink>
          <NavLink href="/settings/sessions">Sessions</NavLink>
        </nav>
      </div>
      {children}
    </div>
  );
}
