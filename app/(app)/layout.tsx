import { AppHeader } from "@/components/app-header";
import { getCurrentSession } from "@/lib/sessions/current";

/** Shell for signed-in pages. Each page enforces the session itself (with its own return path). */
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const check = await getCurrentSession();
  return (
    <>
      {check.status === "active" && (
        <AppHeader username={check.user.username} displayName={check.user.displayName} role={check.user.role} />
      )}
      <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6">{children}</main>
    </>
  );
}
