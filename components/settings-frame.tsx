"use client";

import { NavLink } from "./nav-link";

/**
 * Settings > …: the section heading and its own navigation, around the page. A client component,
 * like AppHeader: the settings layout sends a reference to it rather than its markup.
 */
export function SettingsFrame({ children }: { children: React.ReactNode }) {
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
