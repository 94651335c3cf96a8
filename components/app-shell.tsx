import { Suspense } from "react";
import { AppHeader, type HeaderUser } from "./app-header";
import { FocusOnNavigation } from "./focus-on-navigation";

/** The app's page frame: the header, a banner if any (new-device alerts), then the page in a centred column. */
export function AppShell({ user, banner, children }: { user: HeaderUser | null; banner?: React.ReactNode; children: React.ReactNode }) {
  return (
    <>
      {/* Only what the header shows: it is a client component, and its props are sent to the browser. */}
      <AppHeader user={user && { username: user.username, displayName: user.displayName, role: user.role }} />
      {banner}
      <main id="content" tabIndex={-1} className="mx-auto max-w-5xl px-4 py-8 outline-none sm:px-6">
        {children}
      </main>
      <Suspense fallback={null}>
        <FocusOnNavigation targetId="content" />
      </Suspense>
    </>
  );
}
