import { NotFoundMessage } from "@/components/not-found-message";

/**
 * 404 outside the signed-in layout. Unknown addresses reach app/(app)/[...missing], with the
 * header; this one only stands in for the root segment (Next.js's own is larger).
 */
export default function NotFound() {
  return (
    <main className="px-4">
      <NotFoundMessage />
    </main>
  );
}
