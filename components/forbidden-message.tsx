import Link from "next/link";

/** A 403's heading, and its page's title. */
export const FORBIDDEN_TITLE = "Administrators only";

/** What a 403 says: signed in, but the page is for administrators. */
export function ForbiddenMessage() {
  return (
    <div className="mx-auto max-w-md px-4 py-24 text-center">
      <p className="text-sm font-semibold text-indigo-600">403</p>
      <h1 className="mt-2 text-2xl font-semibold">{FORBIDDEN_TITLE}</h1>
      <p className="mt-2 text-sm text-slate-600">
        Your account can&apos;t open the Admin Panel. If you need access, ask an administrator.
      </p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline">
        Back to the dashboard
      </Link>
    </div>
  );
}
