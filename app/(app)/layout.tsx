import { AppShell } from "@/components/app-shell";
import { getCurrentSession } from "@/lib/http/page";

/** Shell for signed-in pages. Each page enforces the session itself (with its own return path). */
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const check = await getCurrentSession();
  return <AppShell user={check.status === "active" ? check.user : null}>{children}</AppShell>;
}
