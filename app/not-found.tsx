import { NotFoundMessage } from "@/components/not-found-message";

/**
 * 404 outside the signed-in layout. Unknown addresses reach app/(app)/[...missing] and its
 * not-found page, with the header; this one only stands in for the root segment.
 */
export default function NotFound() {
  return (
    <main className="px-4">
      <NotFoundMessage />
    </main>
  );
}
