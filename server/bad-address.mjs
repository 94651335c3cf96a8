// An address whose percent-encoding does not decode reaches no route. The API's clients get its
// JSON error; a browser opening such a page address gets a page that says so and leads home.
import { randomBytes } from "node:crypto";
import { plainPage, plainPageCsp } from "./plain-page.mjs";

/** Whether the request is a browser opening a page (not the API, not Next's own files). */
export const wantsPage = (pathname, accept) =>
  !pathname.startsWith("/api/") && !pathname.startsWith("/_next/") && (accept ?? "").includes("text/html");

/** The page and the CSP that matches its nonce. */
export function badAddressPage() {
  const nonce = randomBytes(16).toString("base64");
  const body = plainPage({
    title: "This address is not valid",
    paragraphs: ["Part of the address is not valid percent-encoded text, so there is no page here. It may have been cut off or mistyped."],
    link: { href: "/", text: "Go to Sessionboard" },
    nonce,
  });
  return { body, csp: plainPageCsp(nonce) };
}
