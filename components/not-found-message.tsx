import Link from "next/link";

/** A 404's heading, and its page's title. */
export const NOT_FOUND_TITLE = "Page not found";

/** What every 404 says. */
export function NotFoundMessage() {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <h1 className="text-2xl font-semibold">{NOT_FOUND_TITLE}</h1>
      <p className="mt-2 text-sm text-slate-600">There is nothing at this address.</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline">
        Go to the dashboard
      </Link>
    </div>
  );
}
