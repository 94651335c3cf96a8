import Link from "next/link";
import { AppShell } from "@/components/app-shell";
import { getCurrentSession } from "@/lib/sessions/current";

/**
 * 404, in the app's frame. Rendered per request, never pre-rendered: reading the session (the
 * cookie) makes it dynamic, so Next.js gives its scripts this response's CSP nonce.
 */
export default async function NotFound() {
  const check = await getCurrentSession();
  return (
    <AppShell user={check.status === "active" ? check.user : null}>
      <div className="mx-auto max-w-md py-16 text-center">
        <h1 className="text-2xl font-semibold">Page not found</h1>
        <p className="mt-2 text-sm text-slate-600">There is nothing at this address.</p>
        <Link href="/" className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline">
          Go to the dashboard
        </Link>
      </div>
    </AppShell>
  );
}
