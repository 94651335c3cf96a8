import type { Metadata } from "next";
import { NotFoundMessage } from "@/components/not-found-message";
import { answerWithStatus } from "@/lib/http/page";

export const metadata: Metadata = { title: "Page not found", robots: { index: false } };

/**
 * Any address no page serves lands here, inside the signed-in layout, so the 404 shows the app's
 * header (with who is signed in). Drawn here, not by notFound(), so it is in the HTML (answerWithStatus).
 */
export default function MissingPage() {
  answerWithStatus(404);
  return <NotFoundMessage />;
}
