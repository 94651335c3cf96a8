import type { Metadata } from "next";
import { NOT_FOUND_TITLE } from "@/components/not-found-message";
import { notFoundAnswer } from "../not-found-answer";

export const metadata: Metadata = { title: NOT_FOUND_TITLE, robots: { index: false } };

/**
 * Any address no page serves lands here, inside the signed-in layout, so the 404 shows the app's
 * header (with who is signed in).
 */
export default function MissingPage() {
  return notFoundAnswer();
}
