import { notFound } from "next/navigation";

/**
 * Any address no page serves lands here, inside the signed-in layout, so the 404 shows the app's
 * header (with who is signed in) while the not-found templates Next embeds in every page's payload
 * stay a few lines of text instead of a second and third copy of the header.
 */
export default function MissingPage(): never {
  notFound();
}
