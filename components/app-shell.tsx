import { AppHeader, type HeaderUser } from "./app-header";

/** The app's page frame: the header, then the page in a centred column. */
export function AppShell({ user, children }: { user: HeaderUser | null; children: React.ReactNode }) {
  return (
    <>
      <AppHeader user={user} />
      <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6">{children}</main>
    </>
  );
}
